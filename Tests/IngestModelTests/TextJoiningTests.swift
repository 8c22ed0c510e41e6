import IngestModel
import Testing

/// Joined strings equal the standard library's join, ASCII or not, and behave as strings should
/// (equality, counts, comparison with strings made the usual way).
@Suite("text joining")
struct TextJoiningTests {
    @Test("join equals joined(separator:) for ASCII, Latin, Cyrillic, emoji and empty parts")
    func matchesStandardJoin() {
        let samples: [[String]] = [
            [], ["one"], ["", ""], ["plain", "ascii", "text"], ["Überschrift", "Grüße aus Köln"],
            ["Жара", "в Москве"], ["a 🎉 party", "", "🇫🇷 drapeau"],
            [String(repeating: "long paragraph ", count: 400), "é"],
        ]
        for parts in samples {
            for separator in ["\n\n", " "] {
                let joined = TextJoining.join(parts, separator: Array(separator.utf8))
                let expected = parts.joined(separator: separator)
                #expect(joined == expected)
                #expect(joined.count == expected.count)
                #expect(joined.unicodeScalars.count == expected.unicodeScalars.count)
                #expect(joined.hasPrefix(parts.first ?? ""))
                #expect(Set([joined, expected]).count == 1)
            }
        }
    }

    @Test("trustedUTF8 keeps exactly the bytes written")
    func trustedBytes() {
        for text in ["", "ascii only", "naïve café", "漢字とかな", "mixed ✓ and plain"] {
            let bytes = Array(text.utf8)
            let made = TextJoining.trustedUTF8(capacity: bytes.count + 10) { buffer in
                for (index, byte) in bytes.enumerated() { buffer[index] = byte }
                return bytes.count
            }
            #expect(Array(made.utf8) == bytes)
            #expect(made == text)
            #expect(made.lowercased() == text.lowercased())
        }
    }
}
