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

    /// `.upper` or `.lower` for a scalar that is an uppercase or lowercase letter (by its Unicode
    /// properties), else nothing. Latin-1 letters are decided without the property tables.
    static func letterCase(of scalar: UInt32) -> TokenFlags {
        if scalar &- 0xC0 < 0x40 {
            if scalar == 0xD7 || scalar == 0xF7 { return [] }
            return scalar <= 0xDE ? .upper : .lower
        }
        return propertyLetterCase(of: scalar)
    }

    /// `letterCase` from the Unicode property tables (kept out of line: reading the properties
    /// costs every caller a stack allocation).
    @inline(never)
    private static func propertyLetterCase(of scalar: UInt32) -> TokenFlags {
        guard let value = Unicode.Scalar(scalar) else { return [] }
        if value.properties.isUppercase { return .upper }
        return value.properties.isLowercase ? .lower : []
    }
}

/// One space-separated word of a paragraph as byte offsets (32 bytes).
struct BodyToken: Sendable, Equatable {
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

/// A paragraph and its tokens. Paragraphs tokenized together share one token buffer, of which
/// `tokenRange` is this paragraph's part; token offsets count from the paragraph's first byte.
struct TokenizedParagraph: Sendable {
    /// The paragraph as printed.
    let text: String
    /// The tokens of every paragraph tokenized with this one.
    private let sharedTokens: [BodyToken]
    /// This paragraph's tokens in `sharedTokens`.
    let tokenRange: Range<Int>

    /// Calls `body` with a view of the paragraph, valid only during the call, and `context`
    /// (passed through rather than captured, which would copy it).
    func withView<Context, Result>(_ context: Context, _ body: (ParagraphView, Context) -> Result) -> Result {
        var utf8 = text
        return utf8.withUTF8 { bytes in
            sharedTokens.withUnsafeBufferPointer { tokens in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: tokenRange.count) { wordClasses in
                    wordClasses.initialize(repeating: 0)
                    let view = ParagraphView(
                        text: text, bytes: bytes, tokens: UnsafeBufferPointer(rebasing: tokens[tokenRange]),
                        wordClasses: wordClasses)
                    return body(view, context)
                }
            }
        }
    }

    /// Tokenizes `texts` into one shared token buffer and gathers the capitalization statistics
    /// over all of them. With `elision` (French, Italian), "l'…" and "d'…" are elided words.
    static func tokenize(_ texts: [String], elision: Bool) -> ([TokenizedParagraph], CapitalizationStats) {
        var byteCount = 0
        var longest = 0
        var capacity = 0  // a paragraph of n bytes has at most (n + 1) / 2 tokens
        for text in texts {
            let count = text.utf8.count
            byteCount += count
            longest = max(longest, count)
            capacity += (count + 1) / 2
        }
        var stats = CapitalizationStats(expectedBytes: byteCount)
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(texts.count)
        // The keys of one paragraph's capitalized words: in mid-sentence, then of pairs.
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: longest + 2)
        defer { keys.deallocate() }
        let tokenizer = ParagraphTokenizer(elision: elision)
        let tokens = [BodyToken](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            initialized = 0
            for text in texts {
                guard let base = buffer.baseAddress, !text.isEmpty else {
                    ranges.append(initialized..<initialized)
                    continue
                }
                let output = ParagraphTokenizer.Output(
                    tokens: base + initialized, midSentenceKeys: keys, pairKeys: keys + (text.utf8.count + 1) / 2 + 1)
                var utf8 = text
                let counts = utf8.withUTF8 { tokenizer.tokenize($0, into: output) }
                stats.add(
                    midSentence: UnsafeBufferPointer(start: keys, count: counts.midSentence),
                    pairs: UnsafeBufferPointer(start: output.pairKeys, count: counts.pairs))
                ranges.append(initialized..<(initialized + counts.tokens))
                initialized += counts.tokens
            }
        }
        var paragraphs: [TokenizedParagraph] = []
        paragraphs.reserveCapacity(texts.count)
        for (text, range) in zip(texts, ranges) {
            paragraphs.append(TokenizedParagraph(text: text, sharedTokens: tokens, tokenRange: range))
        }
        return (paragraphs, stats)
    }
}

/// A paragraph's text, UTF-8 and tokens for the duration of one `TokenizedParagraph.withView`
/// call: the heuristics read tokens and bytes through it without reference counting.
struct ParagraphView {
    /// The paragraph as printed (`bytes` is its UTF-8).
    let text: String
    let bytes: UnsafeBufferPointer<UInt8>
    let tokens: UnsafeBufferPointer<BodyToken>
    /// The lexicon classes of the tokens looked up so far, with bit 7 set (0: not looked up).
    let wordClasses: UnsafeMutableBufferPointer<UInt8>

    @inline(__always)
    subscript(index: Int) -> BodyToken { tokens[index] }

    /// The number of tokens.
    @inline(__always)
    var count: Int { tokens.count }

    /// Token `index` has `flag`.
    @inline(__always)
    func has(_ index: Int, _ flag: TokenFlags) -> Bool { tokens[index].flags.contains(flag) }

    /// The text of tokens `range` as it stands in the paragraph.
    func text(tokens range: Range<Int>) -> String {
        guard !range.isEmpty else { return "" }
        return String(text(bytes: Int(tokens[range.lowerBound].start)..<Int(tokens[range.upperBound - 1].end)))
    }

    /// The text of `range`, a range of bytes that starts and ends between Unicode scalars (as
    /// token boundaries do), without copying.
    func text(bytes range: Range<Int>) -> Substring {
        let utf8 = self.text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        return self.text[lower..<utf8.index(lower, offsetBy: range.count)]
    }

    /// Hash of the lowercased core of token `index`, for lexicon look-ups.
    @inline(__always)
    func folded(_ index: Int) -> UInt64 { WordHash.folded(bytes, tokens[index].core) }

    /// The classes of token `index` in `lexicon`, which is the same for every call on this view:
    /// each token is hashed and looked up once.
    @inline(__always)
    func classes(_ index: Int, in lexicon: Lexicon) -> WordClasses {
        let known = wordClasses[index]
        if known != 0 { return WordClasses(rawValue: known & 0x7F) }
        let classes = lexicon.classes(of: folded(index))
        wordClasses[index] = classes.rawValue | 0x80
        return classes
    }

    /// The lowercased core of token `index` ends with `suffix` (ASCII).
    func coreHasSuffix(_ index: Int, _ suffix: String) -> Bool {
        let core = tokens[index].core
        let tail = suffix.utf8
        guard core.count > tail.count else { return false }
        var position = core.upperBound - tail.count
        for byte in tail {
            if bytes[position] | 0x20 != byte { return false }
            position += 1
        }
        return true
    }
}

/// Splits a paragraph into space-separated tokens and classifies each one.
struct ParagraphTokenizer {
    /// "l'…", "d'…" and "dell'…" are elided articles and prepositions (French, Italian).
    let elision: Bool

    /// Abbreviations whose period does not end a sentence.
    private static let abbreviations = HashedWordSet(
        """
        mr mrs ms dr st jr sr prof gen sen rep gov lt col capt sgt mt ft vs etc inc ltd co corp jan feb mar apr jun \
        jul aug sep sept oct nov dec no nr bzw ca vgl usw hr fr mme mlle sra dott sig av pres gen bd hl
        """)

    /// Where `tokenize` writes a paragraph's tokens and the keys of its capitalized words (for
    /// `CapitalizationStats`): each has room for one per two bytes of the paragraph.
    struct Output {
        let tokens: UnsafeMutablePointer<BodyToken>
        /// Keys of capitalized words in mid-sentence (not after a sentence end).
        let midSentenceKeys: UnsafeMutablePointer<UInt64>
        /// Pair keys of those words and the capitalized word before them.
        let pairKeys: UnsafeMutablePointer<UInt64>
    }

    /// Writes the tokens of `buffer` to `output` and returns how many tokens, capitalized words
    /// in mid-sentence and capitalized pairs it wrote. Spaces are found eight bytes at a time.
    func tokenize(
        _ buffer: UnsafeBufferPointer<UInt8>, into output: Output
    ) -> (tokens: Int, midSentence: Int, pairs: Int) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return (0, 0, 0) }
        let count = buffer.count
        var writer = TokenWriter(tokenizer: self, buffer: buffer, output: output)
        var index = 0
        while index &+ 8 <= count {
            var spaces = Self.spaceMask(UnsafeRawPointer(base + index))
            while spaces != 0 {
                writer.emit(upTo: index &+ spaces.trailingZeroBitCount &>> 3)
                spaces &= spaces &- 1
            }
            index &+= 8
        }
        while index < count {
            if base[index] == 0x20 { writer.emit(upTo: index) }
            index &+= 1
        }
        writer.emit(upTo: count)
        return (writer.written, writer.midSentence, writer.pairs)
    }

    /// Writes tokens into uninitialized memory. A period followed by a lowercase word ends no
    /// sentence ("etc. and"), so such a token loses its `.terminal` flag.
    private struct TokenWriter {
        let tokenizer: ParagraphTokenizer
        let buffer: UnsafeBufferPointer<UInt8>
        let output: Output
        var written = 0
        var midSentence = 0
        var pairs = 0
        var start = 0
        var afterPeriod = false

        /// Emits the token from `start` to `end` (if not empty); the next starts after `end`. A
        /// plain lowercase word, by far the most common token, is written here; others by `emitOther`.
        @inline(__always)
        mutating func emit(upTo end: Int) {
            defer { start = end &+ 1 }
            guard end > start else { return }
            let bytes = buffer.baseAddress.unsafelyUnwrapped
            let first = bytes[start]
            let last = bytes[end &- 1]
            let endsInLetterOrDigit = last &- 0x61 < 26 || last &- 0x30 < 10
            guard first &- 0x61 < 26 && endsInLetterOrDigit,
                !(tokenizer.elision && end &- start > 2 && (bytes[start &+ 1] == 0x27 || bytes[start &+ 1] == 0xE2))
            else {
                if first &- 0x41 < 26 && endsInLetterOrDigit {
                    emitCapitalized(upTo: end)
                } else {
                    emitOther(upTo: end)
                }
                return
            }
            let possessive = ParagraphTokenizer.possessiveLength(bytes, end, end &- start) > 0
            if afterPeriod {
                output.tokens[written &- 1].flags.remove(.terminal)
                afterPeriod = false
            }
            (output.tokens + written).initialize(
                to: BodyToken(start..<end, core: start..<end, flags: possessive ? [.lower, .possessive] : .lower))
            written &+= 1
        }

        /// Emits a capitalized word without punctuation ("Harbour", "Kestrel-Bay").
        @inline(__always)
        private mutating func emitCapitalized(upTo end: Int) {
            let token = ParagraphTokenizer.capitalizedWord(buffer.baseAddress.unsafelyUnwrapped, start, end)
            afterPeriod = false
            if written > 0 { count(token, after: output.tokens[written &- 1]) }
            (output.tokens + written).initialize(to: token)
            written &+= 1
        }

        /// Counts `token`, a capitalized word, if it is in mid-sentence: not after `previous` ending a
        /// sentence. The flags of `previous` are final (only a lowercase word clears one).
        @inline(__always)
        private mutating func count(_ token: BodyToken, after previous: BodyToken) {
            guard !previous.flags.contains(.terminal) else { return }
            output.midSentenceKeys[midSentence] = token.key
            midSentence &+= 1
            if previous.flags.contains(.upper) && previous.flags.isDisjoint(with: [.comma, .colon]) {
                output.pairKeys[pairs] = WordHash.pair(previous.key, token.key)
                pairs &+= 1
            }
        }

        /// Emits a token that is not a plain lowercase word. A capitalized word in mid-sentence is
        /// counted: the flags of the token before it are final (only a lowercase word clears one).
        @inline(never)
        private mutating func emitOther(upTo end: Int) {
            let token = tokenizer.token(buffer, start, end)
            if afterPeriod && token.flags.contains(.lower) { output.tokens[written &- 1].flags.remove(.terminal) }
            afterPeriod = token.flags.contains(.terminal) && !token.flags.contains(.question)
            if token.flags.contains(.upper) && written > 0 { count(token, after: output.tokens[written &- 1]) }
            (output.tokens + written).initialize(to: token)
            written &+= 1
        }
    }

    /// Bit 7 of each byte of the result is set where the eight bytes at `pointer` hold a space.
    @inline(__always)
    private static func spaceMask(_ pointer: UnsafeRawPointer) -> UInt64 {
        let low7 = 0x7F7F_7F7F_7F7F_7F7F as UInt64
        let flipped = UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self)) ^ 0x2020_2020_2020_2020
        return ~(((flipped & low7) &+ low7) | flipped | low7)
    }

    // MARK: Building a token

    /// The token of `buffer[start..<end]`, which is not empty and not a plain lowercase word (those
    /// `TokenWriter.emit` builds itself).
    @inline(__always)
    func token(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> BodyToken {
        let bytes = buffer.baseAddress.unsafelyUnwrapped
        let length = end &- start
        let first = bytes[start]
        let last = bytes[end &- 1]
        if first &- 0x61 < 26 {
            // A lowercase word followed by a comma ("harbour,").
            if (last == UInt8(ascii: ",") || last == UInt8(ascii: ";")) && length > 1 {
                let before = bytes[end &- 2]
                if before &- 0x61 < 26 || before &- 0x30 < 10 {
                    return BodyToken(start..<end, core: start..<(end &- 1), flags: [.lower, .comma])
                }
            }
        } else if first &- 0x41 < 26 && (last &- 0x61 < 26 || last &- 0x30 < 10) {
            return Self.capitalizedWord(bytes, start, end)
        }
        if let token = punctuatedWord(buffer, start, end) { return token }
        return slowToken(buffer, start..<end)
    }

    /// The token of a capitalized word without punctuation ("Harbour", "Kestrel-Bay"): its first
    /// byte is A...Z, its last a...z or a digit.
    @inline(__always)
    static func capitalizedWord(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> BodyToken {
        let possessive = possessiveLength(bytes, end, end &- start)
        let (key, stemKey) = keys(bytes, start, end &- possessive)
        return BodyToken(
            start..<end, core: start..<end, flags: possessive > 0 ? [.upper, .possessive] : .upper, key: key,
            stemKey: stemKey)
    }

    /// Bytes of a possessive "'s" or "’s" ending a word that ends in a letter (0 if none).
    @inline(__always)
    static func possessiveLength(_ bytes: UnsafePointer<UInt8>, _ end: Int, _ length: Int) -> Int {
        guard length > 2 && bytes[end &- 1] == UInt8(ascii: "s") else { return 0 }
        if bytes[end &- 2] == 0x27 { return 2 }
        if length > 4 && bytes[end &- 2] == 0x99 && bytes[end &- 3] == 0x80 && bytes[end &- 4] == 0xE2 { return 4 }
        return 0
    }

    /// The case-kept hash of `bytes[start..<end]`, and the hash up to its first hyphen after the
    /// first byte (the same hash when there is none).
    @inline(__always)
    private static func keys(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (UInt64, UInt64) {
        var key = WordHash.seed
        var index = start
        if index < end {
            key = WordHash.mix(key, bytes[index])
            index &+= 1
        }
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "-") {
                let stemKey = key
                while index < end {
                    key = WordHash.mix(key, bytes[index])
                    index &+= 1
                }
                return (key, stemKey)
            }
            key = WordHash.mix(key, byte)
            index &+= 1
        }
        return (key, key)
    }

    /// The token of a word that ends in one punctuation mark ("harbour.", "Lisbon,", "said:",
    /// "why?"): what `slowToken` gives, without its loops over quotes and punctuation.
    @inline(__always)
    func punctuatedWord(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> BodyToken? {
        let bytes = buffer.baseAddress.unsafelyUnwrapped
        guard end &- start >= 2 else { return nil }
        let first = bytes[start] | 0x20
        let before = bytes[end &- 2]
        guard first &- 0x61 < 26, (before | 0x20) &- 0x61 < 26 || before &- 0x30 < 10 else { return nil }
        var flags: TokenFlags
        switch bytes[end &- 1] {
        case UInt8(ascii: "."):
            flags = Self.isAbbreviation(buffer, start..<(end &- 1)) ? [] : .terminal
        case UInt8(ascii: "?"), UInt8(ascii: "!"): flags = [.terminal, .question]
        case UInt8(ascii: ","), UInt8(ascii: ";"): flags = .comma
        case UInt8(ascii: ":"): flags = .colon
        default: return nil
        }
        return finish(buffer, start..<end, core: start..<(end &- 1), flags: flags)
    }

    /// The token of `buffer[range]` (not empty) by the general rules; `punctuatedWord` gives the
    /// same for the words it takes.
    @inline(never)
    func slowToken(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> BodyToken {
        var flags: TokenFlags = []
        var coreStart = range.lowerBound
        var coreEnd = range.upperBound
        // Leading openers.
        while coreStart < coreEnd, let width = Self.openerWidth(buffer, coreStart, coreEnd) {
            flags.insert(.opensQuote)
            if buffer[coreStart] == UInt8(ascii: "(") { flags.insert(.opensParen) }
            coreStart += width
        }
        // Trailing closers, then the last meaningful punctuation, then further punctuation.
        var sawMeaningful = false
        while coreEnd > coreStart {
            if let width = Self.closerWidth(buffer, coreStart, coreEnd) {
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
            && buffer[coreEnd] == UInt8(ascii: ".") && Self.isAbbreviation(buffer, coreStart..<coreEnd)
        {
            flags.remove(.terminal)
        }
        return finish(buffer, range, core: coreStart..<coreEnd, flags: flags)
    }

    /// `core` (not empty) is an abbreviation, an initial or a dotted acronym, so a period after it
    /// ends no sentence.
    @inline(__always)
    private static func isAbbreviation(_ buffer: UnsafeBufferPointer<UInt8>, _ core: Range<Int>) -> Bool {
        core.count == 1 || buffer[core].contains(UInt8(ascii: "."))
            || abbreviations.contains(hash: WordHash.folded(buffer, core))
    }

    /// The token of `range` with the given core and punctuation `flags`: adds the possessive, the
    /// case of the first letter, elision and the keys of a capitalized word.
    @inline(__always)
    private func finish(
        _ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, core: Range<Int>, flags: TokenFlags
    ) -> BodyToken {
        var flags = flags
        let coreStart = core.lowerBound
        let coreEnd = core.upperBound
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
                flags.formUnion(TokenFlags.letterCase(of: TextNormalizer.decode(buffer, at: coreStart).0))
            }
            if elision && coreEnd - coreStart > 2 {
                let second = buffer[coreStart + 1]
                let third = coreStart + 2 < coreEnd ? buffer[coreStart + 2] : 0
                if second == UInt8(ascii: "'") || (second == 0xE2 && third == 0x80) {
                    flags.insert(.elided)
                }
            }
        }
        guard flags.contains(.upper) else {
            return BodyToken(range, core: core, flags: flags)
        }
        let (key, stemKey) = Self.keys(buffer.baseAddress.unsafelyUnwrapped, coreStart, keyEnd)
        return BodyToken(range, core: core, flags: flags, key: key, stemKey: stemKey)
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

    /// Counts capitalized words seen in mid-sentence and capitalized pairs, by their keys.
    mutating func add(midSentence: UnsafeBufferPointer<UInt64>, pairs: UnsafeBufferPointer<UInt64>) {
        self.midSentence.add(each: midSentence)
        self.pairs.add(each: pairs)
    }

    /// How often the word was seen capitalized in mid-sentence.
    func midSentenceCount(_ key: UInt64) -> Int { midSentence.value(key) }

    /// How often the capitalized pair was seen.
    func pairCount(_ first: UInt64, _ second: UInt64) -> Int { pairs.value(WordHash.pair(first, second)) }
}
