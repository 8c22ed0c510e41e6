import Foundation
import IngestModel
import Testing

@testable import PageParsing

/// Scraper output as JSON, JSON Lines and NDJSON: keys, detection, limits.
@Suite("JSON input")
struct JSONInputTests {
    let parser = NewsPageParser()

    func parse(_ text: String, _ name: String) throws(ParseError) -> ParseResult {
        try parser.parse(ParseInput(bytes: Array(text.utf8), fileName: name))
    }

    func reason(_ text: String, _ name: String) -> String? {
        do {
            _ = try parse(text, name)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("the article's address comes from url, link, canonical_url or permalink; other values give null")
    func addresses() throws {
        let text = """
            [{"title": "A", "body": "Text a.", "url": "https://example.org/a"},
             {"title": "B", "body": "Text b.", "link": "  https://example.org/b\\t"},
             {"title": "C", "body": "Text c.", "canonical_url": "https://example.org/c", "url": 7},
             {"title": "D", "body": "Text d.", "permalink": "not an address"},
             {"title": "E", "body": "Text e.", "url": {"href": "https://example.org/e"}},
             {"title": "F", "body": "Text f."}]
            """
        let urls = try parse(text, "list.json").articles.map(\.url)
        #expect(urls == ["https://example.org/a", "https://example.org/b", nil, nil, nil, nil])
        let page = try parse("Headline\n\nA paragraph of page text.\n", "page.txt")
        #expect(page.articles.first?.url == nil)
    }

    @Test("a wrapped array is found under 'articles'; common keys map to draft fields")
    func wrapperAndKeys() throws {
        let text = """
            {"source": "feed", "articles": [
              {"headline": "Dam opens its gates", "content": ["First paragraph.", "Second paragraph."],
               "date_published": "2021-06-01T12:00:00Z", "author": "Lea Brun", "section": "Rivers",
               "news_keywords": ["dam", "river"], "summary": "Gates open.", "publisher": "Valley Post",
               "credit": "Riverwire", "rights": "© 2021 Valley Post", "related": [{"title": "Dam built in 1960"}],
               "url": "https://example.org/dam"}
            ]}
            """
        let result = try parse(text, "feed.json")
        #expect(result.format == "json")
        let draft = try #require(result.articles.first)
        #expect(draft.title == "Dam opens its gates")
        #expect(draft.paragraphs == ["First paragraph.", "Second paragraph."])
        #expect(draft.published == "2021-06-01T12:00:00Z" && draft.publishedRaw == "2021-06-01T12:00:00Z")
        #expect(draft.authors == ["Lea Brun"])
        #expect(draft.tags == ["Rivers"])
        #expect(draft.keywords == ["dam", "river"])
        #expect(draft.summary == "Gates open.")
        #expect(
            draft.publisher == "Valley Post" && draft.credit == "Riverwire" && draft.copyright == "© 2021 Valley Post")
        #expect(draft.related == ["Dam built in 1960"])
    }

    @Test("JSON is recognised by content without a .json name; NDJSON by lines")
    func detectionByContent() throws {
        let array = try parse(#"[{"title": "A", "body": "Alpha text."}, {"title": "B", "body": "Beta text."}]"#, "drop")
        #expect(array.format == "json" && array.articles.map(\.title) == ["A", "B"])
        let lines = try parse(
            "{\"title\": \"A\", \"text\": \"One.\"}\n{\"title\": \"B\", \"text\": \"Two.\"}\n", "drop.txt")
        #expect(lines.format == "json" && lines.articles.count == 2)
        let bracketed = try parse("[Updated] Storm closes port\n\nThe port closed on Monday.", "note.txt")
        #expect(bracketed.format == "text")
    }

    @Test("escapes, surrogate pairs and NFC in JSON strings")
    func strings() throws {
        let result = try parse(
            #"{"title": "Cafe\u0301 \"Nord\" \ud83c\udf0a", "body": "Line one\nline two.\n\nPara two\u00a0here."}"#,
            "x.json")
        let draft = try #require(result.articles.first)
        #expect(draft.title == "Caf\u{E9} \"Nord\" \u{1F30A}")
        #expect(draft.paragraphs == ["Line one line two.", "Para two here."])
    }

    @Test(
        "broken and hostile JSON is refused with a reason, never a crash",
        arguments: [
            ("{\"title\": \"x\", \"body\": ", "x.json", "invalid_json"),
            (String(repeating: "[", count: 100_000), "deep.json", "invalid_json"),
            (String(repeating: "[", count: 100_000), "deep", "invalid_json"),
            (String(repeating: "{\"a\":", count: 50_000), "deep.json", "invalid_json"),
            ("[1, 2, 3]", "numbers.json", "no_articles"),
            ("[]", "empty.json", "no_articles"),
            ("not json at all", "x.json", "invalid_json"),
        ])
    func refused(_ text: String, _ name: String, _ expected: String) {
        #expect(reason(text, name) == expected)
    }

    @Test("NDJSON: a broken line is skipped with a warning; the others are read")
    func brokenLine() throws {
        let text =
            "{\"title\": \"A\", \"body\": \"One.\"}\n{\"title\": \"B\", \"body\": \"cut\n{\"title\": \"C\", \"body\": \"Three.\"}\n"
        let result = try parse(text, "feed.ndjson")
        #expect(result.articles.map(\.title) == ["A", "C"])
        #expect(result.articles[0].warnings == ["skipped 1 line(s) that are not valid JSON (first at line 2)"])
    }

    /// `count` tiny articles as a JSON array.
    static func tinyArticles(_ count: Int) -> [UInt8] {
        let item = Array(#"{"title":"t","body":"b."},"#.utf8)
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(item.count * count + 2)
        for _ in 0..<count { bytes += item }
        bytes[bytes.count - 1] = UInt8(ascii: "]")
        return bytes
    }

    @Test("many tiny articles are all produced, in order, up to the limit")
    func manyArticles() throws {
        let result = try parser.parse(ParseInput(bytes: Self.tinyArticles(20_000), fileName: "bulk.json"))
        #expect(result.articles.count == 20_000)
        #expect(result.articles.allSatisfy { $0.title == "t" && $0.body == "b." })
    }

    @Test("a million tiny articles: refused with too_many_articles once the limit is passed")
    func millionArticles() {
        let bytes = Self.tinyArticles(1_000_000)
        var reader = JSONArticleReader(fileName: "bulk.json")
        reader.maxArticles = 1_000
        do {
            let drafts = try reader.read(String(decoding: bytes, as: UTF8.self))
            Issue.record("read \(drafts.count) articles")
        } catch {
            #expect(error.reason == "too_many_articles")
        }
        #expect(JSONArticleReader.defaultMaxArticles == 100_000)
    }

    @Test("the public parser enforces the default limit")
    func publicLimit() {
        let bytes = Self.tinyArticles(JSONArticleReader.defaultMaxArticles + 1)
        do {
            _ = try parser.parse(ParseInput(bytes: bytes, fileName: "bulk.json"))
            Issue.record("accepted more than the limit")
        } catch {
            #expect(error.reason == "too_many_articles")
        }
    }
}
