import Foundation
import RecordStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The article fingerprints of everything in the store, for duplicate detection across the whole
/// store: exact duplicates (same body sha256) and near duplicates (SimHash within a Hamming
/// distance). Near matches are found with four 16-bit block tables: two 64-bit hashes at most 3 bits
/// apart agree exactly on at least one of their four blocks. The tables are chains in flat arrays,
/// so a million fingerprints load in a fraction of a second.
///
/// Persisted in `store/fingerprints.idx` as fixed 48-byte, checksummed entries: records, and after
/// each commit a marker with the number of store inputs covered. At start-up, entries after the
/// last intact marker are dropped and the inputs the store committed since are read back from the
/// store (normally at most the batch that was in flight), so restarts never re-read the whole store.
final class DuplicateIndex: Sendable {
    /// A fingerprint: 16 bytes of the body's sha256, the SimHash, the record's 16-byte id.
    struct Fingerprint: Equatable {
        var sha: (UInt64, UInt64)
        var simhash: UInt64
        var id: (UInt64, UInt64)

        static func == (a: Fingerprint, b: Fingerprint) -> Bool {
            a.sha == b.sha && a.simhash == b.simhash && a.id == b.id
        }

        /// From the record's hex fields; nil if malformed.
        init?(shaHex: String, simhashHex: String, idHex: String) {
            guard let sha = Self.pair(shaHex), let simhash = UInt64(simhashHex, radix: 16), let id = Self.pair(idHex)
            else {
                return nil
            }
            self.sha = sha
            self.simhash = simhash
            self.id = id
        }

        init(sha: (UInt64, UInt64), simhash: UInt64, id: (UInt64, UInt64)) {
            self.sha = sha
            self.simhash = simhash
            self.id = id
        }

        /// From the digests themselves: the body's sha256 and the record id (16 or more bytes each).
        init(bodyDigest: [UInt8], simhash: UInt64, idDigest: [UInt8]) {
            self.init(sha: Self.pair(bodyDigest), simhash: simhash, id: Self.pair(idDigest))
        }

        /// The first sixteen bytes as two big-endian integers (what their first 32 hex digits read).
        private static func pair(_ digest: [UInt8]) -> (UInt64, UInt64) {
            precondition(digest.count >= 16, "a digest of at least 16 bytes")
            return digest.withUnsafeBytes { raw in
                (
                    UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                    UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                )
            }
        }

        /// The first 32 hex digits as two integers.
        static func pair(_ hex: String) -> (UInt64, UInt64)? {
            var hex = hex
            return hex.withUTF8 { digits in
                guard digits.count >= 32, let high = word(digits, 0), let low = word(digits, 16) else { return nil }
                return (high, low)
            }
        }

        /// The 16 hex digits at `start` as an integer (either case), read in place.
        private static func word(_ digits: UnsafeBufferPointer<UInt8>, _ start: Int) -> UInt64? {
            var value: UInt64 = 0
            for index in start..<start + 16 {
                let digit = digits[index]
                let nibble: UInt8
                switch digit {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = digit - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt64(nibble)
            }
            return value
        }

        var idHex: String {
            func hex(_ value: UInt64) -> String {
                let digits = String(value, radix: 16)
                return String(repeating: "0", count: 16 - digits.count) + digits
            }
            return hex(id.0) + hex(id.1)
        }
    }

    enum Match: Equatable {
        case exact(id: String)
        case near(id: String)
    }

    /// Chained hash tables in flat arrays: a head per bucket and a "next" link per entry. Loading a
    /// million fingerprints is a few array writes each, with no hashing or per-bucket allocation.
    fileprivate struct State {
        var entries: [Fingerprint] = []
        /// Exact table: buckets by the low bits of the body hash. A power of two of at least as many
        /// buckets as entries; it doubles as the index grows, so a small store does not pay for the
        /// table a million fingerprints need.
        var exactHeads = [Int32](repeating: -1, count: minimumExactBuckets)
        var exactNext: [Int32] = []
        /// Near tables: one per 16-bit block of the SimHash.
        var blockHeads = [[Int32]](repeating: [Int32](repeating: -1, count: 1 << 16), count: 4)
        var blockNext: [[Int32]] = [[], [], [], []]
        /// Entries persisted (the rest are taken but not yet committed).
        var committed = 0

        static let minimumExactBuckets = 1 << 12

        /// The smallest table that keeps `entries` at no more than one per bucket.
        static func exactBuckets(for entries: Int) -> Int {
            var buckets = minimumExactBuckets
            while buckets < entries { buckets <<= 1 }
            return buckets
        }

        func exactBucket(_ fingerprint: Fingerprint) -> Int {
            Int(truncatingIfNeeded: fingerprint.sha.1) & (exactHeads.count &- 1)
        }

        /// Makes the exact table `buckets` wide and relinks every entry, oldest first, so that each
        /// chain keeps the newest entry at its head (what `rollback` unlinks).
        mutating func resizeExactTable(to buckets: Int) {
            exactHeads = [Int32](repeating: -1, count: buckets)
            for index in entries.indices {
                let bucket = exactBucket(entries[index])
                exactNext[index] = exactHeads[bucket]
                exactHeads[bucket] = Int32(index)
            }
        }

        static func blockKey(_ simhash: UInt64, _ block: Int) -> Int {
            Int(truncatingIfNeeded: (simhash >> (16 * UInt64(block))) & 0xFFFF)
        }
    }

    static let entrySize = 48
    let path: String
    let distance: Int
    private let state = Mutex(State())
    private let fd: Int32

    /// The committed part of `fingerprints.idx` as read from disk, with its tables built. Reading
    /// needs no store, so the daemon does it while the store recovers (`preload`).
    struct Snapshot: Sendable {
        /// Entries up to the last commit marker, in their tables.
        fileprivate var state = State()
        /// Store inputs the last intact marker says are covered.
        var covered = 0
        /// Bytes up to and including that marker; anything after it is cut at start-up.
        var validEnd = 0
        /// The file as it was read, to tell whether it changed since.
        var identity: FileIdentity?
        var count: Int { state.entries.count }
    }

    /// Size, inode and modification time of a file.
    struct FileIdentity: Equatable {
        var size: Int
        var inode: UInt64
        var modified: Int64

        init?(_ fd: Int32) {
            var st = stat()
            guard fstat(fd, &st) == 0 else { return nil }
            size = Int(st.st_size)
            inode = UInt64(st.st_ino)
            modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        }
    }

    /// Reads `directory/fingerprints.idx` (read-only; a missing file reads as empty).
    static func preload(directory: String, chunkEntries: Int = readChunkEntries) -> Snapshot {
        let fd = open(directory + "/fingerprints.idx", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return Snapshot() }
        defer { close(fd) }
        return read(fd, chunkEntries: chunkEntries)
    }

    /// Entries read per `pread` at start-up: the file is streamed, not held whole.
    static let readChunkEntries = 65_536

    /// Reads the index from `fd`; a read error ends it where it stopped, as a torn tail would
    /// (the catch-up from the store redoes what is missing).
    private static func read(_ fd: Int32, chunkEntries: Int = readChunkEntries) -> Snapshot {
        var snapshot = Snapshot()
        snapshot.identity = FileIdentity(fd)
        let size = snapshot.identity?.size ?? 0
        var state = State()
        state.entries.reserveCapacity(size / entrySize)
        state.exactHeads = [Int32](repeating: -1, count: State.exactBuckets(for: size / entrySize))
        state.exactNext.reserveCapacity(size / entrySize)
        for block in 0..<4 { state.blockNext[block].reserveCapacity(size / entrySize) }
        var committed = 0
        var fileOffset = 0
        reading: while fileOffset + entrySize <= size {
            let wanted = min(max(1, chunkEntries), (size - fileOffset) / entrySize) * entrySize
            guard let chunk = try? POSIX.read(fd, offset: fileOffset, count: wanted, path: "fingerprints.idx")
            else { break }
            let filled = chunk.count
            var offset = 0
            while offset + entrySize <= filled {
                let entry = chunk[offset..<offset + entrySize]
                guard crc(entry) == read32(entry, 4) else { break reading }
                if entry[entry.startIndex] == 1 {
                    insert(
                        Fingerprint(
                            sha: (read64(entry, 8), read64(entry, 16)), simhash: read64(entry, 24),
                            id: (read64(entry, 32), read64(entry, 40))),
                        into: &state)
                } else if entry[entry.startIndex] == 2 {
                    snapshot.covered = Int(read64(entry, 8))
                    committed = state.entries.count
                    snapshot.validEnd = fileOffset + offset + entrySize
                }
                offset += entrySize
            }
            if filled < wanted { break }  // the file ended early
            fileOffset += filled
        }
        state.committed = committed
        rollback(&state)  // taken but never marked committed
        snapshot.state = state
        return snapshot
    }

    /// Loads the index (or takes `preloaded`, read before the store was opened, if the file has
    /// not changed since: a stale snapshot would only make the catch-up below redo work), repairs
    /// its tail and catches up with `store`.
    init(directory: String, store: RecordStore, distance: Int, preloaded: Snapshot? = nil) throws(ServiceError) {
        path = directory + "/fingerprints.idx"
        self.distance = distance
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ServiceError("cannot open \(path): \(String(cString: strerror(errno)))") }
        let current = FileIdentity(fd)
        var snapshot: Snapshot
        if let preloaded, preloaded.identity == current || (preloaded.identity == nil && current?.size == 0) {
            snapshot = preloaded
        } else {
            snapshot = Self.read(fd)
        }
        if snapshot.validEnd < current?.size ?? 0 { _ = ftruncate(fd, off_t(snapshot.validEnd)) }
        var fresh = snapshot.state
        var covered = snapshot.covered
        let stats = store.stats
        if covered > stats.files {
            // The store lost inputs this index covered: rebuild from the store itself.
            _ = ftruncate(fd, 0)
            fresh = State()
            covered = 0
        }
        state.withLock { $0 = fresh }
        if covered < stats.files {
            // Streamed from the store and committed every so many fingerprints, so catching up
            // with a large store (an upgrade, a lost index) takes bounded memory.
            var pending = 0
            var lastInput = covered - 1
            var failure: ServiceError? = nil
            store.forEachCommittedLine(fromInput: covered) { input, line in
                guard failure == nil else { return }
                if input != lastInput && pending >= Self.catchUpCommitEvery {
                    do throws(ServiceError) { try commit(count: pending, inputsCovered: input) } catch {
                        failure = error
                    }
                    pending = 0
                }
                lastInput = input
                guard let fingerprint = Self.fingerprint(ofLine: line) else { return }
                state.withLock { Self.insert(fingerprint, into: &$0) }
                pending += 1
            }
            if let failure { throw failure }
            do { try commit(count: pending, inputsCovered: stats.files) } catch { throw error }
        }
    }

    deinit { close(fd) }

    var count: Int { state.withLock { $0.entries.count } }

    /// Buckets of the exact table (it grows with the index).
    var exactBucketCount: Int { state.withLock { $0.exactHeads.count } }

    /// An earlier article this fingerprint duplicates, exactly or nearly.
    func match(_ fingerprint: Fingerprint) -> Match? {
        state.withLock { state in
            var exact: Int32 = -1
            var cursor = state.exactHeads[state.exactBucket(fingerprint)]
            while cursor >= 0 {
                if state.entries[Int(cursor)].sha == fingerprint.sha { exact = cursor }  // ends at the first one
                cursor = state.exactNext[Int(cursor)]
            }
            if exact >= 0 { return .exact(id: state.entries[Int(exact)].idHex) }
            var best: Int32 = -1
            for block in 0..<4 {
                var cursor = state.blockHeads[block][State.blockKey(fingerprint.simhash, block)]
                while cursor >= 0 {
                    if (state.entries[Int(cursor)].simhash ^ fingerprint.simhash).nonzeroBitCount <= distance {
                        best = best < 0 ? cursor : min(best, cursor)  // the first such article
                    }
                    cursor = state.blockNext[block][Int(cursor)]
                }
            }
            return best >= 0 ? .near(id: state.entries[Int(best)].idHex) : nil
        }
    }

    /// Takes a fingerprint (not yet durable: `commit` or `rollback` follows).
    func add(_ fingerprint: Fingerprint) {
        state.withLock { Self.insert(fingerprint, into: &$0) }
    }

    /// Persists the oldest `count` taken fingerprints and a marker: the store now holds
    /// `inputsCovered` inputs. Call after the store committed them.
    func commit(count: Int, inputsCovered: Int) throws(ServiceError) {
        var bytes: [UInt8] = []
        state.withLock { state in
            let upper = min(state.committed + count, state.entries.count)
            bytes.reserveCapacity(48 * (upper - state.committed + 1))
            for fingerprint in state.entries[state.committed..<upper] {
                Self.encode(
                    kind: 1,
                    [fingerprint.sha.0, fingerprint.sha.1, fingerprint.simhash, fingerprint.id.0, fingerprint.id.1],
                    into: &bytes)
            }
            state.committed = upper
        }
        Self.encode(kind: 2, [UInt64(inputsCovered), 0, 0, 0, 0], into: &bytes)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ServiceError("cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += n
        }
        // No fdatasync: this file is derived from the store. Whatever a power loss leaves of it,
        // start-up keeps the entries up to the last intact marker and re-reads the rest from the
        // store, so a sync here would only cost a disk flush per batch.
    }

    /// Forgets every fingerprint taken since the last commit (their batch was not stored).
    func rollback() {
        state.withLock { Self.rollback(&$0) }
    }

    /// Unlinks the entries after `state.committed` (the newest first).
    private static func rollback(_ state: inout State) {
        while state.entries.count > state.committed {
            let index = Int32(state.entries.count - 1)
            let fingerprint = state.entries.removeLast()
            // The newest entry heads its chains: unlink it.
            let bucket = state.exactBucket(fingerprint)
            if state.exactHeads[bucket] == index { state.exactHeads[bucket] = state.exactNext[Int(index)] }
            state.exactNext.removeLast()
            for block in 0..<4 {
                let key = State.blockKey(fingerprint.simhash, block)
                if state.blockHeads[block][key] == index {
                    state.blockHeads[block][key] = state.blockNext[block][Int(index)]
                }
                state.blockNext[block].removeLast()
            }
        }
    }

    // MARK: - Helpers

    private static func insert(_ fingerprint: Fingerprint, into state: inout State) {
        let index = Int32(state.entries.count)
        state.entries.append(fingerprint)
        let bucket = state.exactBucket(fingerprint)
        state.exactNext.append(state.exactHeads[bucket])
        state.exactHeads[bucket] = index
        if state.entries.count > state.exactHeads.count { state.resizeExactTable(to: state.exactHeads.count * 2) }
        for block in 0..<4 {
            let key = State.blockKey(fingerprint.simhash, block)
            state.blockNext[block].append(state.blockHeads[block][key])
            state.blockHeads[block][key] = index
        }
    }

    /// Fingerprints taken from the store between two commits of the index while catching up.
    static let catchUpCommitEvery = 65_536

    /// The fingerprint of a stored record line. Lines ingestd wrote start with `{"id":"` and hold
    /// `"fingerprint":{"sha256":"…","simhash":"…"}`, found by a byte search (an unescaped quote
    /// cannot occur inside a JSON string, so the search cannot match inside a value); any other
    /// line is parsed as JSON.
    static func fingerprint(ofLine line: ArraySlice<UInt8>) -> Fingerprint? {
        if let fingerprint = fastFingerprint(ofLine: line) { return fingerprint }
        return parsedFingerprint(ofLine: line)
    }

    private static let idPrefix = Array(#"{"id":""#.utf8)
    private static let fingerprintKey = Array(#""fingerprint":{"sha256":""#.utf8)
    private static let simhashKey = Array(#"","simhash":""#.utf8)

    static func fastFingerprint(ofLine line: ArraySlice<UInt8>) -> Fingerprint? {
        line.withUnsafeBufferPointer { bytes in
            guard bytes.count > 140, bytes.starts(with: idPrefix) else { return nil }
            let idStart = idPrefix.count
            // The fingerprint follows the body, near the end of the line: search backwards.
            guard bytes[idStart + 32] == UInt8(ascii: "\""),
                let keyAt = lastOffset(of: fingerprintKey, in: bytes, after: idStart + 33)
            else { return nil }
            let shaStart = keyAt + fingerprintKey.count
            let simhashStart = shaStart + 64 + simhashKey.count
            guard simhashStart + 17 <= bytes.count,
                bytes[(shaStart + 64)..<simhashStart].elementsEqual(simhashKey),
                bytes[simhashStart + 16] == UInt8(ascii: "\"")
            else { return nil }
            func hex(_ start: Int, _ count: Int) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(start + count)]), as: UTF8.self)
            }
            return Fingerprint(shaHex: hex(shaStart, 64), simhashHex: hex(simhashStart, 16), idHex: hex(idStart, 32))
        }
    }

    /// Where the last occurrence of `needle` in `bytes` starts, if it starts at or after `lower`.
    private static func lastOffset(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, after lower: Int) -> Int? {
        var index = bytes.count - needle.count
        while index >= lower {
            if bytes[index] == needle[0] && bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
    }

    /// The fingerprint of a record line, through a JSON parser.
    static func parsedFingerprint(ofLine line: ArraySlice<UInt8>) -> Fingerprint? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let id = object["id"] as? String, let print = object["fingerprint"] as? [String: Any],
            let sha = print["sha256"] as? String, let simhash = print["simhash"] as? String
        else { return nil }
        return Fingerprint(shaHex: sha, simhashHex: simhash, idHex: id)
    }

    /// Appends one entry: kind, three zero bytes, the CRC32C of the values, the values (little-endian).
    private static func encode(kind: UInt8, _ values: [UInt64], into out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: [kind, 0, 0, 0, 0, 0, 0, 0])
        for value in values { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + 8)...])) }
        withUnsafeBytes(of: crc.littleEndian) { raw in
            for offset in 0..<4 { out[start + 4 + offset] = raw[offset] }
        }
    }

    private static func crc(_ entry: ArraySlice<UInt8>) -> UInt32 {
        entry.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
    }

    private static func read64(_ bytes: ArraySlice<UInt8>, _ at: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[bytes.startIndex + at + i]) << (8 * UInt64(i)) }
        return value
    }

    private static func read32(_ bytes: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[bytes.startIndex + at + i]) << (8 * UInt32(i)) }
        return value
    }
}
