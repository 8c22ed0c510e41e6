import IngestModel
import PageParsing
import Testing

/// docs/record.schema.json describes exactly what ArticleRecord.appendJSONLine writes, and the test
/// validator really checks it.
@Suite("record schema")
struct RecordSchemaTests {
    /// A record with every optional field set.
    static func fullRecord() -> ArticleRecord {
        var draft = ArticleDraft()
        draft.title = "Harbour reopens"
        draft.published = "2021-03-05T10:15:00Z"
        draft.publishedRaw = "March 5, 2021 10:15 GMT"
        draft.updated = "2021-03-06"
        draft.authors = ["Ana Reyes"]
        draft.tags = ["Ports"]
        draft.keywords = ["harbour"]
        draft.summary = "The port reopened."
        draft.paragraphs = ["The port reopened on Monday.", "Ships queued outside."]
        draft.headings = ["Queues"]
        draft.related = ["Storm closes port"]
        draft.credit = "Example Wire"
        draft.publisher = "Example Media"
        draft.copyright = "© 2021 Example Media"
        draft.language = "en"
        draft.listing = ListingPosition(title: "Tag Archives: Ports", position: 2)
        draft.warnings = ["a warning"]
        let body = draft.body
        let source = SourceInfo(
            file: "a.txt", sha256: RecordFactory.hex64([1]), bytes: 42, format: "listing", encoding: "utf-8",
            receivedAt: "2026-11-22T10:58:52.931Z", parser: "newspage", parserVersion: "1.0.0", index: 0)
        var record = ArticleRecord(
            draft: draft, id: String(RecordFactory.hex64([2]).prefix(32)),
            fingerprint: Fingerprint(
                sha256: RecordFactory.hex64(Array(body.utf8)), simhash: SimHash.hex(SimHash.compute(body))),
            source: source)
        record.duplicateOf = String(RecordFactory.hex64([3]).prefix(32))
        return record
    }

    @Test("the schema uses only keywords the validator checks, and requires every written field")
    func schemaShape() throws {
        let validator = try RecordSchema.validator()
        let json = try RecordFactory.json(Self.fullRecord())
        guard case .object(let members) = json else {
            Issue.record("a record is not a JSON object")
            return
        }
        let required = validator.schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(required == members.map(\.key))
        #expect(validator.schema["additionalProperties"] == .bool(false))
        #expect(validator.errors(json).isEmpty, "\(validator.errors(json))")
    }

    @Test("a minimal record (nulls and empty lists) is valid")
    func minimalRecord() throws {
        var draft = ArticleDraft()
        draft.paragraphs = ["Only a body."]
        let source = SourceInfo(
            file: "x", sha256: RecordFactory.hex64([]), bytes: 12, format: "text", encoding: "windows-1252",
            receivedAt: "2026-11-22T10:58:52Z", parser: "newspage", parserVersion: "1.0.0", index: 3)
        let record = ArticleRecord(
            draft: draft, id: String(RecordFactory.hex64([9]).prefix(32)),
            fingerprint: Fingerprint(sha256: RecordFactory.hex64([7]), simhash: "0000000000000000"), source: source)
        let errors = try RecordSchema.validator().errors(try RecordFactory.json(record))
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test(
        "the validator rejects broken records",
        arguments: [
            ("simhash", #""simhash":"00ab""#),
            ("language", #""language":"English""#),
            ("word_count", #""word_count":-1"#),
            ("format", #""format":"html""#),
            ("published", #""published":"5 March 2021""#),
            ("position", #""position":0"#),
        ])
    func rejectsBrokenRecords(_ field: String, _ replacement: String) throws {
        let validator = try RecordSchema.validator()
        var line: [UInt8] = []
        Self.fullRecord().appendJSONLine(to: &line)
        var text = String(decoding: line.dropLast(), as: UTF8.self)
        let pattern = try Regex("\"\(field)\":(\"[^\"]*\"|-?[0-9]+)")
        let match = try #require(text.firstMatch(of: pattern))
        text.replaceSubrange(match.range, with: replacement)
        #expect(!validator.errors(try TestJSON.parse(text)).isEmpty)
    }

    @Test("the validator rejects missing, extra and mistyped fields")
    func rejectsShapeErrors() throws {
        let validator = try RecordSchema.validator()
        guard case .object(var members) = try RecordFactory.json(Self.fullRecord()) else { return }
        var missing = members
        missing.removeAll { $0.key == "body" }
        #expect(validator.errors(.object(missing)).contains { $0.contains("missing required property body") })
        members.append(("extra", .string("x")))
        #expect(validator.errors(.object(members)).contains { $0.contains("extra") })
        members.removeLast()
        if let index = members.firstIndex(where: { $0.key == "tags" }) { members[index].value = .array([.integer(1)]) }
        #expect(!validator.errors(.object(members)).isEmpty)
        #expect(!validator.errors(.array([])).isEmpty)
    }
}
