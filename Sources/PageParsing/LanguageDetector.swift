/// Guesses a text's language from stop-word counts (en, de, fr, es, it, nl, pt, ru).
///
/// Only the first `sampleBytes` bytes are read, so the cost per article is bounded. Words are hashed
/// straight from UTF-8 with case folding for ASCII, Latin-1 and Cyrillic letters.
enum LanguageDetector {
    /// How much of a text is looked at.
    static let sampleBytes = 600
    /// Fewer stop words than this and no language is claimed.
    static let minimumHits = 2

    /// For each stop-word hash, a bit mask of the languages (indices into `LanguageProfile.all`).
    private static let table: HashCounter = {
        var masks: [UInt64: Int32] = [:]
        for (index, profile) in LanguageProfile.all.enumerated() {
            for word in profile.stopWords { masks[WordHash.folded(word), default: 0] |= 1 << Int32(index) }
        }
        var table = HashCounter(capacity: masks.count)
        for (key, mask) in masks { table.add(key, mask) }
        return table
    }()

    /// The ISO 639-1 code of the most likely language, or nil when the text gives too little evidence.
    static func detect(_ texts: [String]) -> String? {
        var counts = [Int](repeating: 0, count: LanguageProfile.all.count)
        var budget = sampleBytes
        let table = Self.table
        for text in texts where budget > 0 {
            var text = text
            text.withUTF8 { bytes in
                let limit = min(bytes.count, budget)
                budget -= limit
                count(bytes, limit: limit, table: table, into: &counts)
            }
        }
        var best = -1
        var second = 0
        for (index, value) in counts.enumerated() {
            if best < 0 || value > counts[best] {
                if best >= 0 { second = max(second, counts[best]) }
                best = index
            } else {
                second = max(second, value)
            }
        }
        guard best >= 0, counts[best] >= minimumHits, counts[best] > second else { return nil }
        return LanguageProfile.all[best].code
    }

    @inline(__always)
    private static func finishWord(_ hash: UInt64, _ table: HashCounter, _ counts: inout [Int]) {
        let mask = table.value(hash)
        guard mask != 0 else { return }
        for language in 0..<counts.count where mask & (1 << language) != 0 { counts[language] += 1 }
    }

    private static func count(
        _ bytes: UnsafeBufferPointer<UInt8>, limit: Int, table: HashCounter, into counts: inout [Int]
    ) {
        var hash = WordHash.seed
        var inWord = false
        var index = 0
        while index < limit {
            let byte = bytes[index]
            if byte < 0x80 {
                if (byte | 0x20) &- 0x61 < 26 {
                    hash = WordHash.mix(hash, byte | 0x20)
                    inWord = true
                } else if inWord {
                    finishWord(hash, table, &counts)  // also at an apostrophe: l'état counts "l"
                    hash = WordHash.seed
                    inWord = false
                }
                index += 1
                continue
            }
            let width = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            guard index + width <= bytes.count else { break }
            var isLetter = false
            if width == 2 {
                var scalar = UInt32(byte & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                if (0xC0...0xDE).contains(scalar) && scalar != 0xD7 {
                    scalar += 0x20
                } else if (0x410...0x42F).contains(scalar) {
                    scalar += 0x20
                } else if (0x400...0x40F).contains(scalar) {
                    scalar += 0x50
                }
                if scalar >= 0xC0 && scalar != 0xD7 && scalar != 0xF7 {
                    hash = WordHash.mix(hash, UInt8(0xC0 | (scalar >> 6)))
                    hash = WordHash.mix(hash, UInt8(0x80 | (scalar & 0x3F)))
                    isLetter = true
                }
            }
            if isLetter {
                inWord = true
            } else if inWord {
                finishWord(hash, table, &counts)  // punctuation, symbols and other scripts end a word
                hash = WordHash.seed
                inWord = false
            }
            index += width
        }
        if inWord { finishWord(hash, table, &counts) }
    }
}
