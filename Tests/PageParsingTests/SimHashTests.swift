import IngestModel
import Testing

@testable import PageParsing

/// `SimHash.compute` and `SimHash.hex` must give exactly what the straightforward scalar-by-scalar
/// code they replaced gave, which is kept below (`ReferenceSimHash`) as the definition; and the word
/// count that `computeWithWordCount` takes from the same bytes must be `WordCounter.count`'s.
/// Each check runs the scalar code and, on a CPU with AVX-512, the eight-lane hashing too.
@Suite("SimHash fast path")
struct SimHashTests {
    private func expectMatches(_ text: String, _ comment: @autoclosure () -> String = "") {
        let (hash, words) = SimHash.computeWithWordCount(text)
        #expect(hash == ReferenceSimHash.compute(text), "hash: \(comment()) \(text.debugDescription)")
        #expect(words == WordCounter.count(text), "words: \(comment()) \(text.debugDescription)")
        #expect(SimHash.compute(text) == hash)
        let scalar = SimHash.computeWithWordCount(text, lanes: false)
        #expect(scalar.hash == hash && scalar.wordCount == words, "scalar: \(comment()) \(text.debugDescription)")
        if SimHash.lanesAvailable {
            let lanes = SimHash.computeWithWordCount(text, lanes: true)
            #expect(lanes.hash == hash && lanes.wordCount == words, "lanes: \(comment()) \(text.debugDescription)")
        }
    }

    @Test("many words of each length from 1 to 17 bytes, up to the last byte of the text")
    func wordsOfOneLength() {
        // Eight or more words of one length are hashed eight at a time; those whose bytes come
        // near the end of the text are hashed one at a time.
        for length in 1...17 {
            for count in [7, 8, 9, 16, 17, 31] {
                let words = (0..<count).map { index in
                    String(SimHashStrings.letters(length + index % 36).dropFirst(index % 36))
                }
                for separator in [" ", ", ", "\n"] {
                    let text = words.joined(separator: separator)
                    expectMatches(text, "\(count) words of \(length)")
                    expectMatches(text.uppercased() + " end", "\(count) uppercase words of \(length)")
                }
            }
        }
    }

    @Test("word counts around runs of joiners, at every 64-byte boundary")
    func joinerRuns() {
        let joiners = ["'", "-", "’", "''", "-'", "’-’", "'-’'", "--"]
        for joiner in joiners {
            for offset in 0..<70 {
                let lead = String(repeating: " ", count: offset)
                for text in [
                    lead + "ab" + joiner + "cd", lead + joiner + "ab", lead + "ab" + joiner,
                    lead + "ab" + joiner + " cd",
                    lead + "ab " + joiner + "cd", lead + "é" + joiner + "ж", lead + "1" + joiner + "2" + joiner + "3",
                    lead + "x." + joiner + "y", lead + "新" + joiner + "🗞" + joiner + "a",
                ] {
                    expectMatches(text)
                }
            }
        }
    }
    @Test("matches the reference on generated strings")
    func matchesReference() {
        for text in SimHashStrings.all() {
            expectMatches(text, "\(text.debugDescription)")
        }
    }

    @Test("a word or separator at every position of strings of every length up to 40")
    func everyPosition() {
        let pieces = [
            " ", ".", "'", "-", "\n", "é", "É", "ß", "’", "—", "新", "🗞", "𐐀", "Ⱥ", "İ", "9", "Z", "\u{2028}", "×",
            "e\u{301}",
        ]
        for length in 0...40 {
            let base = String(SimHashStrings.letters(length))
            expectMatches(base)
            for piece in pieces {
                for position in 0...length {
                    var text = base
                    text.insert(contentsOf: piece, at: text.index(text.startIndex, offsetBy: position))
                    expectMatches(text, "\(text.debugDescription)")
                }
            }
        }
    }

    @Test("every scalar up to U+2FFF, and a sample of the rest, inside and around words")
    func everyScalar() {
        var values = Array(UInt32(0x80)..<0x3000)
        values += stride(from: UInt32(0x3000), through: 0x10FFFF, by: 97)
        for value in values {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a\(scalar)b \(scalar) word\(scalar)\(scalar) x"
            expectMatches(text, "U+\(String(value, radix: 16))")
        }
    }

    @Test("words of every length from 1 to 200 bytes, across 64-byte boundaries")
    func wordLengths() {
        for length in 1...200 {
            for offset in [0, 1, 7, 8, 9, 31, 63, 64, 65] {
                let word = String(SimHashStrings.letters(length + 40).dropFirst(40))
                let text = String(repeating: " ", count: offset) + word + " x " + word.uppercased() + "é" + word
                expectMatches(text, "\(length) at \(offset)")
            }
        }
    }

    @Test("long texts: many batches of words and more shingles than the counters hold before emptying")
    func longTexts() {
        var generator = SeededRandom(seed: 77)
        for wordCount in [255, 256, 257, 4079, 4080, 4081, 4082, 4083, 9000] {
            let words = (0..<wordCount).map { _ in SimHashStrings.words[Int(generator.next() % 40)] }
            let text = words.joined(separator: wordCount % 2 == 0 ? " " : ", ")
            expectMatches(text, "\(wordCount) words")
        }
        let dense = String(repeating: "a ", count: 20_000)
        expectMatches(dense)
        let mixed = String(repeating: "Übergänge naïve café Москва 新闻 it's well-known 2024 ", count: 600)
        expectMatches(mixed)
    }

    @Test(
        "known values",
        arguments: [
            (
                "The council voted on Tuesday to reopen the harbour after a two week closure caused by the storm damage",
                "9d161333b029dffb"
            ),
            (
                "It’s a well-known fact: the “Straße” in Übergang-Städten is 3 000 m long — naïve café owners agree…",
                "01582f647a9980f6"
            ),
            ("Москва и Санкт-Петербург — крупнейшие города России. 新闻报道说，今天天气很好。", "3b7b1c600eddd039"),
            ("one", "2559a15ecd90a5c9"),
            ("two words", "391d21e07672f5a8"),
            ("", "0000000000000000"),
            ("emoji 🗞️ and CJK 新闻 and ΑΒΓ δεζ and İstanbul ǅemal", "24d6a304d0254207"),
        ])
    func knownValues(_ text: String, _ expected: String) {
        #expect(SimHash.hex(SimHash.compute(text)) == expected)
    }

    @Test("hex is 16 lowercase digits, as String(value, radix: 16) padded with zeros")
    func hex() {
        var generator = SeededRandom(seed: 1)
        var values: [UInt64] = [
            0, 1, 0xF, 0x10, 0xAB, UInt64.max, 1 << 63, 0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210,
        ]
        for _ in 0..<1000 { values.append(generator.next() >> (generator.next() % 64)) }
        for value in values {
            let digits = String(value, radix: 16)
            #expect(SimHash.hex(value) == String(repeating: "0", count: 16 - digits.count) + digits)
        }
    }
}

enum SimHashStrings {
    static let words = [
        "the", "council", "voted", "on", "Tuesday", "to", "reopen", "HARBOUR", "2024", "a", "it's", "well-known",
        "rock'n'roll", "e-mail", "U.S.", "10-year-old", "supercalifragilisticexpialidocious", "Straße", "Übergänge",
        "naïve", "café", "Москва", "Ελλάδα", "新闻", "報道", "한국어", "İstanbul", "ǅemal", "Ⱥ", "𐐀𐐨", "Ａｂｃ", "٣٤",
        "ℝⅫ⁴", "x²", "e\u{301}t\u{301}e\u{301}", "don’t", "’tis", "🗞️", "—", "…",
    ]
    static let separators = [
        " ", "  ", ", ", ". ", "\n", "\n\n", "\t", "\r\n", "; ", "!", "?", "(", ")", "\"", "\\", "'", "-", "_", "@",
        "\u{0}", "\u{1F}", "\u{7F}", "\u{A0}", "\u{2028}", "\u{2029}", "—", "“", "”", "’", "…", "×", "。", "，", "😀",
        "🇩🇪", "\u{FEFF}", "\u{FE0F}",
    ]

    /// `count` ASCII letters and digits.
    static func letters(_ count: Int) -> Substring {
        String(repeating: "abcdefghijKLMNOPQRSTuvwxyz0123456789", count: count / 36 + 1).prefix(count)
    }

    static func random(_ generator: inout SeededRandom, maximumLength: Int) -> String {
        let asciiOnly = generator.next() % 3 == 0
        let target = Int(generator.next() % UInt64(maximumLength + 1))
        var text = ""
        while text.utf8.count < target {
            let pick = generator.next()
            if pick % 2 == 0 {
                let word = words[Int(pick / 2 % UInt64(words.count))]
                text += asciiOnly ? String(word.unicodeScalars.filter(\.isASCII)) : word
            } else {
                let separator = separators[Int(pick / 2 % UInt64(separators.count))]
                text += asciiOnly && !separator.unicodeScalars.allSatisfy(\.isASCII) ? " " : separator
            }
        }
        return text
    }

    /// Fixed edge cases, every length up to 40 of several alphabets, and seeded random strings.
    static func all() -> [String] {
        var strings = [
            "", " ", "a", "A", "0", "é", "🗞", "'", "-", "a b", "a b c", "a b c d", String(repeating: "a", count: 300),
            String(repeating: "é", count: 100), String(repeating: " ", count: 100),
            String(repeating: "\u{0}", count: 70),
        ]
        let alphabets = [
            "abcdefghij", "The quick brown fox's well-known jump. ", "a b c d e f g ", "éüßñçΩдЖ ", "新闻报道한국어",
            "🗞😀𝐀𐐀 ", "Ⱥİǅ ℝⅫ⁴ ª²¼", "x-y'z’w—v", "1 22 333 4444 55555 ",
        ]
        for alphabet in alphabets {
            let characters = Array(alphabet)
            for length in 0...40 {
                strings.append(String((0..<length).map { characters[$0 % characters.count] }))
                strings.append(String((0..<length).map { characters[(length - $0) % characters.count] }))
            }
        }
        var generator = SeededRandom(seed: 2024)
        for maximumLength in [8, 16, 40, 100, 1000, 5000] {
            for _ in 0..<(maximumLength < 1000 ? 200 : 30) {
                strings.append(random(&generator, maximumLength: maximumLength))
            }
        }
        return strings
    }
}

/// `SimHash.compute` as it was: one scalar at a time, every word hash kept, 64 bit-sliced counters.
enum ReferenceSimHash {
    static func compute(_ text: String) -> UInt64 {
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
                    isWord = isWordScalar(value)
                    if isWord { value = folded(value) }
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
        var planes = [UInt64](repeating: 0, count: 32)
        let width = min(3, words.count)
        let shingles = words.count - width + 1
        for start in 0..<shingles {
            var shingle: UInt64 = 0xcbf2_9ce4_8422_2325
            for word in words[start..<start + width] { shingle = (shingle ^ word) &* 0x100_0000_01b3 }
            shingle ^= shingle >> 33
            shingle = shingle &* 0xff51_afd7_ed55_8ccd
            shingle ^= shingle >> 33
            var carry = shingle
            var level = 0
            while carry != 0 && level < 32 {
                let next = planes[level] & carry
                planes[level] ^= carry
                carry = next
                level += 1
            }
        }
        var result: UInt64 = 0
        for bit in 0..<64 {
            var count = 0
            for level in 0..<32 where (planes[level] >> UInt64(bit)) & 1 == 1 { count |= 1 << level }
            if 2 * count > shingles { result |= 1 << UInt64(bit) }
        }
        return result
    }

    static func isWordScalar(_ value: UInt32) -> Bool {
        if value < 0x80 {
            return (value &- 0x61 < 26) || (value &- 0x41 < 26) || (value &- 0x30 < 10)
        }
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    static func folded(_ value: UInt32) -> UInt32 {
        if value < 0x80 { return value &- 0x41 < 26 ? value + 0x20 : value }
        guard let scalar = Unicode.Scalar(value) else { return value }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first!.value : value
    }
}
