import Testing

@testable import RecordStore

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
