import Foundation
import IngestModel
import PageParsing
import Testing

/// Whatever the bytes, the parser returns drafts with a body or throws a ParseError with a reason.
/// Inputs that once crashed or misbehaved under the fuzzer live in Fixtures/fuzz-regressions.
@Suite("robustness")
struct RobustnessTests {
    static let knownReasons: Set<String> = [
        "empty", "no_text", "binary", "invalid_json", "no_articles", "too_many_articles",
    ]

    /// Parses and checks the invariants; returns a description of a violation, or nil.
    static func violation(_ bytes: [UInt8], fileName: String) -> String? {
        do {
            let result = try NewsPageParser().parse(ParseInput(bytes: bytes, fileName: fileName))
            if result.articles.isEmpty { return "no articles and no error" }
            if let empty = result.articles.firstIndex(where: { $0.body.isEmpty }) {
                return "article \(empty) has an empty body"
            }
            if !["listing", "article", "json", "text"].contains(result.format) { return "format \(result.format)" }
            for draft in result.articles {
                for text in [draft.title, draft.summary].compactMap({ $0 }) + draft.paragraphs + draft.tags
                where text.isEmpty || text.hasPrefix(" ") || text.hasSuffix(" ") || text.contains("\n") {
                    return "untrimmed or empty text: \(text.debugDescription)"
                }
            }
            return nil
        } catch {
            return knownReasons.contains(error.reason) && !error.message.isEmpty
                ? nil : "unknown reason \(error.reason)"
        }
    }

    @Test("mutated fixtures never crash and never give an empty record")
    func mutations() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestPaths.fixtures.path)
            .filter { !$0.hasSuffix(".expected.json") && !$0.hasPrefix(".") && $0 != "fuzz-regressions" }.sorted()
        var mixer = SeededRandom(seed: 0x5EED)
        let splices: [[UInt8]] = [
            Array("Read more: ".utf8), Array(" ... Read More »\n".utf8), Array("\nTag Archives: X\n".utf8),
            Array("\n© 2021 X. All rights reserved.\n".utf8), [0xE2, 0x80], [0xC3], [0x0D], Array("\"\\u".utf8),
            Array("[{\"title\":".utf8), Array("\n\n".utf8), Array("Published: 31 February".utf8),
        ]
        var failures: [String] = []
        for name in names {
            let original = try TestPaths.bytes(TestPaths.fixtures.appendingPathComponent(name))
            for _ in 0..<25 {
                var bytes = original
                for _ in 0..<(1 + mixer.below(4)) {
                    let position = mixer.below(bytes.count + 1)
                    switch mixer.below(4) {
                    case 0: bytes.insert(contentsOf: splices[mixer.below(splices.count)], at: position)
                    case 1 where !bytes.isEmpty: bytes.remove(at: min(position, bytes.count - 1))
                    case 2 where position < bytes.count: bytes[position] = UInt8(truncatingIfNeeded: mixer.next())
                    default: bytes = Array(bytes.prefix(position))
                    }
                }
                if let problem = Self.violation(bytes, fileName: mixer.below(3) == 0 ? "x.json" : name) {
                    failures.append("\(name) mutated: \(problem)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
    }

    @Test("inputs kept from fuzzing runs stay harmless")
    func fuzzRegressions() throws {
        let directory = TestPaths.fixtures.appendingPathComponent("fuzz-regressions")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
        for name in names where !name.hasPrefix(".") && name != "README.md" {
            let bytes = try TestPaths.bytes(directory.appendingPathComponent(name))
            for fileName in ["input", "input.json", "input.ndjson"] {
                #expect(Self.violation(bytes, fileName: fileName) == nil, "\(name) as \(fileName)")
            }
        }
    }

    @Test(
        "edge cases",
        arguments: [
            "\u{FEFF}", "\r\r\r", "Tag Archives: X", "… Read More »", "Read more:", "©", "By", "Tags:", "{", "[",
            "[{}]", "{\"title\":\"\"}", "{\"body\":\"   \"}", "Published: 1 January 2020", "A\n\nB", "\u{0301}\u{0301}",
            String(repeating: "word ", count: 20_000), String(repeating: "Heading\n\n", count: 2_000),
            String(repeating: "x", count: 100_000), String(repeating: "Read more: ", count: 3_000),
        ])
    func edgeCases(_ text: String) {
        #expect(Self.violation(Array(text.utf8), fileName: "edge") == nil)
    }
}
