/// What the heuristics ask of one word: its capitalization and the punctuation around it.
struct TokenFlags: OptionSet, Sendable {
    let rawValue: UInt16

    /// The first letter (after opening quotes) is uppercase.
    static let upper = TokenFlags(rawValue: 1 << 0)
    /// The first letter (after opening quotes) is lowercase.
    static let lower = TokenFlags(rawValue: 1 << 1)
    /// The core starts with a digit.
    static let digit = TokenFlags(rawValue: 1 << 2)
    /// Starts with an opening quote or bracket.
    static let opensQuote = TokenFlags(rawValue: 1 << 3)
    /// Starts with "(".
    static let opensParen = TokenFlags(rawValue: 1 << 4)
    /// Ends a sentence (`.` that is not an abbreviation, `?`, `!`, `…`).
    static let terminal = TokenFlags(rawValue: 1 << 5)
    /// Ends with `?` or `!` (before closing quotes).
    static let question = TokenFlags(rawValue: 1 << 6)
    /// Ends with `,` or `;` (before closing quotes).
    static let comma = TokenFlags(rawValue: 1 << 7)
    /// Ends with `:`, or is a lone `:`.
    static let colon = TokenFlags(rawValue: 1 << 8)
    /// Ends with a closing quote or bracket.
    static let closesQuote = TokenFlags(rawValue: 1 << 9)
    /// The core ends with 's or ’s.
    static let possessive = TokenFlags(rawValue: 1 << 10)
    /// The core is an elided article or preposition (l'…, d'…, dell'…).
    static let elided = TokenFlags(rawValue: 1 << 11)
}

/// One space-separated word of a paragraph as byte offsets (32 bytes).
struct BodyToken: Sendable {
    /// The whole token.
    var start: Int32
    var end: Int32
    /// Bytes of opening quotes/brackets before the core, and of punctuation/closers after it.
    private var leading: UInt16
    private var trailing: UInt16
    var flags: TokenFlags
    /// Hash of the core (without a possessive 's), case kept: identifies a capitalized word. Only
    /// computed for `.upper` tokens (zero otherwise).
    var key: UInt64
    /// Hash of the core up to its first hyphen ("Oslo" for "Oslo-based"); equals `key` otherwise.
    var stemKey: UInt64

    @inline(__always)
    init(_ range: Range<Int>, core: Range<Int>, flags: TokenFlags, key: UInt64 = 0, stemKey: UInt64 = 0) {
        start = Int32(truncatingIfNeeded: range.lowerBound)
        end = Int32(truncatingIfNeeded: range.upperBound)
        leading = UInt16(truncatingIfNeeded: core.lowerBound &- range.lowerBound)
        trailing = UInt16(truncatingIfNeeded: range.upperBound &- core.upperBound)
        self.flags = flags
        self.key = key
        self.stemKey = stemKey
    }

    /// Without surrounding quotes, brackets and punctuation.
    var core: Range<Int> { (Int(start) &+ Int(leading))..<(Int(end) &- Int(trailing)) }
    var whole: Range<Int> { Int(start)..<Int(end) }
    func has(_ flag: TokenFlags) -> Bool { flags.contains(flag) }
}

/// A paragraph's text, its UTF-8 bytes and its tokens.
struct TokenizedParagraph: Sendable {
    var text: String
    var bytes: [UInt8]
    var tokens: [BodyToken]

    /// Abbreviations whose period does not end a sentence.
    private static let abbreviations = HashedWordSet(
        """
        mr mrs ms dr st jr sr prof gen sen rep gov lt col capt sgt mt ft vs etc inc ltd co corp jan feb mar apr jun \
        jul aug sep sept oct nov dec no nr bzw ca vgl usw hr fr mme mlle sra dott sig av pres gen bd hl
        """)

    init(_ text: String, elision: Bool) {
        self.text = text
        bytes = Array(text.utf8)
        tokens = bytes.withUnsafeBufferPointer { Self.tokenize($0, elision: elision) }
    }

    /// The tokens of `buffer`; spaces are found eight bytes at a time.
    private static func tokenize(_ buffer: UnsafeBufferPointer<UInt8>, elision: Bool) -> [BodyToken] {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return [] }
        let count = buffer.count
        return [BodyToken](unsafeUninitializedCapacity: spaceCount(buffer) &+ 1) { tokens, initialized in
            var writer = TokenWriter(output: tokens.baseAddress!)
            var index = 0
            while index &+ 8 <= count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                let flipped = word ^ 0x2020_2020_2020_2020
                var spaces = (flipped &- 0x0101_0101_0101_0101) & ~flipped & 0x8080_8080_8080_8080
                while spaces != 0 {
                    let position = index &+ spaces.trailingZeroBitCount &>> 3
                    if base[position] == 0x20 { writer.emit(buffer, upTo: position, elision: elision) }
                    spaces &= spaces &- 1
                }
                index &+= 8
            }
            while index < count {
                if base[index] == 0x20 { writer.emit(buffer, upTo: index, elision: elision) }
                index &+= 1
            }
            writer.emit(buffer, upTo: count, elision: elision)
            initialized = writer.written
        }
    }

    /// Writes tokens into uninitialized memory. A period followed by a lowercase word ends no
    /// sentence ("etc. and"), so such a token loses its `.terminal` flag.
    private struct TokenWriter {
        let output: UnsafeMutablePointer<BodyToken>
        var written = 0
        var start = 0
        var afterPeriod = false

        /// Emits the token from `start` to `end` (if not empty); the next starts after `end`.
        @inline(__always)
        mutating func emit(_ buffer: UnsafeBufferPointer<UInt8>, upTo end: Int, elision: Bool) {
            defer { start = end &+ 1 }
            guard end > start else { return }
            let token = TokenizedParagraph.token(buffer, start..<end, elision: elision)
            if afterPeriod && token.flags.contains(.lower) { output[written &- 1].flags.remove(.terminal) }
            afterPeriod = token.flags.contains(.terminal) && !token.flags.contains(.question)
            (output + written).initialize(to: token)
            written &+= 1
        }
    }

    /// Spaces in `buffer` (an upper bound for the token count, minus one).
    private static func spaceCount(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var spaces = 0
        var index = 0
        let low7 = 0x7F7F_7F7F_7F7F_7F7F as UInt64
        while index &+ 8 <= buffer.count {
            let flipped = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) ^ 0x2020_2020_2020_2020
            let zero = ~(((flipped & low7) &+ low7) | flipped | low7)
            spaces &+= Int(truncatingIfNeeded: ((zero >> 7) &* 0x0101_0101_0101_0101) >> 56)
            index &+= 8
        }
        while index < buffer.count {
            if base[index] == 0x20 { spaces &+= 1 }
            index &+= 1
        }
        return spaces
    }

    /// The text of tokens `range` as it stands in the paragraph.
    func text(_ range: Range<Int>) -> String {
        guard !range.isEmpty else { return "" }
        let bytesRange = Int(tokens[range.lowerBound].start)..<Int(tokens[range.upperBound - 1].end)
        return String(decoding: bytes[bytesRange], as: UTF8.self)
    }

    /// Hash of the lowercased core of token `index`, for lexicon look-ups.
    func folded(_ index: Int) -> UInt64 {
        bytes.withUnsafeBufferPointer { WordHash.folded($0, tokens[index].core) }
    }

    /// The lowercased core of token `index` ends with `suffix` (ASCII).
    func coreHasSuffix(_ index: Int, _ suffix: String) -> Bool {
        let core = tokens[index].core
        let tail = Array(suffix.utf8)
        guard core.count > tail.count else { return false }
        for (offset, byte) in tail.enumerated() where bytes[core.upperBound - tail.count + offset] | 0x20 != byte {
            return false
        }
        return true
    }

    // MARK: Building a token

    fileprivate static func token(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, elision: Bool) -> BodyToken
    {
        // Fast path: a plain lowercase word ("harbour", "it's" aside), by far the most common token.
        let first = buffer[range.lowerBound]
        let last = buffer[range.upperBound - 1]
        if first &- 0x61 < 26 && (last &- 0x61 < 26 || last &- 0x30 < 10)
            && !(elision && range.count > 2
                && (buffer[range.lowerBound + 1] == 0x27 || buffer[range.lowerBound + 1] == 0xE2))
        {
            var flags: TokenFlags = .lower
            if range.count > 2 && last == UInt8(ascii: "s") && buffer[range.upperBound - 2] == 0x27 {
                flags.insert(.possessive)
            } else if range.count > 4 && last == UInt8(ascii: "s") && buffer[range.upperBound - 2] == 0x99
                && buffer[range.upperBound - 3] == 0x80 && buffer[range.upperBound - 4] == 0xE2
            {
                flags.insert(.possessive)
            }
            return BodyToken(range, core: range, flags: flags)
        }
        // A capitalized word without punctuation ("Harbour", "Kestrel-Bay").
        if first &- 0x41 < 26 && (last &- 0x61 < 26 || last &- 0x30 < 10) {
            var flags: TokenFlags = .upper
            var keyEnd = range.upperBound
            if range.count > 2 && last == UInt8(ascii: "s") && buffer[range.upperBound - 2] == 0x27 {
                flags.insert(.possessive)
                keyEnd -= 2
            } else if range.count > 4 && last == UInt8(ascii: "s") && buffer[range.upperBound - 2] == 0x99
                && buffer[range.upperBound - 3] == 0x80 && buffer[range.upperBound - 4] == 0xE2
            {
                flags.insert(.possessive)
                keyEnd -= 4
            }
            var key = WordHash.seed
            var stemKey: UInt64? = nil
            for index in range.lowerBound..<keyEnd {
                let byte = buffer[index]
                if byte == UInt8(ascii: "-") && stemKey == nil && index > range.lowerBound { stemKey = key }
                key = WordHash.mix(key, byte)
            }
            return BodyToken(range, core: range, flags: flags, key: key, stemKey: stemKey ?? key)
        }
        // A lowercase word followed by a comma ("harbour,").
        if first &- 0x61 < 26 && (last == UInt8(ascii: ",") || last == UInt8(ascii: ";")) && range.count > 1 {
            let before = buffer[range.upperBound - 2]
            if before &- 0x61 < 26 || before &- 0x30 < 10 {
                return BodyToken(range, core: range.lowerBound..<(range.upperBound - 1), flags: [.lower, .comma])
            }
        }
        return slowToken(buffer, range, elision: elision)
    }

    private static func slowToken(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, elision: Bool) -> BodyToken
    {
        var flags: TokenFlags = []
        var coreStart = range.lowerBound
        var coreEnd = range.upperBound
        // Leading openers.
        while coreStart < coreEnd, let width = openerWidth(buffer, coreStart, coreEnd) {
            flags.insert(.opensQuote)
            if buffer[coreStart] == UInt8(ascii: "(") { flags.insert(.opensParen) }
            coreStart += width
        }
        // Trailing closers, then the last meaningful punctuation, then further punctuation.
        var sawMeaningful = false
        while coreEnd > coreStart {
            if let width = closerWidth(buffer, coreStart, coreEnd) {
                if !sawMeaningful { flags.insert(.closesQuote) }
                coreEnd -= width
                continue
            }
            let byte = buffer[coreEnd - 1]
            var mark: TokenFlags = []
            var width = 1
            switch byte {
            case UInt8(ascii: "."): mark = .terminal
            case UInt8(ascii: "?"), UInt8(ascii: "!"): mark = [.terminal, .question]
            case UInt8(ascii: ","), UInt8(ascii: ";"): mark = .comma
            case UInt8(ascii: ":"): mark = .colon
            case 0xA6 where coreEnd - coreStart >= 3 && buffer[coreEnd - 3] == 0xE2 && buffer[coreEnd - 2] == 0x80:
                mark = [.terminal, .question]  // … ends a sentence like ? does
                width = 3
            default: break
            }
            if mark.isEmpty { break }
            if !sawMeaningful {
                flags.formUnion(mark)
                sawMeaningful = true
            }
            coreEnd -= width
        }
        if coreStart == coreEnd && range.count == 1 && buffer[range.lowerBound] == UInt8(ascii: ":") {
            flags.insert(.colon)
        }
        // A period after an abbreviation, an initial or a dotted acronym ends nothing.
        if flags.contains(.terminal) && !flags.contains(.question) && coreEnd > coreStart
            && buffer[coreEnd] == UInt8(ascii: ".")
        {
            let core = coreStart..<coreEnd
            let letters = core.count
            if letters == 1 || buffer[core].contains(UInt8(ascii: "."))
                || abbreviations.contains(hash: WordHash.folded(buffer, core))
            {
                flags.remove(.terminal)
            }
        }
        // Possessive.
        var keyEnd = coreEnd
        if coreEnd - coreStart > 2 && buffer[coreEnd - 1] | 0x20 == UInt8(ascii: "s") {
            if buffer[coreEnd - 2] == UInt8(ascii: "'") {
                keyEnd -= 2
                flags.insert(.possessive)
            } else if coreEnd - coreStart > 4 && buffer[coreEnd - 4] == 0xE2 && buffer[coreEnd - 3] == 0x80
                && buffer[coreEnd - 2] == 0x99
            {
                keyEnd -= 4
                flags.insert(.possessive)
            }
        }
        // Case of the first letter.
        if coreStart < coreEnd {
            let byte = buffer[coreStart]
            if byte >= 0x41 && byte <= 0x5A {
                flags.insert(.upper)
            } else if byte >= 0x61 && byte <= 0x7A {
                flags.insert(.lower)
            } else if byte >= 0x30 && byte <= 0x39 {
                flags.insert(.digit)
            } else if byte >= 0x80 {
                let (scalar, _) = TextNormalizer.decode(buffer, at: coreStart)
                if let value = Unicode.Scalar(scalar) {
                    if value.properties.isUppercase {
                        flags.insert(.upper)
                    } else if value.properties.isLowercase {
                        flags.insert(.lower)
                    }
                }
            }
            if elision && coreEnd - coreStart > 2 {
                let second = buffer[coreStart + 1]
                let third = coreStart + 2 < coreEnd ? buffer[coreStart + 2] : 0
                if second == UInt8(ascii: "'") || (second == 0xE2 && third == 0x80) {
                    flags.insert(.elided)
                }
            }
        }
        var key: UInt64 = 0
        var stemKey: UInt64? = nil
        if flags.contains(.upper) {
            key = WordHash.seed
            for index in coreStart..<keyEnd {
                let byte = buffer[index]
                if byte == UInt8(ascii: "-") && stemKey == nil && index > coreStart { stemKey = key }
                key = WordHash.mix(key, byte)
            }
        }
        return BodyToken(range, core: coreStart..<coreEnd, flags: flags, key: key, stemKey: stemKey ?? key)
    }

    /// Width of an opening quote or bracket at `index`, if there is one.
    @inline(__always)
    private static func openerWidth(_ buffer: UnsafeBufferPointer<UInt8>, _ index: Int, _ end: Int) -> Int? {
        let byte = buffer[index]
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: "["): return 1
        case 0xC2
        where index + 1 < end
            && (buffer[index + 1] == 0xAB || buffer[index + 1] == 0xBF
                || buffer[index + 1] == 0xA1):
            return 2  // « ¿ ¡
        case 0xE2 where index + 2 < end && buffer[index + 1] == 0x80:
            let third = buffer[index + 2]
            return third == 0x9C || third == 0x98 || third == 0x9E || third == 0xB9 ? 3 : nil  // “ ‘ „ ‹
        default: return nil
        }
    }

    /// Width of a closing quote or bracket ending at `end`, if there is one.
    @inline(__always)
    private static func closerWidth(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        let byte = buffer[end - 1]
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ")"), UInt8(ascii: "]"): return 1
        case 0xBB where end - start >= 2 && buffer[end - 2] == 0xC2: return 2  // »
        case 0x9D, 0x99, 0xBA:
            return end - start >= 3 && buffer[end - 3] == 0xE2 && buffer[end - 2] == 0x80 ? 3 : nil  // ” ’ ›
        default: return nil
        }
    }
}

/// Which capitalized words a page uses in mid-sentence (names), and which capitalized word pairs
/// recur (multi-word names such as "New Zealand"): the evidence that tells a name from the first
/// word of a new sentence in text whose paragraph breaks were lost.
struct CapitalizationStats: Sendable {
    private var midSentence: HashCounter
    private var pairs: HashCounter

    /// Sized for text of `expectedBytes` (about one capitalized word in mid-sentence per 40 bytes).
    init(expectedBytes: Int = 0) {
        midSentence = HashCounter(capacity: max(16, expectedBytes / 40))
        pairs = HashCounter(capacity: max(8, expectedBytes / 120))
    }

    mutating func add(_ paragraph: TokenizedParagraph) {
        let tokens = paragraph.tokens
        guard tokens.count > 1 else { return }
        for index in 1..<tokens.count where tokens[index].has(.upper) && !tokens[index - 1].has(.terminal) {
            midSentence.add(tokens[index].key)
            let previous = tokens[index - 1]
            if previous.has(.upper) && !previous.has(.comma) && !previous.has(.colon) {
                pairs.add(WordHash.pair(previous.key, tokens[index].key))
            }
        }
    }

    /// How often the word was seen capitalized in mid-sentence.
    func midSentenceCount(_ key: UInt64) -> Int { midSentence.value(key) }

    /// How often the capitalized pair was seen.
    func pairCount(_ first: UInt64, _ second: UInt64) -> Int { pairs.value(WordHash.pair(first, second)) }
}
