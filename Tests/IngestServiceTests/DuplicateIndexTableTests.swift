import Foundation
import RecordStore
import Testing

@testable import IngestService

/// The exact table starts small and doubles as fingerprints are added; matches and rollbacks must
/// not notice.
@Suite("duplicate index tables")
struct DuplicateIndexTableTests {
    /// A fingerprint with a distinct body hash, SimHash and id for each `number`.
    private func fingerprint(_ number: UInt64) -> DuplicateIndex.Fingerprint {
        var state = number &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019
        func next() -> UInt64 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return DuplicateIndex.Fingerprint(sha: (next(), next()), simhash: next(), id: (number, ~number))
    }

    @Test("the exact table grows with the index; exact, near and no matches stay right across growth and rollback")
    func growth() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("table-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try RecordStore(directory: directory)
        let index = try DuplicateIndex(directory: directory, store: store, distance: 3)
        let small = index.exactBucketCount
        #expect(small <= 4096)

        for number in 0..<5_000 { index.add(fingerprint(UInt64(number))) }
        try index.commit(count: 5_000, inputsCovered: 0)
        #expect(index.exactBucketCount >= 5_000 && index.exactBucketCount < 4 * 5_000)
        for number in stride(from: 0, to: 5_000, by: 7) {
            let added = fingerprint(UInt64(number))
            #expect(index.match(added) == .exact(id: added.idHex))
        }

        // A later article with an earlier one's body: a third one like them matches the earliest,
        // also once the table has grown past the point where both went in (checked below).
        var again = fingerprint(10)
        again.simhash = ~again.simhash
        again.id = (1 << 40, 1)
        index.add(again)
        #expect(index.match(again) == .exact(id: fingerprint(10).idHex))
        var close = fingerprint(7_000_000)
        close.simhash = fingerprint(42).simhash ^ 0b1_0001  // two bits from article 42
        #expect(index.match(close) == .near(id: fingerprint(42).idHex))
        #expect(index.match(fingerprint(6_000_000)) == nil)

        // Past another doubling, then rolled back: the table keeps its size, the rolled-back
        // fingerprints are gone, and the committed ones still match.
        let before = index.exactBucketCount
        for number in 5_000..<20_000 { index.add(fingerprint(UInt64(number))) }
        #expect(index.exactBucketCount > before)
        #expect(index.match(fingerprint(19_999)) == .exact(id: fingerprint(19_999).idHex))
        #expect(index.match(again) == .exact(id: fingerprint(10).idHex))
        index.rollback()
        #expect(index.count == 5_000)
        #expect(index.match(fingerprint(19_999)) == nil)
        #expect(index.match(fingerprint(12_345)) == nil)
        for number in stride(from: 3, to: 5_000, by: 11) {
            let added = fingerprint(UInt64(number))
            #expect(index.match(added) == .exact(id: added.idHex))
        }
        #expect(index.match(again) == .exact(id: fingerprint(10).idHex))

        // Added after the rollback: linked in and found.
        index.add(fingerprint(30_000))
        #expect(index.match(fingerprint(30_000)) == .exact(id: fingerprint(30_000).idHex))
    }
}
