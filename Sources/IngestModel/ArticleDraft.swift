/// What a parser extracts from a page for one article, before provenance and ids are attached.
public struct ArticleDraft: Sendable, Equatable {
    public var title: String?
    public var published: String?
    public var publishedRaw: String?
    public var updated: String?
    public var authors: [String] = []
    public var tags: [String] = []
    public var keywords: [String] = []
    public var summary: String?
    /// Paragraphs, in order; joined by a blank line in the record's `body`.
    public var paragraphs: [String] = []
    public var headings: [String] = []
    public var related: [String] = []
    public var credit: String?
    public var publisher: String?
    public var copyright: String?
    public var language: String?
    public var listing: ListingPosition?
    public var warnings: [String] = []

    public init() {}

    /// The record body: paragraphs joined by a blank line.
    public var body: String { paragraphs.joined(separator: "\n\n") }
}

extension ArticleRecord {
    /// Builds a record from a parser's draft plus what the pipeline knows.
    public init(draft: ArticleDraft, id: String, fingerprint: Fingerprint, source: SourceInfo) {
        let body = draft.body
        self.init(id: id, body: body, wordCount: WordCounter.count(body), fingerprint: fingerprint, source: source)
        title = draft.title
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
        var words = 0
        var inWord = false
        forEachScalar(in: text) { value in
            if isWordScalar(value) {
                if !inWord { words += 1 }
                inWord = true
            } else if inWord && (value == 0x27 || value == 0x2019 || value == 0x2D) {
                return  // stays inside the word; a following letter continues it
            } else {
                inWord = false
            }
        }
        return words
    }

    /// Letters and digits; ASCII is decided without the Unicode property tables.
    @inlinable @inline(__always)
    public static func isWordScalar(_ value: UInt32) -> Bool {
        if value < 0x80 {
            return (value &- 0x61 < 26) || (value &- 0x41 < 26) || (value &- 0x30 < 10)
        }
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
