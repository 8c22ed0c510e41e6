import IngestModel

/// 64-bit SimHash over word 3-shingles (FNV-1a per shingle): near-identical texts have hashes a
/// few bits apart.
public enum SimHash {
    public static func compute(_ text: String) -> UInt64 {
        var words: [UInt64] = []
        words.reserveCapacity(text.utf8.count / 5)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var inWord = false
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                var value = UInt32(byte)
                var isWord: Bool
                if byte < 0x80 {  // ASCII: decided and folded inline
                    isWord = (byte &- 0x61 < 26) || (byte &- 0x41 < 26) || (byte &- 0x30 < 10)
                    if byte &- 0x41 < 26 { value |= 0x20 }
                    index += 1
                } else {
                    let length = byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
                    value = byte < 0xE0 ? value & 0x1F : byte < 0xF0 ? value & 0x0F : value & 0x07
                    for offset in 1..<length where index + offset < count {
                        value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
                    }
                    index += length
                    isWord = WordCounter.isWordScalar(value)
                    if isWord { value = Self.folded(value) }
                }
                if isWord {
                    hash = (hash ^ UInt64(value)) &* 0x100_0000_01b3
                    inWord = true
                } else if inWord {
                    words.append(hash)
                    hash = 0xcbf2_9ce4_8422_2325
                    inWord = false
                }
            }
        }
        if inWord { words.append(hash) }
        if words.isEmpty { return 0 }
        // 64 counters, bit-sliced: plane i holds bit i of every counter, so adding a shingle is a
        // ripple-carry over a few words instead of 64 separate additions.
        var planes = (
            UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
            UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
            UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
            UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0)
        )
        let width = min(3, words.count)
        let shingles = words.count - width + 1
        withUnsafeMutableBytes(of: &planes) { raw in
            let plane = raw.bindMemory(to: UInt64.self)
            for start in 0..<shingles {
                var shingle: UInt64 = 0xcbf2_9ce4_8422_2325
                for word in words[start..<start + width] { shingle = (shingle ^ word) &* 0x100_0000_01b3 }
                shingle ^= shingle >> 33
                shingle = shingle &* 0xff51_afd7_ed55_8ccd
                shingle ^= shingle >> 33
                var carry = shingle
                var level = 0
                while carry != 0 && level < 32 {
                    let next = plane[level] & carry
                    plane[level] ^= carry
                    carry = next
                    level += 1
                }
            }
        }
        // A bit is set when more than half the shingles have it (the sign of +1/-1 weights).
        var result: UInt64 = 0
        withUnsafeBytes(of: &planes) { raw in
            let plane = raw.bindMemory(to: UInt64.self)
            for bit in 0..<64 {
                var count = 0
                for level in 0..<32 where (plane[level] >> UInt64(bit)) & 1 == 1 { count |= 1 << level }
                if 2 * count > shingles { result |= 1 << UInt64(bit) }
            }
        }
        return result
    }

    /// Case-folded scalar value: ASCII by arithmetic, the rest through the Unicode tables.
    @inline(__always)
    static func folded(_ value: UInt32) -> UInt32 {
        if value < 0x80 { return value &- 0x41 < 26 ? value + 0x20 : value }
        guard let scalar = Unicode.Scalar(value) else { return value }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first!.value : value
    }

    /// The value as 16 lowercase hex digits.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
}
