import Testing

@testable import PageParsing

/// `PhraseList` skips most comparisons (a pair filter for substrings, eight bytes at a time for
/// prefixes); these tests hold it to plain byte-by-byte searches.
@Suite("phrase lists")
struct PhraseListTests {
    /// Phrases of one to many bytes, ASCII and not, some sharing a first byte or a start.
    static let phrases = [
        "all rights reserved", "trademark", "marque déposée", "все права защищены", "a", "ab", "abc",
        "read more", "read", "continue reading", "by ", "by the way", "©", "written by ", "x y",
    ]

    private static func naiveContains(_ text: [UInt8], _ phrase: [UInt8]) -> Bool {
        guard phrase.count <= text.count else { return false }
        for start in 0...(text.count - phrase.count) where Array(text[start..<start + phrase.count]) == phrase {
            return true
        }
        return false
    }

    private static func naivePrefixLength(_ text: [UInt8], _ phrases: [[UInt8]]) -> Int? {
        phrases.first { text.starts(with: $0) }?.count
    }

    /// Filler of lowercase letters, spaces and some two-byte letters.
    private static func filler(_ length: Int, _ random: inout SeededRandom) -> [UInt8] {
        let pieces: [[UInt8]] =
            Array("abcdefghijklmnopqrstuvwxyz   ".utf8).map { [$0] } + [
                Array("é".utf8), Array("ж".utf8),
            ]
        var bytes: [UInt8] = []
        while bytes.count < length { bytes += pieces[random.below(pieces.count)] }
        return bytes
    }

    @Test("a phrase is found at every offset, odd and even, at the start and at the end")
    func everyOffset() {
        var random = SeededRandom(seed: 8)
        for phrase in Self.phrases {
            let list = PhraseList([phrase])
            let bytes = Array(phrase.utf8)
            for offset in 0..<20 {
                for tail in [0, 1, 7] {
                    let text = Self.filler(offset, &random) + bytes + Self.filler(tail, &random)
                    text.withUnsafeBufferPointer { text in
                        #expect(list.anyContained(in: text), "\(phrase) at \(offset)")
                    }
                }
            }
        }
    }

    @Test("anyContained agrees with a plain search on generated texts")
    func agreesWithSearch() {
        var random = SeededRandom(seed: 88)
        let list = PhraseList(Self.phrases.filter { $0.utf8.count > 2 })
        let phrases = Self.phrases.filter { $0.utf8.count > 2 }.map { Array($0.utf8) }
        var found = 0
        for _ in 0..<3000 {
            var text = Self.filler(random.below(90), &random)
            if random.below(4) == 0 {
                // A phrase, or one with a byte changed, somewhere in the text.
                var phrase = phrases[random.below(phrases.count)]
                if random.below(2) == 0 { phrase[random.below(phrase.count)] ^= 0x01 }
                let at = random.below(text.count + 1)
                text.insert(contentsOf: phrase, at: at)
            }
            let expected = phrases.contains { Self.naiveContains(text, $0) }
            if expected { found += 1 }
            text.withUnsafeBufferPointer { buffer in
                #expect(list.anyContained(in: buffer) == expected, "\(String(decoding: text, as: UTF8.self))")
            }
        }
        #expect(found > 100)
    }

    @Test(
        "prefixLength is the length of the first listed phrase the text starts with",
        arguments: [Self.phrases, Self.phrases.filter { $0.utf8.count > 1 }])
    func prefixes(_ strings: [String]) {
        var random = SeededRandom(seed: 888)
        let list = PhraseList(strings)
        let phrases = strings.map { Array($0.utf8) }
        var matched = 0
        for _ in 0..<3000 {
            var text = Self.filler(random.below(20), &random)
            if random.below(2) == 0 {
                var phrase = phrases[random.below(phrases.count)]
                if random.below(3) == 0 { phrase = Array(phrase.prefix(random.below(phrase.count + 1))) }
                text = phrase + text
            }
            let expected = Self.naivePrefixLength(text, phrases)
            if expected != nil { matched += 1 }
            text.withUnsafeBufferPointer { buffer in
                #expect(list.prefixLength(of: buffer) == expected, "\(String(decoding: text, as: UTF8.self))")
            }
        }
        #expect(matched > 500)
    }
}
