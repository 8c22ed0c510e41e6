/// One committed input: where its records sit in which segment, with checksums.
///
/// The index file is the store's commit log: a batch is acknowledged only once its entries are
/// durable here, and anything in a segment past the last indexed byte was never acknowledged.
struct IndexEntry: Equatable {
    static let size = 64
    static let headerSize = 16
    static let header: [UInt8] = Array("INGESTD-IDX\u{0}".utf8) + [1, 0, 0, 0]

    var key: ContentKey
    var segment: UInt32
    var offset: UInt64
    var length: UInt32
    var records: UInt32
    var rangeCRC: UInt32

    var end: UInt64 { offset + UInt64(length) }

    func encode(into out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: key.bytes)
        append(segment, to: &out)
        append(offset, to: &out)
        append(length, to: &out)
        append(records, to: &out)
        append(rangeCRC, to: &out)
        append(UInt32(0), to: &out)
        let crc = out[start..<start + 60].withUnsafeBytes { CRC32C.checksum($0) }
        append(crc, to: &out)
    }

    /// Decodes the entry at `bytes[start..<start+64]`; nil when its checksum does not match.
    static func decode(_ bytes: UnsafeRawBufferPointer, at start: Int) -> IndexEntry? {
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<start + 60]))
        guard crc == read(UInt32.self, bytes, start + 60) else { return nil }
        return IndexEntry(
            key: ContentKey(bytes[start..<start + 32]),
            segment: read(UInt32.self, bytes, start + 32),
            offset: read(UInt64.self, bytes, start + 36),
            length: read(UInt32.self, bytes, start + 44),
            records: read(UInt32.self, bytes, start + 48),
            rangeCRC: read(UInt32.self, bytes, start + 52)
        )
    }

    private func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func read<T: FixedWidthInteger>(_: T.Type, _ bytes: UnsafeRawBufferPointer, _ at: Int) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value |= T(bytes[at + i]) << (8 * i) }
        return value
    }
}

/// The in-memory set of committed content keys: an 8-byte prefix map with the entry number, so a
/// million inputs cost about 24 MB and load in well under a second. A prefix hit is confirmed
/// against the full key; the rare colliding keys live in a small overflow set.
struct KeySet {
    private var byPrefix: [UInt64: UInt32] = [:]
    private var overflow: Set<ContentKey> = []
    private(set) var count = 0

    mutating func reserve(_ capacity: Int) { byPrefix.reserveCapacity(capacity) }

    /// Adds `key`, stored as index entry number `entry`. `fullKey(entry)` reads an existing entry's key.
    mutating func insert(_ key: ContentKey, entry: UInt32, fullKey: (UInt32) -> ContentKey?) {
        if let existing = byPrefix[key.prefix] {
            if fullKey(existing) == key { return }
            if overflow.insert(key).inserted { count += 1 }
            return
        }
        byPrefix[key.prefix] = entry
        count += 1
    }

    func contains(_ key: ContentKey, fullKey: (UInt32) -> ContentKey?) -> Bool {
        guard let entry = byPrefix[key.prefix] else { return false }
        if overflow.contains(key) { return true }
        return fullKey(entry) == key
    }
}
