/// What a parser extracts from a page for one article, before provenance and ids are attached.
public struct ArticleDraft: Sendable {
    public var title: String?
    /// Where the article was published, when the input says (scraper JSON's `url`, `link`, …).
    public var url: String?
    public var published: String?
    public var publishedRaw: String?
    public var updated: String?
    public var authors: [String] = []
    public var tags: [String] = []
    public var keywords: [String] = []
    public var summary: String?
    /// Paragraphs, in order; joined by a blank line in the record's `body`.
    public var paragraphs: [String] {
        get { joinedParagraphs.map(Self.split) ?? paragraphList }
        set {
            paragraphList = newValue
            joinedParagraphs = nil
        }
    }
    public var headings: [String] = []
    public var related: [String] = []
    public var credit: String?
    public var publisher: String?
    public var copyright: String?
    public var language: String?
    public var listing: ListingPosition?
    public var warnings: [String] = []

    /// The paragraphs as a parser set them: a list, or (`setParagraphs(joined:)`) one string.
    private var paragraphList: [String] = []
    private var joinedParagraphs: String?

    public init() {}

    /// The record body: paragraphs joined by a blank line.
    public var body: String { joinedParagraphs ?? TextJoining.join(paragraphList, separator: [0x0A, 0x0A]) }

    /// Sets the paragraphs from the body itself, for a parser that builds it in one piece (the
    /// plain-text reading of a page: no string per paragraph, and no join). None of the
    /// paragraphs may be empty or hold a blank line, so that `paragraphs` gives them back.
    public mutating func setParagraphs(joined body: String) {
        paragraphList = []
        joinedParagraphs = body
    }

    private static func split(_ body: String) -> [String] {
        body.isEmpty ? [] : body.split(separator: "\n\n", omittingEmptySubsequences: false).map(String.init)
    }
}

extension ArticleDraft: Equatable {
    /// Drafts are equal when their fields are, whichever way their paragraphs were set.
    public static func == (lhs: ArticleDraft, rhs: ArticleDraft) -> Bool {
        lhs.title == rhs.title && lhs.url == rhs.url && lhs.published == rhs.published
            && lhs.publishedRaw == rhs.publishedRaw && lhs.updated == rhs.updated && lhs.authors == rhs.authors
            && lhs.tags == rhs.tags && lhs.keywords == rhs.keywords && lhs.summary == rhs.summary
            && lhs.paragraphs == rhs.paragraphs && lhs.headings == rhs.headings
            && lhs.related == rhs.related && lhs.credit == rhs.credit && lhs.publisher == rhs.publisher
            && lhs.copyright == rhs.copyright && lhs.language == rhs.language && lhs.listing == rhs.listing
            && lhs.warnings == rhs.warnings
    }
}

extension ArticleRecord {
    /// Builds a record from a parser's draft plus what the pipeline knows.
    public init(draft: ArticleDraft, id: String, fingerprint: Fingerprint, source: SourceInfo) {
        let body = draft.body
        self.init(
            draft: draft, body: body, wordCount: WordCounter.count(body), id: id, fingerprint: fingerprint,
            source: source)
    }

    /// As `init(draft:id:fingerprint:source:)`, with the body (`draft.body`) and its word count
    /// (`WordCounter.count(body)`) already computed.
    public init(
        draft: ArticleDraft, body: String, wordCount: Int, id: String, fingerprint: Fingerprint, source: SourceInfo
    ) {
        self.init(id: id, body: body, wordCount: wordCount, fingerprint: fingerprint, source: source)
        title = draft.title
        url = draft.url
        published = draft.published
        publishedRaw = draft.publishedRaw
        updated = draft.updated
        authors = draft.authors
        tags = draft.tags
        keywords = draft.keywords
        summary = draft.summary
        headings = draft.headings
        related = draft.related
        credit = draft.credit
        publisher = draft.publisher
        copyright = draft.copyright
        language = draft.language
        listing = draft.listing
        warnings = draft.warnings
    }
}

/// Counts words: maximal runs of letters or digits (apostrophes and hyphens inside a word join it).
public enum WordCounter {
    public static func count(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            let count = bytes.count
            var words = 0
            var inWord = false
            var index = 0
            while index < count {
                // Eight ASCII bytes at a time, with the starts counted per lane (at most 255 blocks,
                // so that no lane overflows) and summed when the run of ASCII blocks ends.
                var startLanes: UInt64 = 0
                var blocks = 0
                while index + 8 <= count && blocks < 255 {
                    let block = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                    if block & ASCIILanes.highBits != 0 { break }
                    let starts = wordStarts(asciiBlock: block, inWord: inWord)
                    startLanes &+= starts.lanes
                    inWord = starts.inWordAfter
                    index += 8
                    blocks += 1
                }
                words += ASCIILanes.sum(startLanes)
                if blocks > 0 { continue }
                // One scalar at a time near non-ASCII bytes and at the end, decoded as in `forEachScalar`.
                let lead = UInt32(base[index])
                var value = lead
                if lead < 0x80 {
                    index += 1
                } else if lead < 0xE0, index + 1 < count {
                    value = (lead & 0x1F) << 6 | UInt32(base[index + 1] & 0x3F)
                    index += 2
                } else if lead < 0xF0, index + 2 < count {
                    value = (lead & 0x0F) << 12 | UInt32(base[index + 1] & 0x3F) << 6 | UInt32(base[index + 2] & 0x3F)
                    index += 3
                } else if index + 3 < count {
                    value =
                        (lead & 0x07) << 18 | UInt32(base[index + 1] & 0x3F) << 12 | UInt32(base[index + 2] & 0x3F) << 6
                        | UInt32(base[index + 3] & 0x3F)
                    index += 4
                } else {
                    index += 1  // unreachable for a valid String
                    continue
                }
                if isWordScalar(value) {
                    if !inWord { words += 1 }
                    inWord = true
                } else if inWord && (value == 0x27 || value == 0x2019 || value == 0x2D) {
                    continue  // stays inside the word; a following letter continues it
                } else {
                    inWord = false
                }
            }
            return words
        }
    }

    /// The words that start in eight ASCII bytes, as 1 in the lowest bit of their lane, given
    /// whether a word is open before them; and whether one is open after them.
    ///
    /// Per byte the state is `inWord = isWord || (isJoiner && inWord)`, which is a carry chain:
    /// word bytes generate a carry, joiners (`'` and `-`) propagate it, everything else kills it.
    /// One 64-bit addition runs that chain for all eight lanes: a word byte is `0x80` in both
    /// addends, a joiner `0x00` and `0xFF`. The carry into a lane is then "a word is open before
    /// this byte", and a word starts at each word byte with no carry into its lane.
    @inline(__always)
    static func wordStarts(asciiBlock block: UInt64, inWord: Bool) -> (lanes: UInt64, inWordAfter: Bool) {
        let word = ASCIILanes.letters(block) | ASCIILanes.digits(block)
        let joiner = ASCIILanes.equal(block, UInt8(ascii: "'")) | ASCIILanes.equal(block, UInt8(ascii: "-"))
        let generate = word
        let propagateOrGenerate = word | joiner | (joiner &- joiner >> 7)
        let (partial, overflow1) = generate.addingReportingOverflow(propagateOrGenerate)
        let (sum, overflow2) = partial.addingReportingOverflow(inWord ? 1 : 0)
        let carries = sum ^ generate ^ propagateOrGenerate  // bit 8k: the carry into lane k
        return ((word >> 7) & ~carries & ASCIILanes.ones, overflow1 || overflow2)
    }

    /// Letters and digits; ASCII is decided without the Unicode property tables, and the common
    /// non-ASCII ranges (U+0080 up to U+07FF: Latin, Greek, Cyrillic, Hebrew, Arabic…; and the
    /// General Punctuation block: dashes, curly quotes, the ellipsis…) by tables made once from them.
    @inlinable @inline(__always)
    public static func isWordScalar(_ value: UInt32) -> Bool {
        if value < 0x80 {
            return (value &- 0x61 < 26) || (value &- 0x41 < 26) || (value &- 0x30 < 10)
        }
        if value < 0x800 { return twoByteWordScalars[Int(value &- 0x80)] }
        if value &- 0x2000 < 0x70 { return generalPunctuationWordScalars[Int(value &- 0x2000)] }
        return isWordScalarByProperties(value)
    }

    /// `isWordScalarByProperties` of each scalar from U+0080 up to U+07FF (those UTF-8 writes in
    /// two bytes), in order.
    @usableFromInline
    static let twoByteWordScalars: [Bool] = (0x80..<0x800).map { isWordScalarByProperties(UInt32($0)) }

    /// `isWordScalarByProperties` of each scalar of the General Punctuation block (U+2000 up to
    /// U+206F), in order.
    @usableFromInline
    static let generalPunctuationWordScalars: [Bool] = (0x2000..<0x2070).map { isWordScalarByProperties(UInt32($0)) }

    /// Letters and digits by the Unicode properties: alphabetic, or with a numeric type.
    @usableFromInline
    static func isWordScalarByProperties(_ value: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// Calls `body` with each scalar value of `text`, decoding UTF-8 bytes directly (ASCII needs
    /// no decoding at all): several times faster than iterating `unicodeScalars`.
    @inlinable
    public static func forEachScalar(in text: String, _ body: (UInt32) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            let count = bytes.count
            while index < count {
                let lead = UInt32(bytes[index])
                if lead < 0x80 {
                    body(lead)
                    index += 1
                } else if lead < 0xE0, index + 1 < count {
                    body((lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F))
                    index += 2
                } else if lead < 0xF0, index + 2 < count {
                    body((lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F))
                    index += 3
                } else if index + 3 < count {
                    body(
                        (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F)
                            << 6
                            | UInt32(bytes[index + 3] & 0x3F))
                    index += 4
                } else {
                    index += 1  // unreachable for a valid String
                }
            }
        }
    }
}

/// Byte-lane tests on eight bytes of ASCII (every lane below 0x80) packed in a `UInt64`, lowest
/// address in the lowest lane. Each returns bit 7 of every lane that passes, exactly.
enum ASCIILanes {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Lanes whose value is at least `bound` (1...0x80). No lane carries into the next: each sum
    /// stays at most 0x7F + 0x7F.
    @inline(__always)
    static func atLeast(_ block: UInt64, _ bound: UInt8) -> UInt64 {
        (block &+ UInt64(0x80 - bound) &* ones) & highBits
    }

    /// Lanes in `low...high` (`high` below 0x7F).
    @inline(__always)
    static func inRange(_ block: UInt64, _ low: UInt8, _ high: UInt8) -> UInt64 {
        atLeast(block, low) & ~atLeast(block, high + 1)
    }

    /// `A`...`Z` and `a`...`z` (setting bit 5 maps exactly `A`...`Z` onto `a`...`z`).
    @inline(__always)
    static func letters(_ block: UInt64) -> UInt64 {
        inRange(block | 0x20 &* ones, UInt8(ascii: "a"), UInt8(ascii: "z"))
    }

    /// `0`...`9`.
    @inline(__always)
    static func digits(_ block: UInt64) -> UInt64 {
        inRange(block, UInt8(ascii: "0"), UInt8(ascii: "9"))
    }

    /// The sum of the eight lanes (pairs are added into 16-bit lanes first, so the total of up to
    /// 8 × 255 fits the top one).
    @inline(__always)
    static func sum(_ lanes: UInt64) -> Int {
        var lanes = lanes
        lanes = (lanes & 0x00FF_00FF_00FF_00FF) &+ (lanes >> 8 & 0x00FF_00FF_00FF_00FF)
        return Int(truncatingIfNeeded: (lanes &* 0x0001_0001_0001_0001) >> 48)
    }

    /// Lanes equal to `byte` (below 0x80).
    @inline(__always)
    static func equal(_ block: UInt64, _ byte: UInt8) -> UInt64 {
        ~((block ^ UInt64(byte) &* ones) &+ 0x7F &* ones) & highBits
    }
}
