/// 64-bit SimHash over word 3-shingles (FNV-1a per shingle): near-identical texts have hashes a
/// few bits apart.
public enum SimHash {
    public static func compute(_ text: String) -> UInt64 {
        var words: [UInt64] = []
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var inWord = false
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                hash = (hash ^ UInt64(scalar.value)) &* 0x100_0000_01b3
                inWord = true
            } else if inWord {
                words.append(hash)
                hash = 0xcbf2_9ce4_8422_2325
                inWord = false
            }
        }
        if inWord { words.append(hash) }
        if words.isEmpty { return 0 }
        var weights = [Int](repeating: 0, count: 64)
        let width = min(3, words.count)
        for start in 0...(words.count - width) {
            var shingle: UInt64 = 0xcbf2_9ce4_8422_2325
            for word in words[start..<start + width] { shingle = (shingle ^ word) &* 0x100_0000_01b3 }
            shingle ^= shingle >> 33
            shingle = shingle &* 0xff51_afd7_ed55_8ccd
            shingle ^= shingle >> 33
            for bit in 0..<64 { weights[bit] += (shingle >> UInt64(bit)) & 1 == 1 ? 1 : -1 }
        }
        var result: UInt64 = 0
        for bit in 0..<64 where weights[bit] > 0 { result |= 1 << UInt64(bit) }
        return result
    }

    /// The value as 16 lowercase hex digits.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
}
