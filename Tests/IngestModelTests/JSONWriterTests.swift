import Foundation
import IngestModel
import Testing

@Suite("JSON Lines encoding")
struct JSONWriterTests {
    @Test(
        "strings are escaped so that one value is one line and parses back exactly",
        arguments: [
            "plain", "quote \" and backslash \\", "new\nline and\r\ncarriage", "tab\there", "\u{0}\u{1}\u{1F}\u{7F}",
            "line sep \u{2028} para sep \u{2029}", "ünïcödé “quotes” — dashes", "emoji 🗞️ and CJK 新闻", "",
        ])
    func escaping(_ text: String) throws {
        var out: [UInt8] = []
        JSONWriter.appendEscaped(text, to: &out)
        #expect(!out.contains(0x0A))
        #expect(!out.contains(0x0D))
        let decoded = try JSONSerialization.jsonObject(with: Data(out), options: [.fragmentsAllowed]) as? String
        #expect(decoded == text)
    }

    @Test("control characters use the short escapes or \\u00XX")
    func controlEscapes() {
        var out: [UInt8] = []
        JSONWriter.appendEscaped("a\nb\u{1}c\u{2028}", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\nb\u0001c\u2028""#)
    }

    /// A record with placeholder provenance and fingerprint.
    static func sampleRecord(file: String, body: String, wordCount: Int, parser: String, index: Int) -> ArticleRecord {
        let source = SourceInfo(
            file: file, sha256: String(repeating: "a", count: 64), bytes: 10, format: "text", encoding: "utf-8",
            receivedAt: "2026-01-01T00:00:00.000Z", parser: parser, parserVersion: "1.0.0", index: index)
        return ArticleRecord(
            id: "abc", body: body, wordCount: wordCount,
            fingerprint: Fingerprint(sha256: String(repeating: "b", count: 64), simhash: "0011223344556677"),
            source: source)
    }

    @Test("setting duplicate_of in an encoded line gives the line of the record with it set")
    func duplicateOfSetInLine() {
        var record = Self.sampleRecord(
            file: "f.txt", body: "Body with \"null\" and null in it.", wordCount: 7, parser: "newspage", index: 0)
        record.title = "null"
        record.warnings = ["null"]
        for prefix in [[UInt8](), Array("{\"earlier\":1}\n".utf8)] {
            var line = prefix
            let offset = record.appendJSONLine(to: &line)
            for id in ["0123456789abcdef0123456789abcdef", "odd \"id\"\n"] {
                var marked = record
                marked.duplicateOf = id
                var expected = prefix
                marked.appendJSONLine(to: &expected)
                #expect(ArticleRecord.settingDuplicateOf(id, inLine: line, valueAt: offset) == expected)
            }
        }
    }

    @Test("a record is one line with every schema field present, in order, null or [] when absent")
    func recordLine() throws {
        var record = Self.sampleRecord(
            file: "a\nb.txt", body: "One.\n\nTwo.", wordCount: 2, parser: "plaintext", index: 2)
        record.title = "T"
        record.listing = ListingPosition(title: "Tag Archives: X", position: 3)
        var line: [UInt8] = []
        record.appendJSONLine(to: &line)
        #expect(line.last == 0x0A)
        #expect(line.dropLast().contains(0x0A) == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        let expectedKeys = [
            "id", "schema_version", "title", "url", "published", "published_raw", "updated", "authors", "tags",
            "keywords",
            "summary", "body", "headings", "related", "credit", "publisher", "copyright", "language", "word_count",
            "fingerprint", "listing", "duplicate_of", "warnings", "source",
        ]
        #expect(Set(object.keys) == Set(expectedKeys))
        let text = String(decoding: line, as: UTF8.self)
        let positions = expectedKeys.map { text.range(of: "\"\($0)\":")!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(object["published"] is NSNull)
        #expect((object["authors"] as? [Any])?.isEmpty == true)
        #expect((object["listing"] as? [String: Any])?["position"] as? Int == 3)
        let decoded = try JSONDecoder().decode(ArticleRecord.self, from: Data(line))
        #expect(decoded == record)
    }

    @Test(
        "word counts",
        arguments: [("", 0), ("one", 1), ("it's a well-known fact", 4), ("Zwei Wörter.", 2), ("  3 000 people ", 3)])
    func wordCount(_ text: String, _ expected: Int) {
        #expect(WordCounter.count(text) == expected)
    }
}
