import Foundation
import Testing

@testable import RecordStore

#if canImport(Glibc)
    import Glibc
#endif

/// The in-memory forms the store builds at start-up from its commit index.
@Suite("start-up structures")
struct StartupStructuresTests {
    private func key(_ seed: UInt8) -> ContentKey {
        ContentKey((0..<32).map { seed &+ UInt8($0) &* 7 })
    }

    @Test("a content key keeps its 32 bytes; equality, hashing and the lookup prefix follow them")
    func contentKey() {
        let bytes: [UInt8] = (0..<32).map { UInt8($0 * 5 + 1) }
        let key = ContentKey(bytes)
        #expect(key.bytes == bytes)
        #expect(key.prefix == 0x0106_0B10_151A_1F24)  // the first 8 bytes, big-endian
        #expect(key.hex.hasPrefix("01060b10151a1f24"))
        #expect(key.hex.count == 64)
        #expect(ContentKey(bytes[...]) == key)
        #expect(bytes.withUnsafeBytes { ContentKey($0) } == key)
        #expect(ContentKey(([0] + bytes + [0])[1..<33]) == key)  // a slice that does not start at 0
        #expect(ContentKey(bytes.lazy.map { $0 }) == key)  // a sequence without contiguous storage
        var other = bytes
        other[31] ^= 1
        #expect(ContentKey(other) != key)
        #expect(Set([key, ContentKey(bytes), ContentKey(other)]).count == 2)
    }

    private func entry(_ segment: UInt32, _ offset: UInt64) -> IndexEntry {
        IndexEntry(
            key: key(UInt8(truncatingIfNeeded: offset)), segment: segment, offset: offset, length: 10, records: 1,
            rangeCRC: 0)
    }

    @Test("entries in segment order are grouped by range, each segment in commit order")
    func inOrder() {
        let entries = [entry(1, 0), entry(1, 10), entry(2, 0), entry(4, 0), entry(4, 10), entry(4, 20)]
        let groups = SegmentGroups(entries)
        #expect(Set(groups.numbers) == [1, 2, 4])
        #expect(groups[1].map(\.offset) == [0, 10])
        #expect(groups[2].map(\.offset) == [0])
        #expect(groups[4].map(\.offset) == [0, 10, 20])
        #expect(groups[3].isEmpty)
    }

    @Test("the commit index read in chunks of any size decodes as when read whole, corrupt runs included")
    func streamedIndex() throws {
        try withTempDir { directory in
            let store = try openStore(directory)
            for batch in 0..<3 {
                _ = try store.append((0..<4).map { Input("input-\(batch)-\($0)", records: 1).entry })
            }
            let path = directory + "/commits.idx"
            // Corrupt entries 3 and 4 (a run that chunks of 1–4 entries split) and 9, and add a torn
            // tail: half an entry.
            var bytes = try readBytes(path)
            for entry in [3, 4, 9] { bytes[IndexEntry.headerSize + entry * IndexEntry.size + 40] ^= 0xFF }
            bytes += [UInt8](repeating: 7, count: IndexEntry.size / 2)
            try Data(bytes).write(to: URL(fileURLWithPath: path))

            var wholeReport = RecoveryReport()
            let whole = bytes.withUnsafeBytes { RecordStore.decodeEntries($0, report: &wholeReport) }
            #expect(whole.entries.count == 12 - 3)
            #expect(wholeReport.problems.count == 2)
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            defer { close(fd) }
            for chunkEntries in [1, 2, 3, 4, 5, 64] {
                var report = RecoveryReport()
                let streamed = try RecordStore.loadIndex(
                    fd: fd, size: bytes.count, path: path, report: &report, chunkEntries: chunkEntries)
                #expect(streamed == whole, "chunks of \(chunkEntries)")
                #expect(report.problems == wholeReport.problems, "chunks of \(chunkEntries)")
            }
        }
    }

    @Test("entries out of segment order are grouped like Dictionary(grouping:), keeping their order")
    func outOfOrder() {
        let entries = [entry(2, 0), entry(1, 30), entry(2, 10), entry(1, 0), entry(3, 5), entry(1, 20)]
        let groups = SegmentGroups(entries)
        let expected = Dictionary(grouping: entries, by: \.segment)
        #expect(Set(groups.numbers) == Set(expected.keys))
        for (segment, members) in expected { #expect(Array(groups[segment]) == members, "segment \(segment)") }
        #expect(SegmentGroups([])[1].isEmpty)
    }
}
