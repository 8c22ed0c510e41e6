import PageParsing
import Testing

@Suite("plain-text parser and decoding")
struct PlainTextParserTests {
    let parser = PlainTextParser()

    @Test("title is the first heading-like line; paragraphs split at blank lines, lines joined")
    func titleAndParagraphs() throws {
        let text =
            "The Harbour Reopens\n\nThe port reopened on Monday\nafter two weeks.\n\n\n  Ships   queued outside.  \n"
        let result = try parser.parse(ParseInput(bytes: Array(text.utf8)))
        let draft = try #require(result.articles.first)
        #expect(result.articles.count == 1)
        #expect(draft.title == "The Harbour Reopens")
        #expect(draft.paragraphs == ["The port reopened on Monday after two weeks.", "Ships queued outside."])
        #expect(draft.body == "The port reopened on Monday after two weeks.\n\nShips queued outside.")
        #expect(draft.warnings.isEmpty)
        #expect(result.encoding == "utf-8")
    }

    @Test("text that does not start with a heading gets no title and a warning")
    func noTitle() throws {
        let result = try parser.parse(ParseInput(bytes: Array("Just one sentence, ending like prose.".utf8)))
        let draft = try #require(result.articles.first)
        #expect(draft.title == nil)
        #expect(draft.warnings.count == 1)
        #expect(draft.paragraphs == ["Just one sentence, ending like prose."])
    }

    @Test("CRLF and CR line endings, BOM, soft hyphens and zero-width spaces are normalized")
    func normalization() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Head\r\n\r\nco\u{00AD}op\u{200B}eration\rnext line".utf8)
        let result = try parser.parse(ParseInput(bytes: bytes))
        #expect(result.encoding == "utf-8-bom")
        #expect(result.articles[0].title == "Head")
        #expect(result.articles[0].paragraphs == ["cooperation next line"])
    }

    @Test("NFC: a decomposed accent is composed")
    func nfc() throws {
        let result = try parser.parse(ParseInput(bytes: Array("Cafe\u{301} news\n\nBody text here.".utf8)))
        #expect(result.articles[0].title == "Caf\u{E9} news")
        #expect(result.articles[0].title?.unicodeScalars.count == 9)
    }

    @Test("invalid UTF-8 falls back to Windows-1252")
    func windows1252() throws {
        let bytes: [UInt8] =
            Array("Caf".utf8) + [0xE9] + Array(" ".utf8) + [0x93] + Array("quoted".utf8) + [0x94]
            + Array("\n\nBody.".utf8)
        let result = try parser.parse(ParseInput(bytes: bytes))
        #expect(result.encoding == "windows-1252")
        #expect(result.articles[0].title == "Café “quoted”")
    }

    @Test("UTF-16 with a BOM is decoded")
    func utf16() throws {
        let text = "Überschrift\n\nDer Text."
        var le: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { le += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        var be: [UInt8] = [0xFE, 0xFF]
        for unit in text.utf16 { be += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        #expect(try parser.parse(ParseInput(bytes: le)).articles[0].title == "Überschrift")
        #expect(try parser.parse(ParseInput(bytes: le)).encoding == "utf-16le")
        #expect(try parser.parse(ParseInput(bytes: be)).articles[0].paragraphs == ["Der Text."])
    }

    @Test(
        "empty, blank and binary inputs are rejected with a reason",
        arguments: [
            ([UInt8](), "empty"), (Array("  \n\n \t \n".utf8), "no_text"), ([0x00, 0x00, 0x00], "binary"),
            (Array("text\u{0}with nul".utf8), "binary"), ([UInt8](repeating: 0x01, count: 100), "binary"),
        ])
    func rejected(_ bytes: [UInt8], _ reason: String) {
        #expect(throws: ParseError.self) { try parser.parse(ParseInput(bytes: bytes)) }
        do {
            _ = try parser.parse(ParseInput(bytes: bytes))
        } catch {
            #expect(error.reason == reason)
            #expect(!error.message.isEmpty)
        }
    }

    @Test("SimHash: identical texts equal, small edits close, unrelated texts far")
    func simhash() {
        let base =
            "The council voted on Tuesday to reopen the harbour after a two week closure caused by the storm damage"
        let edited = base.replacingOccurrences(of: "Tuesday", with: "Wednesday")
        let other =
            "Scientists report a new species of frog discovered in the mountain forests during an expedition last spring"
        #expect(SimHash.compute(base) == SimHash.compute(base))
        #expect(
            SimHash.distance(SimHash.compute(base), SimHash.compute(edited))
                < SimHash.distance(SimHash.compute(base), SimHash.compute(other)))
        #expect(SimHash.distance(SimHash.compute(base), SimHash.compute(other)) > 10)
        #expect(SimHash.hex(0xAB) == "00000000000000ab")
    }

    @Test("SimHash equals the plain +1/-1 weights algorithm on varied texts")
    func simhashMatchesReference() {
        var generator = SystemRandomNumberGenerator()
        let vocabulary = ["harbour", "Council", "vote", "Übergang", "café", "ÉTÉ", "2024", "road", "新闻", "x"]
        for length in [0, 1, 2, 3, 4, 10, 100, 700] {
            let words = (0..<length).map { _ in vocabulary.randomElement(using: &generator)! }
            let text = words.joined(separator: length % 2 == 0 ? " " : ", ")
            #expect(SimHash.compute(text) == Self.referenceSimHash(text), "\(length) words")
        }
    }

    /// The textbook form: lower-case words, FNV-1a word hashes, 3-shingles, +1/-1 per bit.
    static func referenceSimHash(_ text: String) -> UInt64 {
        var words: [UInt64] = []
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var inWord = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                let lower = scalar.properties.lowercaseMapping.unicodeScalars
                let value = lower.count == 1 ? lower.first!.value : scalar.value
                hash = (hash ^ UInt64(value)) &* 0x100_0000_01b3
                inWord = true
            } else if inWord {
                words.append(hash)
                hash = 0xcbf2_9ce4_8422_2325
                inWord = false
            }
        }
        if inWord { words.append(hash) }
        if words.isEmpty { return 0 }
        var weights = [Int](repeating: 0, count: 64)
        let width = min(3, words.count)
        for start in 0...(words.count - width) {
            var shingle: UInt64 = 0xcbf2_9ce4_8422_2325
            for word in words[start..<start + width] { shingle = (shingle ^ word) &* 0x100_0000_01b3 }
            shingle ^= shingle >> 33
            shingle = shingle &* 0xff51_afd7_ed55_8ccd
            shingle ^= shingle >> 33
            for bit in 0..<64 { weights[bit] += (shingle >> UInt64(bit)) & 1 == 1 ? 1 : -1 }
        }
        var result: UInt64 = 0
        for bit in 0..<64 where weights[bit] > 0 { result |= 1 << UInt64(bit) }
        return result
    }
}
