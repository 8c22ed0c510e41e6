/// 64-bit FNV-1a hashes of words, so the hot paths can look words up without building `String`s.
///
/// Lexicon words are hashed from their lowercased UTF-8; a word in a page is hashed from its bytes
/// with ASCII letters folded to lowercase, and through `String.lowercased()` when it is not ASCII.
/// Both give the same hash for the same lowercased word.
enum WordHash {
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x100_0000_01b3

    @inline(__always)
    static func mix(_ hash: UInt64, _ byte: UInt8) -> UInt64 { (hash ^ UInt64(byte)) &* prime }

    /// The hash of the lowercased word in `bytes[range]`.
    static func folded(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        var hash = seed
        for index in range {
            let byte = bytes[index]
            if byte >= 0x80 {
                return folded(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
            }
            hash = mix(hash, byte &+ (byte >= 0x41 && byte <= 0x5A ? 0x20 : 0))
        }
        return hash
    }

    /// The hash of the lowercased `word`.
    static func folded(_ word: String) -> UInt64 {
        var hash = seed
        for byte in word.lowercased().utf8 { hash = mix(hash, byte) }
        return hash
    }

    /// Combines two hashes into one order-sensitive hash (for word pairs).
    static func pair(_ first: UInt64, _ second: UInt64) -> UInt64 {
        var hash = first &* 0x9E37_79B9_7F4A_7C15
        hash ^= second &+ 0x632B_E59B_D9B4_E019 &+ (hash << 6) &+ (hash >> 2)
        return hash
    }
}

/// A set of lowercased words stored as hashes.
struct HashedWordSet: Sendable {
    private var hashes: HashCounter

    init(_ words: [String]) {
        hashes = HashCounter(capacity: words.count)
        for word in words where !hashes.contains(WordHash.folded(word)) { hashes.add(WordHash.folded(word)) }
    }

    /// Builds from a space-separated word list.
    init(_ words: String) {
        self.init(words.split(separator: " ").map(String.init))
    }

    func contains(hash: UInt64) -> Bool { hashes.contains(hash) }
}

/// Open-addressing table from word hashes to counts. The keys are already well-mixed 64-bit hashes,
/// so they index the table directly (no second hashing, unlike `Dictionary`).
struct HashCounter: Sendable {
    private struct Entry {
        var key: UInt64
        var count: Int32
    }

    private var entries: [Entry]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 16) {
        var size = 8
        while size < capacity * 2 { size <<= 1 }
        entries = [Entry](repeating: Entry(key: 0, count: 0), count: size)
        mask = size - 1
    }

    /// Zero is the empty-slot marker; a real zero hash is stored as 1.
    @inline(__always)
    private static func stored(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key ^ (key >> 29)) &* 0x9E37_79B9_7F4A_7C15 >> 32) & mask
    }

    mutating func add(_ key: UInt64, _ amount: Int32 = 1) {
        let key = Self.stored(key)
        if (count + 1) * 2 > entries.count { grow() }
        var index = slot(key)
        while true {
            if entries[index].key == key {
                entries[index].count += amount
                return
            }
            if entries[index].key == 0 {
                entries[index] = Entry(key: key, count: amount)
                count += 1
                return
            }
            index = (index + 1) & mask
        }
    }

    func value(_ key: UInt64) -> Int {
        let key = Self.stored(key)
        var index = slot(key)
        while true {
            let entry = entries[index]
            if entry.key == key { return Int(entry.count) }
            if entry.key == 0 { return 0 }
            index = (index + 1) & mask
        }
    }

    func contains(_ key: UInt64) -> Bool { value(key) != 0 }

    private mutating func grow() {
        let old = entries
        entries = [Entry](repeating: Entry(key: 0, count: 0), count: old.count * 2)
        mask = entries.count - 1
        count = 0
        for entry in old where entry.key != 0 { add(entry.key, entry.count) }
    }
}
