import Foundation
import IngestModel
import PageParsing

/// Where the tests find their inputs.
enum TestPaths {
    /// The package root, from this file's location (Tests/PageParsingTests/Support/…).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// `<package root>/../shared`: the seed pages and their gold records (present in CI).
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let schema = packageRoot.appendingPathComponent("docs/record.schema.json")

    /// The fixtures copied as test resources.
    static var fixtures: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    /// The shared directory, or nil (with a printed note saying the tests that need it skip).
    static func sharedDirectory(for test: String) -> URL? {
        var isDirectory: ObjCBool = false
        let gold = shared.appendingPathComponent("gold").path
        if FileManager.default.fileExists(atPath: gold, isDirectory: &isDirectory), isDirectory.boolValue {
            return shared
        }
        print("SKIPPED \(test): \(shared.path) is absent (the seed pages and gold records live there; CI has them)")
        return nil
    }

    static func bytes(_ url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }

    static func text(_ url: URL) throws -> String {
        String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }
}

/// Builds records from drafts the way RecordBuilder does (ids, fingerprints, provenance), without
/// the service module: the hashes are stand-ins of the right shape.
enum RecordFactory {
    static func records(_ result: ParseResult, input: [UInt8], fileName: String, parser: NewsPageParser)
        -> [ArticleRecord]
    {
        let inputHash = hex64(input)
        return result.articles.enumerated().map { index, draft in
            let body = draft.body
            let fingerprint = Fingerprint(sha256: hex64(Array(body.utf8)), simhash: SimHash.hex(SimHash.compute(body)))
            let source = SourceInfo(
                file: fileName, sha256: inputHash, bytes: input.count, format: result.format, encoding: result.encoding,
                receivedAt: "2026-11-22T10:58:52.931Z", parser: parser.name, parserVersion: parser.version, index: index
            )
            let id = String(hex64(Array((inputHash + "/\(index)").utf8)).prefix(32))
            return ArticleRecord(draft: draft, id: id, fingerprint: fingerprint, source: source)
        }
    }

    /// 64 lowercase hex digits derived from `bytes` (four FNV-1a lanes; not a cryptographic hash).
    static func hex64(_ bytes: [UInt8]) -> String {
        var out = ""
        for lane in 0..<4 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(lane)
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            out += SimHash.hex(hash)
        }
        return out
    }

    /// The record's JSON line, parsed back.
    static func json(_ record: ArticleRecord) throws -> TestJSON {
        var line: [UInt8] = []
        record.appendJSONLine(to: &line)
        return try TestJSON.parse(String(decoding: line.dropLast(), as: UTF8.self))
    }
}

/// The record schema, loaded once.
enum RecordSchema {
    static func validator() throws -> SchemaValidator {
        SchemaValidator(schema: try TestJSON.parse(try TestPaths.text(TestPaths.schema)))
    }

    /// Schema violations of every record made from `result`.
    static func violations(_ result: ParseResult, input: [UInt8], fileName: String) throws -> [String] {
        let validator = try validator()
        var violations: [String] = []
        for record in RecordFactory.records(result, input: input, fileName: fileName, parser: NewsPageParser()) {
            violations += validator.errors(try RecordFactory.json(record)).map { "\(fileName): \($0)" }
        }
        return violations
    }
}

/// Field-by-field comparison of a draft with an expected record (gold or fixture expectations).
enum FieldComparison {
    /// The draft's value of `field` in the record's JSON form, or nil for an unknown field.
    static func value(_ draft: ArticleDraft, _ field: String) -> TestJSON? {
        func text(_ value: String?) -> TestJSON { value.map(TestJSON.string) ?? .null }
        func list(_ values: [String]) -> TestJSON { .array(values.map(TestJSON.string)) }
        switch field {
        case "title": return text(draft.title)
        case "url": return text(draft.url)
        case "published": return text(draft.published)
        case "published_raw": return text(draft.publishedRaw)
        case "updated": return text(draft.updated)
        case "authors": return list(draft.authors)
        case "tags": return list(draft.tags)
        case "keywords": return list(draft.keywords)
        case "summary": return text(draft.summary)
        case "headings": return list(draft.headings)
        case "related": return list(draft.related)
        case "credit": return text(draft.credit)
        case "publisher": return text(draft.publisher)
        case "copyright": return text(draft.copyright)
        case "language": return text(draft.language)
        case "body": return .string(draft.body)
        case "warnings": return list(draft.warnings)
        case "listing":
            guard let listing = draft.listing else { return .null }
            return .object([("title", text(listing.title)), ("position", .integer(listing.position))])
        default: return nil
        }
    }

    /// (fields compared, mismatch descriptions) for `expected` articles against `drafts`.
    static func compare(_ drafts: [ArticleDraft], expected: [TestJSON], label: String) -> (Int, [String]) {
        var compared = 0
        var mismatches: [String] = []
        if drafts.count != expected.count {
            mismatches.append("\(label): \(drafts.count) articles, expected \(expected.count)")
        }
        for (index, expectation) in expected.enumerated() {
            guard case .object(let fields) = expectation else { continue }
            for (field, want) in fields {
                compared += 1
                let got = index < drafts.count ? value(drafts[index], field) : nil
                if got != want {
                    mismatches.append(
                        "\(label) #\(index) \(field):\n  got  \(got?.description ?? "nothing")\n  want \(want)")
                }
            }
        }
        return (compared, mismatches)
    }
}
