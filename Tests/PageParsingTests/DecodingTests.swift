import Foundation
import IngestModel
import Testing

@testable import PageParsing

/// Bytes to text: encodings, line endings, binary input, and the text clean-up.
@Suite("decoding and normalization")
struct DecodingTests {
    let parser = NewsPageParser()

    func parse(_ bytes: [UInt8], _ name: String = "page.txt") throws(ParseError) -> ParseResult {
        try parser.parse(ParseInput(bytes: bytes, fileName: name))
    }

    static let page =
        "Tags: Rivers | Boats\n\nFerry service resumes\n\nFriday, 3 March 2023\n\nThe ferry runs again.\n\nIt crossed twice."

    @Test("UTF-8 with and without BOM, UTF-16 LE and BE with BOM give the same article")
    func encodings() throws {
        let plain = try parse(Array(Self.page.utf8))
        let bom = try parse([0xEF, 0xBB, 0xBF] + Array(Self.page.utf8))
        var le: [UInt8] = [0xFF, 0xFE]
        var be: [UInt8] = [0xFE, 0xFF]
        for unit in Self.page.utf16 {
            le += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            be += [UInt8(unit >> 8), UInt8(unit & 0xFF)]
        }
        let utf16le = try parse(le)
        let utf16be = try parse(be)
        #expect(
            [plain.encoding, bom.encoding, utf16le.encoding, utf16be.encoding] == [
                "utf-8", "utf-8-bom", "utf-16le", "utf-16be",
            ])
        for result in [bom, utf16le, utf16be] {
            #expect(result.articles == plain.articles)
            #expect(result.format == "article")
        }
        #expect(plain.articles[0].title == "Ferry service resumes")
        #expect(plain.articles[0].published == "2023-03-03")
    }

    @Test("invalid UTF-8 is read as Windows-1252; CRLF and CR become line breaks")
    func windows1252AndLineEndings() throws {
        let bytes =
            Array("Tags: Caf".utf8) + [0xE9] + Array("s\r\n\r\nThe ".utf8) + [0x93] + Array("new".utf8) + [0x94]
            + Array(" menu\r\rBy Jo Park\r\rIt opens today ".utf8) + [0x96] + Array(" at noon.".utf8)
        let result = try parse(bytes)
        #expect(result.encoding == "windows-1252")
        let draft = try #require(result.articles.first)
        #expect(draft.tags == ["Cafés"])
        #expect(draft.title == "The \u{201C}new\u{201D} menu")
        #expect(draft.authors == ["Jo Park"])
        #expect(draft.body == "It opens today \u{2013} at noon.")
    }

    @Test(
        "empty, blank and binary inputs are refused with a reason",
        arguments: [
            ([UInt8](), "empty"),
            (Array(" \n\t\r\n \u{200B}\n".utf8), "no_text"),
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D], "binary"),
            (Array("text with a NUL\u{0} byte".utf8), "binary"),
            ([UInt8](repeating: 0x07, count: 64) + Array("abc".utf8), "binary"),
            ((0..<400).map { UInt8(0x80 + ($0 * 37) % 128) }, "binary"),
            ([0xFF, 0xFE, 0x41, 0x00, 0x00, 0x00], "binary"),
        ])
    func refused(_ bytes: [UInt8], _ reason: String) {
        do {
            let result = try parse(bytes)
            Issue.record("accepted as \(result.format): \(result.articles)")
        } catch {
            #expect(error.reason == reason)
            #expect(!error.message.isEmpty)
        }
    }

    @Test("clean-up: NFC, soft hyphens, zero-width spaces, BOMs, controls, runs of spaces; quotes and dashes kept")
    func cleanup() {
        let line =
            "  Cafe\u{301} co\u{00AD}op\u{200B}er\u{FEFF}ation\u{0007}  \u{00A0} \u{201C}quoted\u{201D} \u{2014} it\u{2019}s\t"
        #expect(TextNormalizer.cleanText(line) == "Caf\u{E9} cooperation \u{201C}quoted\u{201D} \u{2014} it\u{2019}s")
        #expect(TextNormalizer.cleanText("plain ASCII stays") == "plain ASCII stays")
        #expect(
            TextNormalizer.cleanText("already NFC: \u{E9}\u{E8} \u{201C}x\u{201D}")
                == "already NFC: \u{E9}\u{E8} \u{201C}x\u{201D}")
        #expect(TextNormalizer.cleanText("Angstrom \u{212B}").unicodeScalars.last == "\u{C5}")
    }

    @Test("zero-width joiners: kept inside joining scripts and emoji sequences, dropped elsewhere")
    func joiners() {
        #expect(TextNormalizer.cleanText("ab\u{200D}cd") == "abcd")
        #expect(TextNormalizer.cleanText("x \u{200C} y") == "x y")
        let persian = "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}"
        #expect(TextNormalizer.cleanText(persian) == persian)
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"
        #expect(TextNormalizer.cleanText(family) == family)
    }

    @Test("the NFC quick check flags what NFC can change and passes common text")
    func nfcQuickCheck() {
        for scalar: UInt32 in [0x301, 0x308, 0x212B, 0x0958, 0x1161, 0xF900, 0x3099] {
            #expect(NFCQuickCheck.mayChange(scalar), "U+\(String(scalar, radix: 16))")
        }
        for scalar: UInt32 in [0x41, 0xE9, 0x2019, 0x201C, 0x2014, 0x0436, 0x4E2D, 0xAC00, 0x1F600] {
            #expect(!NFCQuickCheck.mayChange(scalar), "U+\(String(scalar, radix: 16))")
        }
        // Agreement with Foundation on every BMP scalar the quick check lets through.
        for value in stride(from: 0xA0, to: 0xD800, by: 7) {
            guard let scalar = Unicode.Scalar(value), !NFCQuickCheck.mayChange(UInt32(value)) else { continue }
            let text = "a" + String(scalar) + "b"
            #expect(text.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(text.unicodeScalars))
        }
    }

    @Test("case folding keeps byte offsets and lowercases ASCII, Latin-1 and Cyrillic")
    func folding() {
        #expect(Folding.fold("ÀÉÎÕÜ Straße ЖЁЯ Read More") == Array("àéîõü straße жёя read more".utf8))
        let long = String(repeating: "ABCDEFGHIJ", count: 10) + "Ä"
        #expect(Folding.fold(long) == Array(long.lowercased().utf8))
    }
}
