import IngestModel
import Testing

/// The eight-bytes-at-a-time paths of `JSONWriter.appendEscaped`, `WordCounter.count` and the
/// JSON writer must give exactly the bytes and counts of the straightforward byte-by-byte code they
/// replaced, which is kept below (`Reference`) as the definition of the output.
@Suite("fast paths give the reference output")
struct FastPathEquivalenceTests {
    // MARK: Draft body

    @Test("a draft's body joins its paragraphs by a blank line, as joined(separator:) does")
    func bodyMatchesJoined() {
        let samples: [[String]] = [
            [], [""], ["One paragraph."], ["First.", "Second, with “quotes” and ü.", ""], ["", "", "x"],
            TestStrings.all(),
        ]
        for paragraphs in samples {
            var draft = ArticleDraft()
            draft.paragraphs = paragraphs
            #expect(draft.body == paragraphs.joined(separator: "\n\n"), "\(paragraphs.count) paragraphs")
        }
    }

    // MARK: appendEscaped

    @Test("appendEscaped matches the reference on generated strings")
    func escapingMatchesReference() {
        for text in TestStrings.all() {
            #expect(escaped(text) == Reference.escaped(text), "\(text.debugDescription)")
        }
    }

    @Test("appendEscaped appends after what the buffer already holds, whatever its capacity")
    func escapingAppends() {
        var generator = SeededGenerator(seed: 11)
        for capacity in [0, 1, 7, 64, 4096] {
            var out: [UInt8] = []
            out.reserveCapacity(capacity)
            var expected: [UInt8] = []
            for _ in 0..<40 {
                let text = TestStrings.random(&generator, maximumLength: 30)
                JSONWriter.appendEscaped(text, to: &out)
                expected += Reference.escaped(text)
                out.append(0x2C)
                expected.append(0x2C)
            }
            #expect(out == expected)
        }
    }

    @Test("a special byte at every position of strings of every length up to 40")
    func escapingAtEveryPosition() {
        let specials = [
            "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}", "—", "’", "…",
            "é", "€", "新", "🗞", " ",
        ]
        for length in 0...40 {
            let base = String(TestStrings.letters(length))
            #expect(escaped(base) == Reference.escaped(base))
            for special in specials {
                for position in 0...length {
                    var text = base
                    text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: position))
                    #expect(escaped(text) == Reference.escaped(text), "\(text.debugDescription)")
                }
            }
        }
    }

    @Test("E2 lead bytes that do not start U+2028 or U+2029, and ones at the very end")
    func escapingLeadBytes() {
        // E2 80 A7 and E2 80 AA border the two separators; E2 81 A8 has the right third byte.
        let texts = [
            "\u{2027}\u{2028}\u{2029}\u{202A}", "\u{2068}", "abcdefg\u{2028}", "abcdefgh\u{2029}", "abcdef\u{2029}",
            "abcdefghijklmn\u{2014}", String(repeating: "\u{2028}", count: 9), String(repeating: "’", count: 11),
        ]
        for text in texts { #expect(escaped(text) == Reference.escaped(text), "\(text.debugDescription)") }
    }

    @Test("known escapes")
    func knownEscapes() {
        let text = "q\"b\\n\nr\rt\t\u{0}\u{1F}\u{7F}\u{2028}\u{2029}’—"
        #expect(
            String(decoding: escaped(text), as: UTF8.self)
                == "\"q\\\"b\\\\n\\nr\\rt\\t\\u0000\\u001f\u{7F}\\u2028\\u2029’—\"")
    }

    private func escaped(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.appendEscaped(text, to: &out)
        return out
    }

    // MARK: WordCounter

    @Test("WordCounter matches the reference on generated strings")
    func wordCountMatchesReference() {
        for text in TestStrings.all() {
            #expect(WordCounter.count(text) == Reference.wordCount(text), "\(text.debugDescription)")
        }
    }

    @Test("apostrophes and hyphens in, around and between words, at every position up to 40 bytes")
    func wordCountJoiners() {
        let pieces = ["a", "Z", "9", "'", "-", "’", " ", ".", "é", "\n", "--", "''", "x'", "-y"]
        var generator = SeededGenerator(seed: 5)
        for length in 0...40 {
            for _ in 0..<30 {
                var text = ""
                while text.utf8.count < length {
                    text += pieces[Int(generator.next() % UInt64(pieces.count))]
                }
                #expect(WordCounter.count(text) == Reference.wordCount(text), "\(text.debugDescription)")
            }
        }
    }

    @Test("every scalar up to U+2FFF, and a sample of the rest, is a word scalar exactly when it was")
    func wordScalars() {
        var values = Array(UInt32(0)..<0x3000)
        values += stride(from: UInt32(0x3000), through: 0x10FFFF, by: 97)
        for value in values {
            #expect(WordCounter.isWordScalar(value) == Reference.isWordScalar(value), "U+\(String(value, radix: 16))")
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a\(scalar)b \(scalar)'\(scalar)-x \(scalar)"
            #expect(WordCounter.count(text) == Reference.wordCount(text), "U+\(String(value, radix: 16))")
        }
    }

    @Test("more than 255 blocks of ASCII in a row", arguments: [2039, 2040, 2041, 2048, 5000])
    func wordCountLongASCII(_ length: Int) {
        let text = String(String(repeating: "ab c-d e'f ", count: length / 11 + 1).prefix(length))
        #expect(WordCounter.count(text) == Reference.wordCount(text))
        let dense = String(repeating: "a ", count: length / 2)
        #expect(WordCounter.count(dense) == Reference.wordCount(dense))
    }

    @Test(
        "known word counts",
        arguments: [
            ("", 0), ("one", 1), ("it's a well-known fact", 4), ("Zwei Wörter.", 2), ("  3 000 people ", 3),
            (
                "The council voted on Tuesday to reopen the harbour after a two week closure caused by the storm damage",
                19
            ),
            ("It’s a well-known fact: the “Straße” in Übergang-Städten is 3 000 m long — naïve café owners agree…", 17),
            ("Москва и Санкт-Петербург — крупнейшие города России. 新闻报道说，今天天气很好。", 8),
            ("emoji 🗞️ and CJK 新闻 and ΑΒΓ δεζ and İstanbul ǅemal", 10),
        ])
    func knownWordCounts(_ text: String, _ expected: Int) {
        #expect(WordCounter.count(text) == expected)
    }

    // MARK: The writer and record lines

    @Test("record lines match the reference writer")
    func recordLinesMatchReference() {
        var generator = SeededGenerator(seed: 99)
        for index in 0..<60 {
            let record = Self.record(&generator, index: index)
            var line: [UInt8] = Array("previous line\n".utf8)
            record.appendJSONLine(to: &line)
            #expect(line == Array("previous line\n".utf8) + Reference.jsonLine(record))
        }
    }

    @Test("integers are written as String(value) writes them")
    func integers() {
        let values = [
            0, 1, -1, 9, 10, 99, 100, -100, 1 << 31, -(1 << 31), 1_000_000_007, Int.max, Int.min, Int.max - 1,
        ]
        var writer = JSONWriter()
        writer.beginArray()
        for value in values { writer.int(value) }
        writer.int(nil)
        writer.endArray()
        let expected = "[" + values.map(String.init).joined(separator: ",") + ",null]"
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    @Test("commas at every depth, also past 64 open containers")
    func deepNesting() {
        var writer = JSONWriter()
        var reference = Reference.Writer()
        var generator = SeededGenerator(seed: 3)
        var open: [Bool] = []  // true: object
        for step in 0..<3000 {
            let choice = generator.next() % 10
            let goDeeper = step < 1500 ? choice < 5 : choice < 3
            if open.last == true {
                writer.key("k")
                reference.key("k")
            }
            if goDeeper {
                if choice % 2 == 0 {
                    writer.beginObject()
                    reference.beginObject()
                    open.append(true)
                } else {
                    writer.beginArray()
                    reference.beginArray()
                    open.append(false)
                }
            } else if choice < 8 || open.isEmpty {
                writer.int(step)
                reference.int(step)
                writer.bool(step % 3 == 0)
                reference.bool(step % 3 == 0)
                if open.last == true {
                    writer.key("n")
                    reference.key("n")
                }
                writer.null()
                reference.null()
            }
            if choice >= 8, let isObject = open.popLast() {
                if isObject {
                    writer.endObject()
                    reference.endObject()
                } else {
                    writer.endArray()
                    reference.endArray()
                }
            }
        }
        while let isObject = open.popLast() {
            if isObject {
                writer.endObject()
                reference.endObject()
            } else {
                writer.endArray()
                reference.endArray()
            }
        }
        #expect(writer.bytes == reference.bytes)
    }

    static func record(_ generator: inout SeededGenerator, index: Int) -> ArticleRecord {
        func text(_ maximumLength: Int) -> String { TestStrings.random(&generator, maximumLength: maximumLength) }
        func optional(_ maximumLength: Int) -> String? { generator.next() % 3 == 0 ? nil : text(maximumLength) }
        func list() -> [String] { (0..<Int(generator.next() % 4)).map { _ in text(20) } }
        let source = SourceInfo(
            file: text(30), sha256: String(repeating: "a", count: 64), bytes: Int(generator.next() % 100_000),
            format: "text", encoding: "utf-8", receivedAt: "2026-01-01T00:00:00.000Z", parser: "news",
            parserVersion: "1.0.0", index: index)
        var record = ArticleRecord(
            id: String(repeating: "b", count: 32), body: text(3000), wordCount: Int(generator.next() % 1000) - 10,
            fingerprint: Fingerprint(sha256: text(64), simhash: "0011223344556677"), source: source)
        record.title = optional(80)
        record.published = optional(20)
        record.publishedRaw = optional(30)
        record.updated = optional(20)
        record.authors = list()
        record.tags = list()
        record.keywords = list()
        record.summary = optional(200)
        record.headings = list()
        record.related = list()
        record.credit = optional(40)
        record.publisher = optional(40)
        record.copyright = optional(40)
        record.language = optional(5)
        record.listing = generator.next() % 2 == 0 ? nil : ListingPosition(title: optional(30), position: index - 5)
        record.duplicateOf = optional(32)
        record.warnings = list()
        return record
    }
}

// MARK: - Generated strings

/// SplitMix64: a fixed seed gives the same strings on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum TestStrings {
    static let asciiWords = [
        "the", "council", "voted", "on", "Tuesday", "to", "reopen", "HARBOUR", "2024", "a", "it's", "well-known",
        "rock'n'roll", "'quoted'", "-dash", "word-", "a--b", "x''y", "3", "000", "Mr", "U.S.", "e-mail", "10-year-old",
        "supercalifragilisticexpialidocious", "antidisestablishmentarianism-related",
    ]
    static let asciiSeparators = [
        " ", "  ", ", ", ". ", "\n", "\n\n", "\t", "\r\n", "; ", ": ", "!", "?", "(", ")", "\"", "\\", "/", "'", "-",
        "_",
        "@", "[", "]", "{", "}", "`", "~", "\u{0}", "\u{1}", "\u{1B}", "\u{1F}", "\u{7F}", "#", "%", "&", "*", "+", "=",
    ]
    /// Multi-byte scalars: letters and digits (some with lowercase mappings that are longer or in
    /// another UTF-8 length), punctuation, symbols, combining marks, and the E2-led characters.
    static let unicodePieces = [
        "é", "É", "ü", "Ü", "ß", "ẞ", "ñ", "ç", "Ω", "ω", "д", "Ж", "İ", "ǅ", "Ⱥ", "ª", "²", "¼", "×", "÷", "§", "©",
        "µ",
        "Straße", "Übergang", "naïve", "café", "Москва", "Санкт-Петербург", "Ελλάδα", "İstanbul", "٣", "०", "ー", "ｱ",
        "Ａ", "新闻", "报道", "한국어", "ア", "。", "，", "\u{2028}", "\u{2029}", "—", "–", "“", "”", "‘", "’", "…", "€",
        "™", "ℝ", "Ⅻ", "⁴", "\u{2060}", "🗞", "🗞️", "😀", "𝐀", "𐐀", "𐐨", "🇩🇪", "e\u{301}", "\u{FE0F}", "\u{FEFF}", "\u{A0}",
        "\u{85}", "it’s", "’tis", "don’t", "Wörter", "Äpfel-Öl", "ÆØÅ", "Ǆ", "ǈ", "Σ", "ς", "ﬁ",
    ]

    /// `count` ASCII letters.
    static func letters(_ count: Int) -> Substring {
        String(repeating: "abcdefghijKLMNOPQRSTuvwxyz0123456789", count: count / 36 + 1).prefix(count)
    }

    /// A string of words and separators, at most about `maximumLength` bytes, of one of several kinds.
    static func random(_ generator: inout SeededGenerator, maximumLength: Int) -> String {
        let kind = generator.next() % 4
        var text = ""
        let target = Int(generator.next() % UInt64(maximumLength + 1))
        while text.utf8.count < target {
            let pick = generator.next()
            switch kind {
            case 0:  // ASCII prose
                text += pick % 2 == 0 ? asciiWords[Int(pick / 2 % UInt64(asciiWords.count))] : " "
            case 1:  // ASCII, any of it
                text +=
                    pick % 3 == 0
                    ? asciiSeparators[Int(pick / 3 % UInt64(asciiSeparators.count))]
                    : asciiWords[Int(pick / 3 % UInt64(asciiWords.count))]
            case 2:  // mostly ASCII with some Unicode
                if pick % 7 == 0 {
                    text += unicodePieces[Int(pick / 7 % UInt64(unicodePieces.count))]
                } else {
                    text += pick % 2 == 0 ? asciiWords[Int(pick / 2 % UInt64(asciiWords.count))] : " "
                }
            default:  // anything
                let pieces = [asciiWords, asciiSeparators, unicodePieces][Int(pick % 3)]
                text += pieces[Int(pick / 3 % UInt64(pieces.count))]
            }
        }
        return text
    }

    /// Every string the equivalence tests compare: fixed edge cases, every length up to 40 of
    /// several alphabets, and seeded random strings of every kind from short to several kilobytes.
    static func all() -> [String] {
        var strings = [
            "", " ", "a", "A", "0", "'", "-", "’", "\u{2028}", "\u{2029}", "\u{E2}", "é", "🗞", "\"", "\\", "\n",
            String(repeating: "a", count: 200), String(repeating: "a ", count: 300), String(repeating: "\"", count: 17),
            String(repeating: "é", count: 33), String(repeating: "—", count: 21), String(repeating: "🗞", count: 9),
        ]
        let alphabets = [
            "abcdefghij", "The quick brown fox's well-known jump. ", "\"\\\n\t\r\u{1}", "a\u{2028}b\u{2029}c—d’e…f",
            "éüßñçΩдЖ", "新闻报道한국어", "🗞😀𝐀𐐀", "it's a well-known e-mail: 'quoted' -dash- word-", "Ⱥİǅ ℝⅫ⁴ ª²¼",
        ]
        for alphabet in alphabets {
            let characters = Array(alphabet)
            for length in 0...40 {
                strings.append(String((0..<length).map { characters[$0 % characters.count] }))
                strings.append(String((0..<length).map { characters[(length - $0) % characters.count] }))
            }
        }
        var generator = SeededGenerator(seed: 2024)
        for maximumLength in [8, 16, 40, 100, 1000, 5000] {
            for _ in 0..<(maximumLength < 1000 ? 200 : 20) {
                strings.append(random(&generator, maximumLength: maximumLength))
            }
        }
        return strings
    }
}

// MARK: - Reference implementations

/// The code the fast paths replaced, kept verbatim as the definition of their output.
enum Reference {
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func escaped(_ value: String) -> [UInt8] {
        var out: [UInt8] = []
        appendEscaped(value, to: &out)
        return out
    }

    static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            let count = utf8.count
            while index < count {
                let byte = utf8[index]
                var escape: (UInt8, UInt8)? = nil
                var width = 1
                switch byte {
                case UInt8(ascii: "\""): escape = (UInt8(ascii: "\\"), UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): escape = (UInt8(ascii: "\\"), UInt8(ascii: "\\"))
                case 0x0A: escape = (UInt8(ascii: "\\"), UInt8(ascii: "n"))
                case 0x0D: escape = (UInt8(ascii: "\\"), UInt8(ascii: "r"))
                case 0x09: escape = (UInt8(ascii: "\\"), UInt8(ascii: "t"))
                case 0x00..<0x20: break
                case 0xE2
                where index + 2 < count && utf8[index + 1] == 0x80
                    && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                    width = 3  // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
                default:
                    index += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                if let (a, b) = escape {
                    out.append(a)
                    out.append(b)
                } else {
                    let scalar: UInt32 = width == 3 ? 0x2000 | UInt32(utf8[index + 2] - 0x80) : UInt32(byte)
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
                    for shift in stride(from: 12, through: 0, by: -4) {
                        out.append(hexDigits[Int((scalar >> UInt32(shift)) & 0xF)])
                    }
                }
                index += width
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    static func wordCount(_ text: String) -> Int {
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

    static func isWordScalar(_ value: UInt32) -> Bool {
        if value < 0x80 {
            return (value &- 0x61 < 26) || (value &- 0x41 < 26) || (value &- 0x30 < 10)
        }
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    static func forEachScalar(in text: String, _ body: (UInt32) -> Void) {
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

    /// The JSON writer as it was (a stack of flags, `String(value)` for integers).
    struct Writer {
        var bytes: [UInt8] = []
        private var needsComma: [Bool] = []
        private var pendingValueAfterKey = false

        mutating func beginObject() {
            separate()
            bytes.append(UInt8(ascii: "{"))
            needsComma.append(false)
        }

        mutating func endObject() {
            needsComma.removeLast()
            bytes.append(UInt8(ascii: "}"))
        }

        mutating func beginArray() {
            separate()
            bytes.append(UInt8(ascii: "["))
            needsComma.append(false)
        }

        mutating func endArray() {
            needsComma.removeLast()
            bytes.append(UInt8(ascii: "]"))
        }

        mutating func key(_ name: StaticString) {
            separate()
            bytes.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
            pendingValueAfterKey = true
        }

        mutating func string(_ value: String?) {
            guard let value else { return null() }
            separate()
            Reference.appendEscaped(value, to: &bytes)
        }

        mutating func int(_ value: Int?) {
            guard let value else { return null() }
            separate()
            bytes.append(contentsOf: String(value).utf8)
        }

        mutating func bool(_ value: Bool) {
            separate()
            bytes.append(contentsOf: (value ? "true" : "false").utf8)
        }

        mutating func null() {
            separate()
            bytes.append(contentsOf: "null".utf8)
        }

        mutating func strings(_ values: [String]) {
            beginArray()
            for value in values { string(value) }
            endArray()
        }

        private mutating func separate() {
            if pendingValueAfterKey {
                pendingValueAfterKey = false
                return
            }
            guard !needsComma.isEmpty else { return }
            if needsComma[needsComma.count - 1] {
                bytes.append(UInt8(ascii: ","))
            } else {
                needsComma[needsComma.count - 1] = true
            }
        }
    }

    /// `ArticleRecord.appendJSONLine` as it was, on the reference writer.
    static func jsonLine(_ record: ArticleRecord) -> [UInt8] {
        var w = Writer()
        w.beginObject()
        w.key("id"); w.string(record.id)
        w.key("schema_version"); w.int(record.schemaVersion)
        w.key("title"); w.string(record.title)
        w.key("url"); w.string(record.url)
        w.key("published"); w.string(record.published)
        w.key("published_raw"); w.string(record.publishedRaw)
        w.key("updated"); w.string(record.updated)
        w.key("authors"); w.strings(record.authors)
        w.key("tags"); w.strings(record.tags)
        w.key("keywords"); w.strings(record.keywords)
        w.key("summary"); w.string(record.summary)
        w.key("body"); w.string(record.body)
        w.key("headings"); w.strings(record.headings)
        w.key("related"); w.strings(record.related)
        w.key("credit"); w.string(record.credit)
        w.key("publisher"); w.string(record.publisher)
        w.key("copyright"); w.string(record.copyright)
        w.key("language"); w.string(record.language)
        w.key("word_count"); w.int(record.wordCount)
        w.key("fingerprint")
        w.beginObject()
        w.key("sha256"); w.string(record.fingerprint.sha256)
        w.key("simhash"); w.string(record.fingerprint.simhash)
        w.endObject()
        w.key("listing")
        if let listing = record.listing {
            w.beginObject()
            w.key("title"); w.string(listing.title)
            w.key("position"); w.int(listing.position)
            w.endObject()
        } else {
            w.null()
        }
        w.key("duplicate_of"); w.string(record.duplicateOf)
        w.key("warnings"); w.strings(record.warnings)
        w.key("source")
        w.beginObject()
        w.key("file"); w.string(record.source.file)
        w.key("sha256"); w.string(record.source.sha256)
        w.key("bytes"); w.int(record.source.bytes)
        w.key("format"); w.string(record.source.format)
        w.key("encoding"); w.string(record.source.encoding)
        w.key("received_at"); w.string(record.source.receivedAt)
        w.key("parser"); w.string(record.source.parser)
        w.key("parser_version"); w.string(record.source.parserVersion)
        w.key("index"); w.int(record.source.index)
        w.endObject()
        w.endObject()
        return w.bytes + [0x0A]
    }
}
