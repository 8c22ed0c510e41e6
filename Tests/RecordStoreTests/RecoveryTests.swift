import Foundation
import RecordStore
import Testing

@Suite("RecordStore recovery")
struct RecoveryTests {
    enum Garbage: String, CaseIterable, CustomTestStringConvertible {
        case partialLine, wholeLineAndPartial, wholeLines, binary

        var bytes: [UInt8] {
            switch self {
            case .partialLine: Array(#"{"id":"torn-0","bo"#.utf8)
            case .wholeLineAndPartial: Array(#"{"id":"torn-0","body":"x"}"#.utf8) + [0x0A] + Array(#"{"id""#.utf8)
            case .wholeLines: Input("uncommitted", records: 3).lines
            case .binary: [0, 0, 0, 0, 0xFF, 0x0A, 0x7B]
            }
        }

        var testDescription: String { rawValue }
    }

    /// Bytes after the last commit were never acknowledged: cut, counted, and not a problem.
    @Test(arguments: Garbage.allCases)
    func uncommittedTailIsTruncated(_ garbage: Garbage) throws {
        try withTempDir { dir in
            let inputs = (0..<3).map { Input("g\($0)") }
            do { try openStore(dir).append(inputs.map(\.entry)) }
            let segment = dir + "/" + segmentName(1)
            let committed = try readBytes(segment)
            try appendBytes(segment, garbage.bytes)

            let store = try openStore(dir)
            #expect(store.recovery.truncatedBytes == garbage.bytes.count)
            #expect(store.recovery.truncatedIndexBytes == 0)
            #expect(store.recovery.problems == [])
            #expect(try readBytes(segment) == committed)
            for input in inputs { #expect(store.contains(input.key)) }
            #expect(store.stats.files == 3)
            #expect(store.stats.bytes == committed.count)

            let next = Input("g3")
            try store.append([next.entry])
            #expect(try readBytes(segment) == committed + next.lines)
            #expect(store.verify() == [])
            _ = consume store
            let reopened = try openStore(dir)
            #expect(reopened.recovery.truncatedBytes == 0)
            #expect(reopened.recovery.problems == [])
            #expect(reopened.contains(next.key))
        }
    }

    @Test func corruptByteInActiveSegmentSealsIt() throws {
        try withTempDir { dir in
            let inputs = (0..<4).map { Input("c\($0)", records: 2, bodyLength: 40) }
            do { try openStore(dir).append(inputs.map(\.entry)) }
            let segment = dir + "/" + segmentName(1)
            // A byte inside the body of input 1's second record.
            let offset = inputs[0].lines.count + inputs[1].lines.count - 10
            try flipByte(segment, at: offset)
            let damaged = try readBytes(segment)

            do {
                let store = try openStore(dir)
                let problems = store.recovery.problems
                #expect(problems.count == 1)
                #expect(problems.first?.contains(segmentName(1)) == true)
                #expect(problems.first?.contains("checksum mismatch") == true)
                #expect(problems.first?.contains(inputs[1].key.hex.prefix(12)) == true)
                #expect(store.recovery.truncatedBytes == 0)
                #expect(try readBytes(segment) == damaged)  // nothing cut or rewritten
                for input in inputs { #expect(store.contains(input.key)) }
                #expect(store.stats.files == 4)

                let next = Input("c4")
                try store.append([next.entry])
                #expect(try readBytes(segment) == damaged)
                #expect(try segmentFiles(dir) == [segmentName(1), segmentName(2)])
                #expect(try readBytes(dir + "/" + segmentName(2)) == next.lines)
                #expect(store.stats.segments == 2)
                let verified = store.verify()
                #expect(verified.count == 1)
                #expect(verified.first?.contains(segmentName(1)) == true)
                #expect(verified.first?.contains("checksum mismatch") == true)
            }
            let store = try openStore(dir)
            #expect(store.contains(testKey("c4")))
            #expect(try readBytes(segment) == damaged)
            #expect(store.verify().contains { $0.contains(segmentName(1)) && $0.contains("checksum mismatch") })
        }
    }

    /// The last segment is gone: its inputs are reported lost, opening still works, and the next
    /// append starts a new segment.
    @Test func missingActiveSegmentIsReportedAndStoreStillOpens() throws {
        try withTempDir { dir in
            let first = (0..<3).map { Input("m\($0)", records: 2, bodyLength: 50) }
            let second = (3..<5).map { Input("m\($0)", records: 2, bodyLength: 50) }
            do {
                let store = try openStore(dir, segmentMaxBytes: 400)
                try store.append(first.map(\.entry))
                try store.append(second.map(\.entry))
            }
            #expect(try segmentFiles(dir) == [segmentName(1), segmentName(2)])
            try FileManager.default.removeItem(atPath: dir + "/" + segmentName(2))

            do {
                let store = try openStore(dir, segmentMaxBytes: 400)
                #expect(store.recovery.problems.count == 1)
                #expect(store.recovery.problems.first?.contains(segmentName(2)) == true)
                #expect(store.recovery.problems.first?.contains("missing") == true)
                for input in first { #expect(store.contains(input.key)) }
                for input in second { #expect(!store.contains(input.key)) }
                #expect(store.stats.files == 3)
                #expect(store.stats.segments == 1)
                try store.append(second.map(\.entry))
                for input in second { #expect(store.contains(input.key)) }
            }
            let store = try openStore(dir, segmentMaxBytes: 400)
            #expect(store.recovery.problems == [])
            for input in first + second { #expect(store.contains(input.key)) }
            #expect(try allSegmentBytes(dir) == (first + second).flatMap(\.lines))
            #expect(store.verify() == [])
        }
    }

    /// Committed bytes missing from a closed (not the last) segment are reported and those inputs dropped.
    @Test func committedBytesMissingFromClosedSegment() throws {
        try withTempDir { dir in
            let first = (0..<3).map { Input("k\($0)", records: 2, bodyLength: 50) }
            let second = (3..<5).map { Input("k\($0)", records: 2, bodyLength: 50) }
            do {
                let store = try openStore(dir, segmentMaxBytes: 400)
                try store.append(first.map(\.entry))
                try store.append(second.map(\.entry))
            }
            let segment1 = dir + "/" + segmentName(1)
            let full = try readBytes(segment1)
            try truncateFile(segment1, to: full.count - 5)

            do {
                let store = try openStore(dir, segmentMaxBytes: 400)
                #expect(store.recovery.problems.count == 1)
                #expect(store.recovery.problems.first?.contains(segmentName(1)) == true)
                #expect(store.recovery.problems.first?.contains("missing") == true)
                #expect(try readBytes(segment1) == first[0].lines + first[1].lines)
                #expect(store.contains(first[0].key))
                #expect(store.contains(first[1].key))
                #expect(!store.contains(first[2].key))
                for input in second { #expect(store.contains(input.key)) }
                #expect(store.stats.files == 4)
                try expectWellFormedSegments(dir)
            }
            let store = try openStore(dir, segmentMaxBytes: 400)
            #expect(store.recovery.problems == [])
            #expect(store.stats.files == 4)
            for input in second { #expect(store.contains(input.key)) }
            #expect(store.verify() == [])
        }
    }

    /// Only the active segment takes appends, so extra bytes in a closed one are not a torn append:
    /// they are reported and kept, never cut.
    @Test func extraBytesInClosedSegmentAreKeptAndReported() throws {
        try withTempDir { dir in
            let first = (0..<3).map { Input("e\($0)", records: 2, bodyLength: 50) }
            let second = (3..<5).map { Input("e\($0)", records: 2, bodyLength: 50) }
            do {
                let store = try openStore(dir, segmentMaxBytes: 400)
                try store.append(first.map(\.entry))
                try store.append(second.map(\.entry))
            }
            let segment1 = dir + "/" + segmentName(1)
            let extra = Input("stray", records: 1).lines
            try appendBytes(segment1, extra)

            let store = try openStore(dir, segmentMaxBytes: 400)
            #expect(store.recovery.truncatedBytes == 0)
            #expect(store.recovery.problems.count == 1)
            #expect(store.recovery.problems.first?.contains(segmentName(1)) == true)
            #expect(try readBytes(segment1) == first.flatMap(\.lines) + extra)
            for input in first + second { #expect(store.contains(input.key)) }
            #expect(store.verify().contains { $0.contains(segmentName(1)) && $0.contains("after the last commit") })
        }
    }

    @Test func verifyOnCleanMultiSegmentStoreIsEmpty() throws {
        try withTempDir { dir in
            let store = try openStore(dir, segmentMaxBytes: 300)
            #expect(store.verify() == [])
            for n in 0..<12 { try store.append([Input("v\(n)", records: 1 + n % 2).entry]) }
            #expect(try segmentFiles(dir).count > 2)
            #expect(store.verify() == [])
        }
    }

    @Test func verifyFindsDamageMadeAfterOpen() throws {
        try withTempDir { dir in
            let store = try openStore(dir, segmentMaxBytes: 300)
            for n in 0..<8 { try store.append([Input("w\(n)").entry]) }
            try #require(try segmentFiles(dir).count > 1)
            try flipByte(dir + "/" + segmentName(1), at: 20)
            let problems = store.verify()
            #expect(problems.count == 1)
            #expect(problems.first?.contains(segmentName(1)) == true)
            try appendBytes(dir + "/" + segmentName(1), [0x7B])
            #expect(store.verify().count == 2)
        }
    }

    // MARK: - Commit index

    enum IndexDamage: String, CaseIterable, CustomTestStringConvertible {
        /// The last entry is only partly written.
        case partialLastEntry
        /// The last entry has all 64 bytes but a bad checksum.
        case garbageLastEntry
        /// A whole garbage entry after the last valid one.
        case garbageEntryAppended
        /// A few garbage bytes after the last valid entry.
        case partialGarbageAppended

        var testDescription: String { rawValue }
    }

    @Test(arguments: IndexDamage.allCases)
    func tornIndexTailIsTruncated(_ damage: IndexDamage) throws {
        try withTempDir { dir in
            let inputs = (0..<4).map { Input("i\($0)") }
            do {
                let store = try openStore(dir)
                try store.append(Array(inputs.prefix(2)).map(\.entry))
                try store.append([inputs[2].entry])
                try store.append([inputs[3].entry])
            }
            let index = dir + "/commits.idx"
            let indexSize = 16 + 4 * 64
            #expect(try fileSize(index) == indexSize)
            var lastLost = false
            switch damage {
            case .partialLastEntry:
                try truncateFile(index, to: indexSize - 23)
                lastLost = true
            case .garbageLastEntry:
                try flipByte(index, at: indexSize - 64 + 33)
                lastLost = true
            case .garbageEntryAppended:
                try appendBytes(index, (0..<64).map { UInt8($0 * 7 & 0xFF) })
            case .partialGarbageAppended:
                try appendBytes(index, [1, 2, 3, 4, 5, 6, 7, 8, 9])
            }
            let damagedSize = try fileSize(index)
            let segment = dir + "/" + segmentName(1)
            let kept = lastLost ? Array(inputs.prefix(3)) : inputs

            do {
                let store = try openStore(dir)
                #expect(store.recovery.problems == [])
                #expect(store.recovery.truncatedIndexBytes == damagedSize - (16 + kept.count * 64))
                #expect(store.recovery.truncatedBytes == (lastLost ? inputs[3].lines.count : 0))
                #expect(try fileSize(index) == 16 + kept.count * 64)
                #expect(try readBytes(segment) == kept.flatMap(\.lines))
                for input in kept { #expect(store.contains(input.key)) }
                #expect(store.contains(inputs[3].key) == !lastLost)
                #expect(store.stats.files == kept.count)

                // The input that lost its commit is redone; a new one follows.
                let next = Input("i4")
                #expect(try store.append([inputs[3].entry, next.entry]) == (lastLost ? [] : [0]))
                #expect(store.verify() == [])
            }
            let store = try openStore(dir)
            #expect(store.recovery.problems == [])
            #expect(store.recovery.truncatedBytes == 0)
            #expect(store.recovery.truncatedIndexBytes == 0)
            for input in inputs + [Input("i4")] { #expect(store.contains(input.key)) }
            #expect(try readBytes(segment) == (inputs + [Input("i4")]).flatMap(\.lines))
        }
    }

    /// A bad entry followed by valid ones is not a torn tail: report it, keep the rest findable,
    /// and keep the entry numbering right (keys are confirmed by reading their entry back).
    @Test func corruptIndexEntryInTheMiddleIsReported() throws {
        try withTempDir { dir in
            let inputs = (0..<5).map { Input("x\($0)") }
            do { try openStore(dir).append(inputs.map(\.entry)) }
            let index = dir + "/commits.idx"
            try flipByte(index, at: 16 + 2 * 64 + 5)
            let segment = dir + "/" + segmentName(1)
            let segmentBytes = try readBytes(segment)

            do {
                let store = try openStore(dir)
                let problems = store.recovery.problems
                #expect(problems.contains { $0.contains("commits.idx") && $0.contains("entry 2") })
                // Input 2's records are no longer covered by a commit: the active segment is sealed.
                #expect(problems.contains { $0.contains(segmentName(1)) && $0.contains("not covered") })
                #expect(store.recovery.truncatedBytes == 0)
                #expect(store.recovery.truncatedIndexBytes == 0)
                #expect(try fileSize(index) == 16 + 5 * 64)
                #expect(try readBytes(segment) == segmentBytes)
                for (n, input) in inputs.enumerated() { #expect(store.contains(input.key) == (n != 2)) }
                #expect(store.stats.files == 4)

                let next = Input("x5")
                #expect(try store.append([inputs[2].entry, next.entry]) == [])
                #expect(try readBytes(segment) == segmentBytes)
                #expect(try readBytes(dir + "/" + segmentName(2)) == inputs[2].lines + next.lines)
                for input in inputs + [next] { #expect(store.contains(input.key)) }
                #expect(store.verify().contains { $0.contains("commits.idx") })
            }
            let store = try openStore(dir)
            #expect(store.recovery.problems.contains { $0.contains("commits.idx") })
            for input in inputs + [Input("x5")] { #expect(store.contains(input.key)) }
            #expect(store.stats.files == 6)
            try store.append([Input("x6").entry])
            #expect(store.contains(testKey("x6")))
        }
    }

    /// The last entry of a closed segment is corrupt while later segments are fine: that input's
    /// records must not be cut as if they were an uncommitted tail.
    @Test func corruptIndexEntryOfClosedSegmentKeepsItsRecords() throws {
        try withTempDir { dir in
            let first = (0..<3).map { Input("y\($0)", records: 2, bodyLength: 50) }
            let second = (3..<5).map { Input("y\($0)", records: 2, bodyLength: 50) }
            do {
                let store = try openStore(dir, segmentMaxBytes: 400)
                try store.append(first.map(\.entry))
                try store.append(second.map(\.entry))
            }
            try #require(try segmentFiles(dir).count == 2)
            try flipByte(dir + "/commits.idx", at: 16 + 2 * 64 + 40)
            let segment1 = dir + "/" + segmentName(1)
            let before = try readBytes(segment1)

            let store = try openStore(dir, segmentMaxBytes: 400)
            #expect(store.recovery.problems.contains { $0.contains("commits.idx") })
            #expect(store.recovery.problems.contains { $0.contains(segmentName(1)) })
            #expect(store.recovery.truncatedBytes == 0)
            #expect(try readBytes(segment1) == before)
            #expect(!store.contains(first[2].key))
            for input in first.prefix(2) + second { #expect(store.contains(input.key)) }
        }
    }

    /// After recovery rewrites the index (committed bytes lost), entries are renumbered densely; a
    /// corrupt entry earlier in the old index must not shift the numbering of the survivors.
    @Test func indexRewriteKeepsKeysFindable() throws {
        try withTempDir { dir in
            let first = (0..<3).map { Input("r\($0)", records: 2, bodyLength: 50) }
            let second = (3..<6).map { Input("r\($0)", records: 1, bodyLength: 50) }
            do {
                let store = try openStore(dir, segmentMaxBytes: 400)
                try store.append(first.map(\.entry))
                try store.append(second.map(\.entry))
            }
            try #require(try segmentFiles(dir).count == 2)
            try flipByte(dir + "/commits.idx", at: 16 + 1 * 64 + 10)  // entry 1, in the closed segment
            let segment2 = dir + "/" + segmentName(2)
            try truncateFile(segment2, to: try fileSize(segment2) - 3)  // cuts into input 5

            let survivors = [first[0], first[2], second[0], second[1]]
            do {
                let store = try openStore(dir, segmentMaxBytes: 400)
                #expect(store.recovery.problems.contains { $0.contains("commits.idx") })
                #expect(store.recovery.problems.contains { $0.contains(segmentName(2)) && $0.contains("missing") })
                #expect(try fileSize(dir + "/commits.idx") == 16 + 4 * 64)
                for input in survivors { #expect(store.contains(input.key), "\(input.name)") }
                #expect(!store.contains(first[1].key))
                #expect(!store.contains(second[2].key))
                let redo = [first[1], second[2], Input("r6")]
                #expect(try store.append(redo.map(\.entry)) == [])
                for input in survivors + redo { #expect(store.contains(input.key), "\(input.name)") }
            }
            let store = try openStore(dir, segmentMaxBytes: 400)
            for input in first + second + [Input("r6")] { #expect(store.contains(input.key), "\(input.name)") }
            #expect(store.stats.files == 7)
            // Input r1's old records in segment 1 are uncovered since its entry was lost.
            #expect(store.verify().contains { $0.contains(segmentName(1)) && $0.contains("not covered") })
            try expectWellFormedSegments(dir)
        }
    }

    @Test func badIndexHeaderFailsAndLeaksNoDescriptors() throws {
        try withTempDir { dir in
            try writeBytes(dir + "/commits.idx", Array("not an index at all, just text\n".utf8))
            do throws(StoreError) {
                _ = try openStore(dir)
                Issue.record("opening a store with a bad index header succeeded")
            } catch {
                #expect(error.description.contains("bad header"))
            }
            let leaked = openDescriptorPaths().filter { $0.hasPrefix(dir + "/") }
            #expect(leaked == [])
            // The lock was released as well.
            try writeBytes(dir + "/commits.idx", Array("INGESTD-IDX\u{0}".utf8) + [1, 0, 0, 0])
            let store = try openStore(dir)
            #expect(store.recovery.problems == [])
        }
    }

    @Test func closingReleasesAllDescriptors() throws {
        try withTempDir { dir in
            do {
                let store = try openStore(dir, segmentMaxBytes: 200)
                for n in 0..<5 { try store.append([Input("f\(n)").entry]) }
                #expect(openDescriptorPaths().contains { $0.hasPrefix(dir + "/") })
            }
            #expect(openDescriptorPaths().filter { $0.hasPrefix(dir + "/") } == [])
        }
    }

    // MARK: - Lock

    @Test func secondStoreOnSameDirectoryIsRefused() throws {
        try withTempDir { dir in
            do {
                let store = try openStore(dir)
                try store.append([Input("l0").entry])
                do throws(StoreError) {
                    _ = try openStore(dir)
                    Issue.record("a second store opened the locked directory")
                } catch {
                    #expect(error.operation == "lock")
                    #expect(error.description.contains("another ingestd"))
                    #expect(error.description.contains("pid \(getpid())"))
                }
                // The refused open did not disturb the first one.
                try store.append([Input("l1").entry])
                #expect(store.contains(testKey("l1")))
            }
            let store = try openStore(dir)
            #expect(store.contains(testKey("l0")))
            #expect(store.contains(testKey("l1")))
        }
    }
}
