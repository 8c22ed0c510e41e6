import Foundation
import IngestModel
import PageParsing
import Testing

/// The two real page dumps in `../shared/seeds` against their gold records, field by field.
/// Skips (with a printed note) when `../shared` is absent; CI has it.
@Suite("seed pages match the gold records")
struct GoldSeedTests {
    /// The fields every gold article has.
    static let fields = [
        "title", "published", "updated", "authors", "tags", "summary", "headings", "related", "credit", "publisher",
        "body",
    ]

    @Test("every seed: page kind, language and each article field equal the gold")
    func seedsMatchGold() throws {
        guard let shared = TestPaths.sharedDirectory(for: "seedsMatchGold") else { return }
        let goldFiles = try FileManager.default.contentsOfDirectory(atPath: shared.appendingPathComponent("gold").path)
            .filter { $0.hasSuffix(".gold.json") }.sorted()
        #expect(!goldFiles.isEmpty)
        var compared = 0
        for goldName in goldFiles {
            let gold = try TestJSON.parse(try TestPaths.text(shared.appendingPathComponent("gold/\(goldName)")))
            let seedName = String(goldName.dropLast(".gold.json".count))
            let input = try TestPaths.bytes(shared.appendingPathComponent("seeds/\(seedName)"))
            let result = try NewsPageParser().parse(ParseInput(bytes: input, fileName: seedName))
            #expect(.string(result.format) == gold["page_kind"], "\(seedName): page kind")
            let articles = gold["articles"]?.arrayValue ?? []
            #expect(result.articles.count == articles.count, "\(seedName): article count")
            for (index, draft) in result.articles.enumerated() {
                #expect(
                    draft.language.map(TestJSON.string) ?? .null == gold["language"], "\(seedName) #\(index) language")
            }
            let expected: [TestJSON] = articles.map { article in
                .object(Self.fields.compactMap { field in article[field].map { (field, $0) } })
            }
            let (count, mismatches) = FieldComparison.compare(result.articles, expected: expected, label: seedName)
            compared += count
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
            let violations = try RecordSchema.violations(result, input: input, fileName: seedName)
            #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
        }
        print("gold comparison: \(compared) article fields compared over \(goldFiles.count) seeds")
    }
}
