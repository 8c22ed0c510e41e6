import Testing

@testable import PageParsing

/// The byte-level shortcuts of the body heuristics, list clean-up and language detection against the
/// general code they stand in for.
@Suite("fast paths agree with the general code")
struct FastPathTests {
    // MARK: Word hashes and letter case

    @Test("folding on the bytes hashes like lowercased(): every scalar up to U+07FF and other ranges")
    func foldedHash() {
        var scalars = Array(0x20...0x7FF) + Array(0x1E00...0x1EFF) + Array(0x2000...0x206F) + Array(0x2100...0x218F)
        scalars += [0x10400, 0x10428, 0x1F600, 0xFB01, 0x0130, 0x212A]
        for value in scalars {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            for word in [String(scalar), "A" + String(scalar) + "b", String(scalar) + "Ж" + String(scalar) + "É"] {
                let bytes = Array(word.utf8)
                let hash = bytes.withUnsafeBufferPointer { WordHash.folded($0, 0..<$0.count) }
                #expect(hash == WordHash.folded(word), "U+\(String(value, radix: 16)) in \(word)")
            }
        }
        // Ranges that cut a character, and stray bytes, go through the String path too.
        let broken: [[UInt8]] = [
            [0xC3], [0x41, 0xC3], [0xC3, 0x41], [0x80, 0x41], [0xD0], [0xE2, 0x80], [0xE2, 0x80, 0x41],
        ]
        for bytes in broken {
            let hash = bytes.withUnsafeBufferPointer { WordHash.folded($0, 0..<$0.count) }
            #expect(hash == WordHash.folded(String(decoding: bytes, as: UTF8.self)), "\(bytes)")
        }
    }

    @Test("the letter case of a scalar: Latin-1 without the tables, the same as the Unicode properties")
    func letterCase() {
        for value in UInt32(0x80)...0x52F {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let expected: TokenFlags =
                scalar.properties.isUppercase ? .upper : scalar.properties.isLowercase ? .lower : []
            #expect(TokenFlags.letterCase(of: value) == expected, "U+\(String(value, radix: 16))")
        }
    }

    // MARK: Tokens

    @Test("a word ending in one punctuation mark: the shortcut gives what the general rules give")
    func punctuatedWords() {
        let words = [
            "a", "I", "harbour", "Harbour", "HARBOUR", "e.g", "i.e", "U.S", "Mr", "mr", "MRS", "etc", "St", "Jan",
            "sept", "No", "x", "X1", "b2", "it's", "People's", "PEOPLE'S", "JONES'S", "l'état", "d'Italia", "L'Oréal",
            "dell'anno", "l’homme", "d’un", "Kestrel-Bay", "Oslo-based", "co-op", "Jones’s", "abc’S", "week’s",
            "Zürich", "naïve", "Straße", "s", "S's", "a'", "e.g.g",
        ]
        let marks = [".", ",", ";", ":", "?", "!"]
        var checked = 0
        for elision in [false, true] {
            let tokenizer = ParagraphTokenizer(elision: elision)
            for word in words {
                for mark in marks {
                    let bytes = Array((word + mark).utf8)
                    bytes.withUnsafeBufferPointer { buffer in
                        guard let fast = tokenizer.punctuatedWord(buffer, 0, buffer.count) else { return }
                        #expect(fast == tokenizer.slowToken(buffer, 0..<buffer.count), "\(word + mark)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 300)
    }

    // MARK: List clean-up

    @Test("list clean-up: the same items as trimming by scalars and comparing case keys")
    func uniqueLists() {
        var random = SeededRandom(seed: 3)
        let pool = [
            "Storms", "storms", "STORMS", "Harbour", "harbour ", " Harbour", "Häfen", "HÄFEN", "häfen", "\u{212A}ey",
            "key", "KEY", "İstanbul", "i̇stanbul", "", " ", ",", "\u{00A0}Oslo\u{00A0}", "Oslo", "|Tag|", "tag;",
            "\tTab",
            "a, b", "Ж", "ж", "naïve", "NAÏVE", "ÿ", "Ÿ", "x\u{0301}", "X\u{0301}",
        ]
        for _ in 0..<5_000 {
            let items = (0..<random.below(20)).map { _ in pool[random.below(pool.count)] }
            #expect(ListNormalizer.unique(items) == Self.referenceUnique(items), "\(items)")
        }
    }

    /// `ListNormalizer.unique` as it was written before its shortcuts.
    static func referenceUnique(_ items: [String]) -> [String] {
        var seen: [[UInt8]] = []
        var result: [String] = []
        for item in items {
            let trimmed = String(item[...].trimming(" \u{00A0}\t,;|"))
            guard !trimmed.isEmpty else { continue }
            let key = Folding.caseKey(trimmed)
            guard !seen.contains(key) else { continue }
            seen.append(key)
            result.append(trimmed)
        }
        return result
    }

    // MARK: Language detection

    @Test("language detection: the same answer as hashing byte by byte, on generated texts")
    func languageDetection() {
        var random = SeededRandom(seed: 5)
        var vocabulary = LanguageProfile.all.flatMap(\.stopWords)
        vocabulary += [
            "harbour", "ferry", "Hafen", "Fähre", "navire", "barco", "porto", "haven", "гавань", "extraordinarily",
            "Verkehrsministerium", "l'état", "d'Italia", "Ärger", "ÉTÉ", "СКАЗАЛ", "x1", "2024", "—", "“quoted”", "🙂",
        ]
        let separators = [" ", " ", " ", ", ", ". ", "\n", "'", "’", " (", ") ", "-", "\u{00A0}"]
        for _ in 0..<3_000 {
            var texts: [String] = []
            for _ in 0..<(1 + random.below(4)) {
                var text = ""
                for _ in 0..<random.below(160) {
                    var word = vocabulary[random.below(vocabulary.count)]
                    switch random.below(6) {
                    case 0: word = word.uppercased()
                    case 1: word = word.prefix(1).uppercased() + word.dropFirst()
                    default: break
                    }
                    text += word + separators[random.below(separators.count)]
                }
                texts.append(text)
            }
            #expect(LanguageDetector.detect(texts) == ReferenceLanguageDetector.detect(texts), "\(texts)")
            #expect(
                LanguageDetector.detect(texts[0], Array(texts.dropFirst())) == ReferenceLanguageDetector.detect(texts))
        }
    }
}

/// `LanguageDetector` as it was written before it read words eight bytes at a time: FNV-1a of the
/// folded bytes (`WordHash`), byte by byte.
enum ReferenceLanguageDetector {
    static let table: [UInt64: Int] = {
        var masks: [UInt64: Int] = [:]
        for (index, profile) in LanguageProfile.all.enumerated() {
            for word in profile.stopWords { masks[WordHash.folded(word), default: 0] |= 1 << index }
        }
        return masks
    }()

    static func detect(_ texts: [String]) -> String? {
        var counts = [Int](repeating: 0, count: LanguageProfile.all.count)
        var budget = LanguageDetector.sampleBytes
        for text in texts where budget > 0 {
            let bytes = Array(text.utf8)
            let limit = min(bytes.count, budget)
            budget -= limit
            count(bytes, limit: limit, into: &counts)
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
        guard best >= 0, counts[best] >= LanguageDetector.minimumHits, counts[best] > second else { return nil }
        return LanguageProfile.all[best].code
    }

    static func count(_ bytes: [UInt8], limit: Int, into counts: inout [Int]) {
        func finish(_ hash: UInt64) {
            let mask = table[hash] ?? 0
            for language in 0..<counts.count where mask & (1 << language) != 0 { counts[language] += 1 }
        }
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
                    finish(hash)
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
                finish(hash)
                hash = WordHash.seed
                inWord = false
            }
            index += width
        }
        if inWord { finish(hash) }
    }
}
