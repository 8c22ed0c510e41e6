import Foundation
import RecordStore
import Testing

@testable import IngestService

/// The duplicate index read before the store is opened (the daemon does both at once) must give
/// the same index as reading it afterwards, and must not be used once the file has changed.
@Suite("duplicate index preload")
struct DuplicateIndexPreloadTests {
    private let texts = [
        "Harbour Works Begin\n\nCrews moved onto the quay on Monday after two years of talks.\n",
        "Ferry Timetable Changes\n\nThe winter timetable starts next week with fewer crossings.\n",
        "Library Reopens\n\nThe library reopened on Saturday after the roof was repaired.\n",
        "Council Budget Passed\n\nThe council passed its budget late on Thursday evening.\n",
    ]

    private func entry(_ text: String) throws -> (StoreEntry, DuplicateIndex.Fingerprint) {
        let line = try FingerprintLineTests.storedLine(text) + [0x0A]
        let fingerprint = try #require(DuplicateIndex.fingerprint(ofLine: line.dropLast()))
        let key = ContentKey(RecordBuilder.sha256(Array(text.utf8)))
        return (StoreEntry(key: key, lines: line, recordCount: 1), fingerprint)
    }

    @Test("a preloaded snapshot gives the index a fresh read gives; a stale one still ends in the right index")
    func preload() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("preload-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(DuplicateIndex.preload(directory: directory).count == 0)  // no file yet
        let store = try RecordStore(directory: directory)
        let made = try texts.map(entry)
        _ = try store.append(made.prefix(3).map(\.0))

        // The first index catches up from the store and persists three fingerprints.
        let first = try DuplicateIndex(directory: directory, store: store, distance: 3)
        #expect(first.count == 3)
        let snapshot = DuplicateIndex.preload(directory: directory)
        #expect(snapshot.count == 3)
        #expect(snapshot.covered == 3)

        // Streamed in chunks of any size, the file reads the same (chunks end inside the entries
        // and between an entry and its commit marker).
        for chunkEntries in [1, 2, 3, 5] {
            let small = DuplicateIndex.preload(directory: directory, chunkEntries: chunkEntries)
            #expect(small.count == snapshot.count, "chunks of \(chunkEntries)")
            #expect(small.covered == snapshot.covered && small.validEnd == snapshot.validEnd)
        }
        let preloaded = try DuplicateIndex(directory: directory, store: store, distance: 3, preloaded: snapshot)
        #expect(preloaded.count == 3)
        for (_, fingerprint) in made.prefix(3) {
            #expect(preloaded.match(fingerprint) == .exact(id: fingerprint.idHex))
        }
        #expect(preloaded.match(made[3].1) == nil)

        // The file changes after the snapshot was taken: it is read again (and were the snapshot
        // used, the catch-up from the store would still add what it lacks).
        _ = try store.append([made[3].0])
        preloaded.add(made[3].1)
        try preloaded.commit(count: 1, inputsCovered: 4)
        let later = try DuplicateIndex(directory: directory, store: store, distance: 3, preloaded: snapshot)
        #expect(later.count == 4)
        #expect(later.match(made[3].1) == .exact(id: made[3].1.idHex))

        // A torn tail (half an entry after the last marker) is left out, in any chunk size.
        let path = directory + "/fingerprints.idx"
        let whole = try #require(FileManager.default.contents(atPath: path))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 1, count: 20))
        try handle.close()
        for chunkEntries in [1, 4, DuplicateIndex.readChunkEntries] {
            let torn = DuplicateIndex.preload(directory: directory, chunkEntries: chunkEntries)
            #expect(torn.count == 4)
            #expect(torn.validEnd == whole.count)
        }
    }
}
