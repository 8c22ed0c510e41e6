/// 64-bit FNV-1a hashes of words, so the hot paths can look words up without building `String`s.
///
/// Lexicon words are hashed from their lowercased UTF-8; a word in a page is hashed from its bytes
/// with ASCII, Latin-1 and Cyrillic capitals lowercased on the bytes, and through
/// `String.lowercased()` when it has other non-ASCII letters. Both give the same hash for the same
/// lowercased word.
enum WordHash {
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x100_0000_01b3

    @inline(__always)
    static func mix(_ hash: UInt64, _ byte: UInt8) -> UInt64 { (hash ^ UInt64(byte)) &* prime }

    /// The hash of the lowercased word in `bytes[range]`.
    @inline(__always)
    static func folded(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        let base = bytes.baseAddress.unsafelyUnwrapped
        var hash = seed
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = base[index]
            guard byte < 0x80 else { return foldedNonASCII(bytes, range) }
            hash = mix(hash, byte &+ (byte &- 0x41 < 26 ? 0x20 : 0))
            index &+= 1
        }
        return hash
    }

    /// `folded(bytes, range)` for a word with a non-ASCII byte: two-byte letters whose lowercase
    /// form `String.lowercased()` gives by a fixed offset (Latin-1, basic Cyrillic) are folded on
    /// the bytes; any other non-ASCII character sends the whole word through `folded(_: String)`.
    @inline(never)
    private static func foldedNonASCII(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        let base = bytes.baseAddress.unsafelyUnwrapped
        var hash = seed
        var index = range.lowerBound
        while index < range.upperBound {
            var lead = base[index]
            if lead < 0x80 {
                hash = mix(hash, lead &+ (lead &- 0x41 < 26 ? 0x20 : 0))
                index &+= 1
                continue
            }
            guard index &+ 1 < range.upperBound, base[index &+ 1] & 0xC0 == 0x80 else { break }
            var trail = base[index &+ 1]
            switch lead {
            case 0xC2: break  // U+0080...U+00BF: no capitals
            case 0xC3:  // U+00C0...U+00FF: À...Þ (not ×) lowercase to à...þ
                if trail <= 0x9E && trail != 0x97 { trail &+= 0x20 }
            case 0xD0:  // U+0400...U+043F
                if trail >= 0xB0 {  // а...п
                } else if trail >= 0xA0 {  // Р...Я to р...я
                    lead = 0xD1
                    trail &-= 0x20
                } else if trail >= 0x90 {  // А...П to а...п
                    trail &+= 0x20
                } else {  // Ѐ...Џ to ѐ...џ
                    lead = 0xD1
                    trail &+= 0x10
                }
            case 0xD1 where trail <= 0x9F: break  // U+0440...U+045F: р...я, ѐ...џ
            case 0xE2 where trail == 0x80 && index &+ 2 < range.upperBound && base[index &+ 2] & 0xC0 == 0x80:
                // U+2000...U+203F (quotes, dashes, ellipsis): no capitals
                hash = mix(mix(mix(hash, lead), trail), base[index &+ 2])
                index &+= 3
                continue
            default: return folded(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
            }
            hash = mix(mix(hash, lead), trail)
            index &+= 2
        }
        if index < range.upperBound {  // a truncated or stray byte sequence
            return folded(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
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

    @inline(__always)
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
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key ^ (key >> 29)) &* 0x9E37_79B9_7F4A_7C15 >> 32) & mask
    }

    mutating func add(_ key: UInt64, _ amount: Int32 = 1) {
        let key = Self.stored(key)
        if (count + 1) * 2 > entries.count { grow() }
        var index = Self.slot(key, mask)
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

    /// Adds one for each of `keys`, growing the table first for the case that all are new.
    mutating func add(each keys: UnsafeBufferPointer<UInt64>) {
        guard !keys.isEmpty else { return }
        while (count + keys.count) * 2 > entries.count { grow() }
        let mask = mask
        let added = entries.withUnsafeMutableBufferPointer { entries in
            var added = 0
            for key in keys {
                let key = Self.stored(key)
                var index = Self.slot(key, mask)
                while true {
                    if entries[index].key == key {
                        entries[index].count += 1
                        break
                    }
                    if entries[index].key == 0 {
                        entries[index] = Entry(key: key, count: 1)
                        added += 1
                        break
                    }
                    index = (index &+ 1) & mask
                }
            }
            return added
        }
        count += added
    }

    @inline(__always)
    func value(_ key: UInt64) -> Int {
        let key = Self.stored(key)
        return entries.withUnsafeBufferPointer { entries in
            var index = Self.slot(key, mask)
            while true {
                let entry = entries[index]
                if entry.key == key { return Int(entry.count) }
                if entry.key == 0 { return 0 }
                index = (index &+ 1) & mask
            }
        }
    }

    @inline(__always)
    func contains(_ key: UInt64) -> Bool { value(key) != 0 }

    private mutating func grow() {
        let old = entries
        entries = [Entry](repeating: Entry(key: 0, count: 0), count: old.count * 2)
        mask = entries.count - 1
        count = 0
        for entry in old where entry.key != 0 { add(entry.key, entry.count) }
    }
}
