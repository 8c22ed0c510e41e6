import Foundation
import RecordStore
import Synchronization
import Testing

final class Flag: Sendable {
    let value = Atomic(false)
}

@Suite("RecordStore appends")
struct AppendTests {
    @Test func freshStoreIsEmptyAndClean() throws {
        try withTempDir { root in
            let dir = root + "/store"  // does not exist yet: init creates it
            let store = try openStore(dir)
            expectStats(store.stats, files: 0, records: 0, segments: 0, bytes: 0)
            #expect(store.recovery.truncatedBytes == 0)
            #expect(store.recovery.truncatedIndexBytes == 0)
            #expect(store.recovery.problems.isEmpty)
            #expect(!store.contains(testKey("anything")))
            #expect(try segmentFiles(dir).isEmpty)
            let index = try readBytes(dir + "/commits.idx")
            #expect(index == Array("INGESTD-IDX\u{0}".utf8) + [1, 0, 0, 0])
            #expect(store.verify() == [])
        }
    }

    @Test func appendThenReopen() throws {
        try withTempDir { dir in
            let inputs = [Input("a", records: 1), Input("b", records: 3), Input("c", records: 2, bodyLength: 80)]
            let bytes = inputs.reduce(0) { $0 + $1.lines.count }
            do {
                let store = try openStore(dir)
                let skipped = try store.append(inputs.map(\.entry))
                #expect(skipped.isEmpty)
                expectStats(store.stats, files: 3, records: 6, segments: 1, bytes: bytes)
                for input in inputs { #expect(store.contains(input.key)) }
                #expect(!store.contains(testKey("d")))
            }
            let store = try openStore(dir)
            #expect(store.recovery.problems.isEmpty)
            #expect(store.recovery.truncatedBytes == 0)
            #expect(store.recovery.truncatedIndexBytes == 0)
            expectStats(store.stats, files: 3, records: 6, segments: 1, bytes: bytes)
            for input in inputs { #expect(store.contains(input.key)) }
            #expect(!store.contains(testKey("d")))
            #expect(try segmentFiles(dir) == [segmentName(1)])
            #expect(try readBytes(dir + "/" + segmentName(1)) == inputs.flatMap(\.lines))
            #expect(try fileSize(dir + "/commits.idx") == 16 + 3 * 64)
            try expectWellFormedSegments(dir)
            #expect(store.verify() == [])
        }
    }

    @Test func appendOfCommittedKeyIsSkippedAndWritesNothing() throws {
        try withTempDir { dir in
            let a = Input("a"), b = Input("b")
            let store = try openStore(dir)
            try store.append([a.entry])
            let segmentBefore = try readBytes(dir + "/" + segmentName(1))
            let indexBefore = try readBytes(dir + "/commits.idx")

            // Same key, different bytes: still skipped, nothing written.
            let changed = Input(name: "a'", key: a.key, lines: Input("other").lines, records: 2)
            #expect(try store.append([changed.entry]) == [0])
            #expect(try store.append([a.entry]) == [0])
            #expect(try readBytes(dir + "/" + segmentName(1)) == segmentBefore)
            #expect(try readBytes(dir + "/commits.idx") == indexBefore)
            #expect(store.stats.files == 1)

            // Mixed batch: only the new one is written.
            #expect(try store.append([a.entry, b.entry]) == [0])
            #expect(try readBytes(dir + "/" + segmentName(1)) == a.lines + b.lines)
            #expect(store.stats.files == 2)
            #expect(store.stats.records == 4)

            // Still skipped after a reopen.
            _ = consume store
            let reopened = try openStore(dir)
            #expect(try reopened.append([a.entry, b.entry]) == [0, 1])
            #expect(try readBytes(dir + "/" + segmentName(1)) == a.lines + b.lines)
            #expect(reopened.stats.files == 2)
        }
    }

    @Test func sameKeyTwiceInOneCallIsWrittenOnce() throws {
        try withTempDir { dir in
            let first = Input("dup", records: 1)
            let second = Input(name: "dup-again", key: first.key, lines: Input("x", records: 3).lines, records: 3)
            do {
                let store = try openStore(dir)
                #expect(try store.append([first.entry, second.entry]) == [1])  // the second occurrence
                #expect(store.stats.files == 1)
                #expect(store.stats.records == 1)
                #expect(try readBytes(dir + "/" + segmentName(1)) == first.lines)
            }
            let store = try openStore(dir)
            #expect(store.recovery.problems.isEmpty)
            #expect(store.stats.files == 1)
            #expect(try fileSize(dir + "/commits.idx") == 16 + 64)
        }
    }

    @Test func emptyBatchCreatesNothing() throws {
        try withTempDir { dir in
            let store = try openStore(dir)
            #expect(try store.append([]) == [])
            #expect(try segmentFiles(dir).isEmpty)
            expectStats(store.stats, files: 0, records: 0, segments: 0, bytes: 0)
        }
    }

    /// An input that produced no records is still committed (so it is not redone) and is not corruption.
    @Test func inputWithNoRecordsIsCommittedCleanly() throws {
        try withTempDir { dir in
            let a = Input("a"), b = Input("b")
            let empty = Input(name: "empty", key: testKey("empty"), lines: [], records: 0)
            do {
                let store = try openStore(dir)
                try store.append([a.entry, empty.entry])
                try store.append([b.entry])
                #expect(store.contains(empty.key))
                #expect(store.verify() == [])
            }
            let store = try openStore(dir)
            #expect(store.recovery.problems == [])
            #expect(store.contains(empty.key))
            #expect(store.stats.files == 3)
            // The active segment was not sealed: the next append goes to the same segment.
            try store.append([Input("c").entry])
            #expect(try segmentFiles(dir) == [segmentName(1)])
            #expect(store.verify() == [])
        }
    }

    @Test func rotationKeepsEachInputInOneSegment() throws {
        try withTempDir { dir in
            let maxBytes = 800
            let inputs = (0..<30).map { Input("in\($0)", records: 1 + $0 % 3, bodyLength: 10 + ($0 * 7) % 40) }
            do {
                let store = try openStore(dir, segmentMaxBytes: maxBytes)
                var next = 0
                var batch = 1
                while next < inputs.count {  // batches of 1, 2, 3, 1, 2, 3, ...
                    let end = min(inputs.count, next + batch)
                    #expect(try store.append(inputs[next..<end].map(\.entry)).isEmpty)
                    next = end
                    batch = batch % 3 + 1
                }
                let files = try segmentFiles(dir)
                #expect(files.count > 3)
                #expect(store.stats.segments == files.count)
                #expect(store.stats.bytes == inputs.reduce(0) { $0 + $1.lines.count })
            }
            let store = try openStore(dir, segmentMaxBytes: maxBytes)
            #expect(store.recovery.problems.isEmpty)
            let files = try segmentFiles(dir)
            #expect(files == (1...files.count).map(segmentName))
            #expect(store.stats.segments == files.count)
            #expect(store.stats.files == inputs.count)

            var segmentOfInput: [String: Set<String>] = [:]
            for name in files {
                let bytes = try readBytes(dir + "/" + name)
                #expect(bytes.count <= maxBytes, "\(name) is \(bytes.count) bytes")
                #expect(bytes.last == 0x0A)
                for line in splitLines(bytes) {
                    let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
                    let id = try #require(object?["id"] as? String)
                    segmentOfInput[String(id.split(separator: "-")[0]), default: []].insert(name)
                }
            }
            for input in inputs {
                let segments = segmentOfInput[input.name] ?? []
                #expect(segments.count == 1, "\(input.name) is in \(segments.sorted())")
                #expect(store.contains(input.key))
            }
            #expect(try allSegmentBytes(dir) == inputs.flatMap(\.lines))
            #expect(store.verify() == [])
        }
    }

    /// Catch-up reads of committed lines: every input from the given ordinal on, with its ordinal,
    /// in order, across segments, skipping inputs whose records were all duplicates.
    @Test func committedLinesStreamWithTheirInputOrdinals() throws {
        try withTempDir { dir in
            let inputs = (0..<40).map { Input("in\($0)", records: $0 % 4, bodyLength: 10 + ($0 * 13) % 50) }
            let store = try openStore(dir, segmentMaxBytes: 600)
            var next = 0
            while next < inputs.count {
                let end = min(inputs.count, next + 1 + next % 5)
                #expect(try store.append(inputs[next..<end].map(\.entry)).isEmpty)
                next = end
            }
            #expect(try segmentFiles(dir).count > 3)
            for first in [0, 1, 17, 39, 40, 100] {
                var seen: [(Int, [UInt8])] = []
                store.forEachCommittedLine(fromInput: first) { input, line in seen.append((input, Array(line))) }
                var expected: [(Int, [UInt8])] = []
                for (ordinal, input) in inputs.enumerated() where ordinal >= first {
                    for line in splitLines(input.lines) { expected.append((ordinal, Array(line))) }
                }
                #expect(seen.map(\.0) == expected.map(\.0), "from input \(first)")
                #expect(seen.map(\.1) == expected.map(\.1), "from input \(first)")
                #expect(store.committedLines(fromInput: first).map { Array($0) } == expected.map(\.1))
            }
        }
    }

    @Test func batchLargerThanSegmentMaxGoesIntoOneSegment() throws {
        try withTempDir { dir in
            let store = try openStore(dir, segmentMaxBytes: 100)
            let small = Input("small", records: 1, bodyLength: 5)
            let big = Input("big", records: 6, bodyLength: 60)
            try store.append([small.entry])
            try store.append([big.entry])
            #expect(try segmentFiles(dir) == [segmentName(1), segmentName(2)])
            #expect(try readBytes(dir + "/" + segmentName(2)) == big.lines)
            try store.append([Input("after", records: 1, bodyLength: 5).entry])
            #expect(try segmentFiles(dir).count == 3)
            #expect(store.verify() == [])
        }
    }

    /// Keys that share the 8-byte in-memory prefix are told apart by the full key in the index.
    @Test func keysWithTheSamePrefixAreDistinguished() throws {
        try withTempDir { dir in
            let prefix: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
            let keys = (0..<4).map { n in ContentKey(prefix + [UInt8](repeating: UInt8(n), count: 24)) }
            let inputs = keys.prefix(3).enumerated().map { n, key in
                Input(name: "p\(n)", key: key, lines: Input("p\(n)").lines, records: 2)
            }
            do {
                let store = try openStore(dir)
                try store.append([inputs[0].entry])
                try store.append([inputs[1].entry, inputs[2].entry])
                for key in keys.prefix(3) { #expect(store.contains(key)) }
                #expect(!store.contains(keys[3]))
                #expect(try store.append([inputs[1].entry]) == [0])
            }
            let store = try openStore(dir)
            for key in keys.prefix(3) { #expect(store.contains(key)) }
            #expect(!store.contains(keys[3]))
            #expect(store.stats.files == 3)
        }
    }

    /// `contains` from another thread while the committer appends: committed keys never read as absent.
    @Test func containsWhileAppending() async throws {
        try await withTempDir { dir in
            let store = try openStore(dir, segmentMaxBytes: 2_000)
            let early = (0..<20).map { Input("early\($0)") }
            try store.append(early.map(\.entry))
            let keys = early.map(\.key)
            let done = Flag()
            let reader = Task.detached { () -> (checks: Int, misses: Int) in
                var checks = 0
                var misses = 0
                while !done.value.load(ordering: .acquiring) || checks == 0 {
                    for key in keys where !store.contains(key) { misses += 1 }
                    checks += keys.count
                }
                return (checks, misses)
            }
            for n in 0..<60 {
                let input = Input("late\(n)")
                try store.append([input.entry])
                #expect(store.contains(input.key))
            }
            done.value.store(true, ordering: .releasing)
            let result = await reader.value
            #expect(result.checks > 0)
            #expect(result.misses == 0)
            #expect(store.stats.files == 80)
        }
    }
}
