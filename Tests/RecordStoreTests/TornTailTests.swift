import Foundation
import RecordStore
import Testing

@Suite("RecordStore torn segment tail")
struct TornTailTests {
    /// Where one input's records landed.
    struct Placement {
        var input: Input
        var segment: String
        var start: Int
        var end: Int
    }

    static let segmentMaxBytes = 340

    /// A store of several segments whose last segment holds three inputs; returns where each input went.
    static func buildStore(_ dir: String) throws -> [Placement] {
        let inputs = (0..<9).map { Input("t\($0)", records: 1 + $0 % 2, bodyLength: 30 + $0 * 3) }
        let store = try openStore(dir, segmentMaxBytes: segmentMaxBytes)
        var placements: [Placement] = []
        for input in inputs {
            try store.append([input.entry])
            let segment = try #require(try segmentFiles(dir).last)
            let end = try fileSize(dir + "/" + segment)
            placements.append(Placement(input: input, segment: segment, start: end - input.lines.count, end: end))
        }
        return placements
    }

    /// For every cut point within the last two inputs' records: recovery leaves only whole lines,
    /// drops exactly the inputs it cut into (loudly), and the store keeps working afterwards.
    @Test func truncatingTheLastSegmentAtEveryOffset() throws {
        try withTempDir { base in
            let placements = try Self.buildStore(base)
            let last = placements[placements.count - 1]
            let previous = placements[placements.count - 2]
            try #require(previous.segment == last.segment)
            try #require(placements[placements.count - 3].segment == last.segment)
            try #require(try segmentFiles(base).count >= 3)
            let lastSegment = last.segment
            let original = try readBytes(base + "/" + lastSegment)
            try #require(original.count == last.end)
            let earlierSegments = try segmentFiles(base).dropLast()
            let earlierBytes = try earlierSegments.map { try readBytes(base + "/" + $0) }

            var cases = 0
            for cut in previous.start...last.end {
                try withTempDir { dir in
                    try copyStore(from: base, to: dir)
                    try truncateFile(dir + "/" + lastSegment, to: cut)
                    try checkRecovery(dir, cut: cut, placements: placements, original: original)
                    // Earlier segments are never touched.
                    for (name, bytes) in zip(earlierSegments, earlierBytes) {
                        #expect(try readBytes(dir + "/" + name) == bytes, "cut \(cut): \(name) changed")
                    }
                }
                cases += 1
            }
            #expect(cases == last.end - previous.start + 1)
        }
    }

    private func checkRecovery(_ dir: String, cut: Int, placements: [Placement], original: [UInt8]) throws {
        let lastSegment = placements[placements.count - 1].segment
        let complete = placements.filter { $0.segment != lastSegment || $0.end <= cut }
        let incomplete = placements.filter { $0.segment == lastSegment && $0.end > cut }
        let whole = placements.filter { $0.segment == lastSegment && $0.end <= cut }.map(\.end).max() ?? 0
        let context = Comment(rawValue: "cut at \(cut)")

        do {
            let store = try openStore(dir, segmentMaxBytes: Self.segmentMaxBytes)
            let recovered = try readBytes(dir + "/" + lastSegment)
            #expect(recovered == Array(original[0..<whole]), context)
            #expect(recovered.isEmpty || recovered.last == 0x0A, context)
            try expectWellFormedSegments(dir)
            for placement in complete { #expect(store.contains(placement.input.key), context) }
            for placement in incomplete { #expect(!store.contains(placement.input.key), context) }
            #expect(store.stats.files == complete.count, context)
            #expect(store.stats.records == complete.reduce(0) { $0 + $1.input.records }, context)
            if incomplete.isEmpty {
                #expect(store.recovery.problems == [], context)
            } else {
                #expect(store.recovery.problems.count == 1, context)
                let problem = store.recovery.problems.first ?? ""
                #expect(problem.contains(lastSegment) && problem.contains("missing"), context)
                #expect(problem.contains("\(incomplete.count) inputs"), context)
            }
            #expect(store.recovery.truncatedBytes == 0, context)
            #expect(store.recovery.truncatedIndexBytes == 0, context)

            // The lost inputs are redone, then a new one.
            let redo = incomplete.map(\.input) + [Input("after-\(cut)", records: 2)]
            #expect(try store.append(redo.map(\.entry)) == [], context)
            for input in redo { #expect(store.contains(input.key), context) }
        }

        let store = try openStore(dir, segmentMaxBytes: Self.segmentMaxBytes)
        #expect(store.recovery.problems == [], context)
        #expect(store.recovery.truncatedBytes == 0, context)
        #expect(store.recovery.truncatedIndexBytes == 0, context)
        let expected = complete.map(\.input) + incomplete.map(\.input) + [Input("after-\(cut)", records: 2)]
        for input in expected { #expect(store.contains(input.key), context) }
        #expect(store.stats.files == expected.count, context)
        #expect(try allSegmentBytes(dir) == expected.flatMap(\.lines), context)
        try expectWellFormedSegments(dir)
        #expect(store.verify() == [], context)
    }
}
