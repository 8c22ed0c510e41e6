// parse-bench: single-core throughput of NewsPageParser on the parser fixtures (and the shared seeds
// when present), each set replicated to about 50 MB of page text.
//
//   swift build -c release --scratch-path .build-parser --product parse-bench
//   .build-parser/release/parse-bench [--megabytes N] [--rounds N] [PATH...]
//
// PATHs (files or directories of files) replace the fixtures and seeds: each file is a set of
// its own, and all of them together are one more. With --fingerprints, each article's body is
// also fingerprinted (SimHash and word count) as the daemon does for every record.
import Foundation
import IngestModel
import PageParsing

/// One input file: its name and bytes.
struct BenchInput {
    var name: String
    var bytes: [UInt8]
}

/// Command-line options.
struct BenchOptions {
    var megabytes = 50
    var rounds = 3
    var fingerprints = false
    var paths: [String] = []

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--megabytes": megabytes = iterator.next().flatMap(Int.init) ?? megabytes
            case "--rounds": rounds = iterator.next().flatMap(Int.init) ?? rounds
            case "--fingerprints": fingerprints = true
            case let path where !path.hasPrefix("-"): paths.append(path)
            default:
                FileHandle.standardError.write(
                    Data("usage: parse-bench [--megabytes N] [--rounds N] [--fingerprints] [PATH...]\n".utf8))
                exit(64)
            }
        }
    }
}

/// Where the fixtures and seeds live, relative to this source file.
enum BenchPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Tests/PageParsingTests/Fixtures")
    static let seeds = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/seeds")

    /// The page inputs in `directory` (not the expected outputs), sorted by name.
    static func inputs(in directory: URL) -> [BenchInput] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().filter { !$0.hasSuffix(".expected.json") && !$0.hasPrefix(".") }.compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path),
                !data.isEmpty
            else { return nil }
            return BenchInput(name: name, bytes: Array(data))
        }
    }
}

/// Parses a set of inputs replicated to a target size and reports MB/s.
struct ThroughputRun {
    let label: String
    let inputs: [BenchInput]
    let targetBytes: Int
    let rounds: Int
    /// Also fingerprint each article's body.
    let fingerprints: Bool
    let parser = NewsPageParser()

    /// Best-of-`rounds` throughput over the whole set, in MB/s (10^6 bytes per second), and the
    /// mean time per file in microseconds.
    func run() -> (megabytesPerSecond: Double, microsecondsPerFile: Double, bytes: Int, articles: Int) {
        let setBytes = inputs.reduce(0) { $0 + $1.bytes.count }
        let copies = max(1, (targetBytes + setBytes - 1) / setBytes)
        var best = Double.infinity
        var articles = 0
        _ = parseAll(copies: 1)  // warm-up
        for _ in 0..<rounds {
            let clock = ContinuousClock()
            let start = clock.now
            articles = parseAll(copies: copies)
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds)
        }
        let bytes = setBytes * copies
        return (Double(bytes) / best / 1e6, best / Double(copies * inputs.count) * 1e6, bytes, articles)
    }

    private func parseAll(copies: Int) -> Int {
        var articles = 0
        var sink: UInt64 = 0
        defer { if sink == 1 { print("") } }  // keeps the fingerprints from being optimized away
        for _ in 0..<copies {
            for input in inputs {
                do {
                    let result = try parser.parse(ParseInput(bytes: input.bytes, fileName: input.name))
                    articles += result.articles.count
                    if fingerprints {
                        for draft in result.articles { sink ^= SimHash.computeWithWordCount(draft.body).hash }
                    }
                } catch {
                    articles += 0
                }
            }
        }
        return articles
    }
}

let options = BenchOptions(arguments: CommandLine.arguments)
let target = options.megabytes * 1_000_000
print(
    "parse-bench: NewsPageParser\(options.fingerprints ? " and fingerprints" : ""), one core, best of \(options.rounds) rounds, ~\(options.megabytes) MB per set"
)

var sets: [(String, [BenchInput])] = []
if !options.paths.isEmpty {
    var given: [BenchInput] = []
    for path in options.paths {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            print("no such file: \(path)")
            exit(1)
        }
        let url = URL(fileURLWithPath: path)
        if isDirectory.boolValue {
            given += BenchPaths.inputs(in: url)
        } else if let data = FileManager.default.contents(atPath: path), !data.isEmpty {
            given.append(BenchInput(name: url.lastPathComponent, bytes: Array(data)))
        }
    }
    sets.append(("all given files", given))
    if given.count <= 20 { for input in given { sets.append((input.name, [input])) } }
} else {
    sets = defaultSets()
}
for (label, inputs) in sets {
    let result = ThroughputRun(
        label: label, inputs: inputs, targetBytes: target, rounds: options.rounds, fingerprints: options.fingerprints
    ).run()
    let megabytes = Double(result.bytes) / 1e6
    print(
        label.padding(toLength: 36, withPad: " ", startingAt: 0)
            + String(
                format: "%8.1f MB/s %8.1f µs/file  (%.1f MB, %d articles per round)", result.megabytesPerSecond,
                result.microsecondsPerFile, megabytes, result.articles))
}

/// The fixtures, one by one and together, then the shared seeds when present.
func defaultSets() -> [(String, [BenchInput])] {
    let fixtures = BenchPaths.inputs(in: BenchPaths.fixtures)
    if fixtures.isEmpty {
        print("no fixtures found in \(BenchPaths.fixtures.path)")
        exit(1)
    }
    var sets: [(String, [BenchInput])] = [("all fixtures", fixtures)]
    for input in fixtures { sets.append((input.name, [input])) }
    let seeds = BenchPaths.inputs(in: BenchPaths.seeds)
    if seeds.isEmpty {
        print("(seeds not found at \(BenchPaths.seeds.path): skipped)")
    } else {
        sets.append(("all seeds", seeds))
        for input in seeds { sets.append(("seed " + input.name, [input])) }
    }
    return sets
}
