import Foundation

/// Text clean-up shared by parsers: line endings, invisible characters, runs of spaces.
public enum TextNormalizer {
    /// CRLF and CR become LF.
    public static func normalizeNewlines(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        return text.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
    }

    /// NFC; drops soft hyphens, zero-width spaces, BOMs and control characters (tabs become
    /// spaces); collapses runs of spaces; trims. Quotes, dashes and spelling are kept as written.
    public static func cleanLine(_ line: Substring) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in line.unicodeScalars {
            switch scalar.value {
            case 0x00AD, 0x200B, 0xFEFF, 0x2060, 0x180E:
                continue  // soft hyphen, zero-width space, BOM, word joiner, Mongolian vowel separator
            case 0x200C, 0x200D:
                continue  // zero-width (non-)joiners: meaningful only inside some scripts' words
            case 0x09, 0x20, 0xA0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000:
                pendingSpace = !out.isEmpty
            case 0x00...0x1F, 0x7F...0x9F:
                continue
            default:
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
            }
        }
        let string = String(out)
        return string.utf8.allSatisfy({ $0 < 0x80 }) ? string : string.precomposedStringWithCanonicalMapping
    }
}
