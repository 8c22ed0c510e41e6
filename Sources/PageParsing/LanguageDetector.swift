/// Guesses a text's language from stop-word counts (en, de, fr, es, it, nl, pt, ru).
///
/// Only the first `sampleBytes` bytes are read, so the cost per article is bounded. Words are read
/// straight from UTF-8 with case folding for ASCII, Latin-1 and Cyrillic letters, and looked up by
/// a `WordKey` of their folded bytes.
enum LanguageDetector {
    /// How much of a text is looked at.
    static let sampleBytes = 600
    /// Fewer stop words than this and no language is claimed.
    static let minimumHits = 2

    /// For each stop word's key, a bit mask of the languages (indices into `LanguageProfile.all`),
    /// behind a 4096-bit filter that rules most other words out without touching the table.
    private static let table: StopWordTable = {
        var masks: [UInt64: Int32] = [:]
        for (index, profile) in LanguageProfile.all.enumerated() {
            for word in profile.stopWords {
                var key = WordKey()
                for byte in word.lowercased().utf8 { key.append(byte) }
                masks[key.value, default: 0] |= 1 << Int32(index)
            }
        }
        return StopWordTable(masks)
    }()

    /// Stop-word keys to language masks, with a bit filter in front.
    private struct StopWordTable: Sendable {
        private var masks: HashCounter
        /// Bit `key >> 52` (of 4096) is set for each stop word's key.
        private var filter = [UInt64](repeating: 0, count: 64)

        init(_ masks: [UInt64: Int32]) {
            self.masks = HashCounter(capacity: masks.count)
            for (key, mask) in masks {
                self.masks.add(key, mask)
                filter[Int(truncatingIfNeeded: key >> 58)] |= 1 << (key >> 52 & 63)
            }
        }

        /// The languages of the word with key `key` (a bit mask, zero for most words).
        @inline(__always)
        func languages(_ key: UInt64) -> Int {
            let bits = filter.withUnsafeBufferPointer { $0[Int(truncatingIfNeeded: key >> 58)] }
            guard bits & (1 << (key >> 52 & 63)) != 0 else { return 0 }
            return masks.value(key)
        }
    }

    /// The ISO 639-1 code of the most likely language, or nil when the text gives too little evidence.
    static func detect(_ texts: [String]) -> String? {
        withStopWordCounter { counter in
            for text in texts {
                guard counter.add(text) else { break }
            }
        }
    }

    /// `detect` on texts given as UTF-8 buffers (a page's lines, without making strings of them).
    static func detect(utf8 texts: [UnsafeBufferPointer<UInt8>]) -> String? {
        withStopWordCounter { counter in
            for text in texts {
                guard counter.add(utf8: text) else { break }
            }
        }
    }

    /// `detect([first] + rest)` without building that array.
    static func detect(_ first: String, _ rest: [String]) -> String? {
        withStopWordCounter { counter in
            guard counter.add(first) else { return }
            for text in rest {
                guard counter.add(text) else { break }
            }
        }
    }

    /// The language after `read` has given texts to a new counter, whose counts are on the stack.
    private static func withStopWordCounter(_ read: (inout StopWordCounter) -> Void) -> String? {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: LanguageProfile.all.count) { counts in
            counts.initialize(repeating: 0)
            var counter = StopWordCounter(counts: counts)
            read(&counter)
            return counter.language
        }
    }

    /// The key of a word for the stop-word table: a hash of its folded UTF-8 taken eight bytes at a
    /// time, so that a word of up to eight ASCII letters costs one multiplication.
    struct WordKey {
        private var hash: UInt64 = 0x243F_6A88_85A3_08D3
        /// Bytes after the last full eight, the first in the lowest bits.
        private var pending: UInt64 = 0
        /// Bytes appended.
        private(set) var count = 0

        @inline(__always)
        mutating func append(_ byte: UInt8) {
            pending |= UInt64(byte) << UInt64((count & 7) &<< 3)
            count &+= 1
            if count & 7 == 0 {
                hash = Self.mix(hash, pending)
                pending = 0
            }
        }

        /// Appends `length` (1...8) bytes packed into `bytes`, the first in the lowest bits, the
        /// rest zero. Only while `count` is a multiple of eight.
        @inline(__always)
        mutating func append(packed bytes: UInt64, length: Int) {
            if length == 8 {
                hash = Self.mix(hash, bytes)
            } else {
                pending = bytes
            }
            count &+= length
        }

        var value: UInt64 {
            let hash = (count & 7 == 0 ? self.hash : Self.mix(self.hash, pending)) ^ UInt64(truncatingIfNeeded: count)
            let mixed = hash &* 0xFF51_AFD7_ED55_8CCD
            return mixed ^ (mixed >> 33)
        }

        @inline(__always)
        private static func mix(_ hash: UInt64, _ bytes: UInt64) -> UInt64 {
            let mixed = (hash ^ bytes) &* 0x9E37_79B9_7F4A_7C15
            return mixed ^ (mixed >> 29)
        }
    }

    /// Stop-word counts per language over texts read in order, until `sampleBytes` are read.
    private struct StopWordCounter {
        /// Hits per language, indexed like `LanguageProfile.all`.
        private let counts: UnsafeMutableBufferPointer<Int>
        private var budget = LanguageDetector.sampleBytes

        init(counts: UnsafeMutableBufferPointer<Int>) {
            self.counts = counts
        }

        /// Counts the stop words of `text` within the remaining budget. False once the budget is
        /// spent (before or by this text): later texts are not read.
        mutating func add(_ text: String) -> Bool {
            var text = text
            return text.withUTF8 { add(utf8: $0) }
        }

        /// `add` on a text's UTF-8.
        mutating func add(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard budget > 0 else { return false }
            let limit = min(bytes.count, budget)
            budget -= limit
            // The table is read where it lives: a copy held here would retain and release its
            // arrays, whose counts every parsing thread shares.
            Self.count(bytes, limit: limit, table: LanguageDetector.table, into: counts)
            return budget > 0
        }

        /// The language with the most hits, if it has at least `minimumHits` and more than any other.
        var language: String? {
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

        /// Counts the stop words among the words that start in `bytes[..<limit]`. A word is a run
        /// of ASCII letters and two-byte letters (Latin-1 and beyond, Cyrillic); an apostrophe,
        /// other punctuation and characters of three or four bytes end it.
        private static func count(
            _ bytes: UnsafeBufferPointer<UInt8>, limit: Int, table: StopWordTable,
            into counts: UnsafeMutableBufferPointer<Int>
        ) {
            guard let base = bytes.baseAddress else { return }
            var key = WordKey()
            var inWord = false
            var index = 0
            while index < limit {
                let byte = base[index]
                if byte < 0x80 {
                    if (byte | 0x20) &- 0x61 < 26 {
                        inWord = true
                        // A run of ASCII letters, eight bytes at a time where the buffer allows.
                        if key.count & 7 == 0 && index &+ 8 <= bytes.count {
                            let word = UInt64(
                                littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                            let run = min(leadingASCIILetters(word), limit &- index)
                            let kept = run == 8 ? ~0 : (1 &<< UInt64(run &<< 3)) &- 1 as UInt64
                            key.append(packed: (word | 0x2020_2020_2020_2020) & kept, length: run)
                            index &+= run
                        } else {
                            key.append(byte | 0x20)
                            index &+= 1
                        }
                        continue
                    } else if inWord {
                        finishWord(key, table, counts)  // also at an apostrophe: l'état counts "l"
                        key = WordKey()
                        inWord = false
                    }
                    index &+= 1
                    continue
                }
                let width = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                guard index + width <= bytes.count else { break }
                var isLetter = false
                if width == 2 {
                    var scalar = UInt32(byte & 0x1F) << 6 | UInt32(base[index + 1] & 0x3F)
                    if (0xC0...0xDE).contains(scalar) && scalar != 0xD7 {
                        scalar += 0x20
                    } else if (0x410...0x42F).contains(scalar) {
                        scalar += 0x20
                    } else if (0x400...0x40F).contains(scalar) {
                        scalar += 0x50
                    }
                    if scalar >= 0xC0 && scalar != 0xD7 && scalar != 0xF7 {
                        key.append(UInt8(0xC0 | (scalar >> 6)))
                        key.append(UInt8(0x80 | (scalar & 0x3F)))
                        isLetter = true
                    }
                }
                if isLetter {
                    inWord = true
                } else if inWord {
                    finishWord(key, table, counts)  // punctuation, symbols and other scripts end a word
                    key = WordKey()
                    inWord = false
                }
                index += width
            }
            if inWord { finishWord(key, table, counts) }
        }

        /// How many of the eight bytes of `word` (in memory order) are ASCII letters before the
        /// first byte that is not.
        @inline(__always)
        private static func leadingASCIILetters(_ word: UInt64) -> Int {
            let low7 = (word | 0x2020_2020_2020_2020) & 0x7F7F_7F7F_7F7F_7F7F  // lowercased, bit 7 clear
            let atLeastA = low7 &+ 0x1F1F_1F1F_1F1F_1F1F  // bit 7 set where the byte is "a" or above
            let aboveZ = low7 &+ 0x0505_0505_0505_0505  // bit 7 set where the byte is above "z"
            let letters = atLeastA & ~aboveZ & ~word & 0x8080_8080_8080_8080
            return (~letters & 0x8080_8080_8080_8080).trailingZeroBitCount &>> 3
        }

        @inline(__always)
        private static func finishWord(
            _ key: WordKey, _ table: StopWordTable, _ counts: UnsafeMutableBufferPointer<Int>
        ) {
            var mask = table.languages(key.value)
            while mask != 0 {
                counts[mask.trailingZeroBitCount] += 1
                mask &= mask &- 1
            }
        }
    }
}
