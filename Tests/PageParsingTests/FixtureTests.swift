import Foundation
import IngestModel
import PageParsing
import Testing

/// Our own pages (invented text in the layouts the parser reads) against hand-written expected
/// records: `Fixtures/NAME` and `Fixtures/NAME.expected.json` ({page_kind, encoding, articles}).
@Suite("fixture pages match their expected records")
struct FixtureTests {
    static func fixtureNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: TestPaths.fixtures.path)
            .filter { $0.hasSuffix(".expected.json") }.map { String($0.dropLast(".expected.json".count)) }.sorted()
    }

    @Test("there are at least twelve fixtures, in every page kind")
    func coverage() throws {
        let names = try Self.fixtureNames()
        #expect(names.count >= 12)
        var kinds = Set<String>()
        for name in names {
            let expected = try TestJSON.parse(
                try TestPaths.text(TestPaths.fixtures.appendingPathComponent(name + ".expected.json")))
            if let kind = expected["page_kind"]?.stringValue { kinds.insert(kind) }
        }
        #expect(kinds == ["listing", "article", "json", "text"])
    }

    @Test("each fixture: page kind, encoding and every expected field; all records fit the schema")
    func fixturesMatchExpectations() throws {
        var compared = 0
        var matched = 0
        var report: [String] = []
        for name in try Self.fixtureNames() {
            let input = try TestPaths.bytes(TestPaths.fixtures.appendingPathComponent(name))
            let expected = try TestJSON.parse(
                try TestPaths.text(TestPaths.fixtures.appendingPathComponent(name + ".expected.json")))
            let result = try NewsPageParser().parse(ParseInput(bytes: input, fileName: name))
            compared += 2
            if .string(result.format) == expected["page_kind"] {
                matched += 1
            } else {
                report.append(
                    "\(name): page kind \(result.format), expected \(expected["page_kind"]?.description ?? "?")")
            }
            if .string(result.encoding) == expected["encoding"] {
                matched += 1
            } else {
                report.append(
                    "\(name): encoding \(result.encoding), expected \(expected["encoding"]?.description ?? "?")")
            }
            let (count, mismatches) = FieldComparison.compare(
                result.articles, expected: expected["articles"]?.arrayValue ?? [], label: name)
            compared += count
            matched += count - mismatches.filter { $0.contains(" #") }.count
            report += mismatches
            report += try RecordSchema.violations(result, input: input, fileName: name)
        }
        print("fixture score: \(matched)/\(compared) fields matched")
        #expect(report.isEmpty, "\(report.joined(separator: "\n"))")
    }
}
