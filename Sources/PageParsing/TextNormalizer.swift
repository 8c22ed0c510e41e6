import Foundation

/// Text clean-up shared by parsers: line endings, invisible characters, runs of spaces, NFC.
///
/// Works on UTF-8 bytes. A line of plain printable ASCII with single spaces is returned as it is;
/// Foundation's NFC runs only on lines that hold a character NFC could change (`NFCQuickCheck`).
public enum TextNormalizer {
    /// CRLF and CR become LF.
    public static func normalizeNewlines(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        return text.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
    }

    /// NFC; drops soft hyphens, zero-width spaces, BOMs, control characters (tabs become spaces) and
    /// zero-width joiners that join nothing; collapses runs of spaces; trims. Quotes, dashes and
    /// spelling are kept as written.
    public static func cleanLine(_ line: Substring) -> String {
        var line = line
        return line.withUTF8 { cleanLine(utf8: $0) }
    }

    /// Splits text into cleaned lines (LF, CRLF or CR) and groups them into paragraphs: at blank
    /// lines when the text has any, else one paragraph per line. Lines of a paragraph are joined
    /// by a space.
    static func paragraphs(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { bytes in
            var lines: [(String, Bool)] = []  // cleaned line, follows a blank line
            var sawBlank = false
            var afterBlank = false
            var start = 0
            var index = 0
            while index <= bytes.count {
                let byte: UInt8 = index == bytes.count ? 0x0A : bytes[index]
                if byte == 0x0A || byte == 0x0D {
                    let cleaned = cleanLine(utf8: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    if cleaned.isEmpty {
                        if !lines.isEmpty && index < bytes.count { sawBlank = true }
                        afterBlank = true
                    } else {
                        lines.append((cleaned, afterBlank))
                        afterBlank = false
                    }
                    if byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A { index += 1 }
                    start = index + 1
                }
                index += 1
            }
            guard sawBlank else { return lines.map(\.0) }
            var paragraphs: [String] = []
            for (line, startsParagraph) in lines {
                if !startsParagraph, let last = paragraphs.last {
                    paragraphs[paragraphs.count - 1] = last + " " + line
                } else {
                    paragraphs.append(line)
                }
            }
            return paragraphs
        }
    }

    /// `cleanLine` for a whole string whose lines are joined by spaces.
    public static func cleanText(_ text: String) -> String {
        var text = text
        return text.withUTF8 { cleanLine(utf8: $0) }
    }

    /// `cleanLine` on valid UTF-8 bytes.
    static func cleanLine(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String {
        if isClean(bytes) { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        var mayChangeUnderNFC = false
        var previous: UInt32 = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte > 0x20 && byte < 0x7F {
                var end = index + 1
                while end < count {
                    let next = bytes[end]
                    if next > 0x20 && next < 0x7F {
                        end += 1
                    } else if next == 0x20 && end + 1 < count && bytes[end + 1] > 0x20 && bytes[end + 1] < 0x7F {
                        end += 2  // a single space inside the run
                    } else {
                        break
                    }
                }
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                previous = UInt32(bytes[end - 1])
                index = end
                continue
            }
            if byte < 0x80 {
                if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { pendingSpace = !out.isEmpty }
                index += 1  // other control characters are dropped
                continue
            }
            let (scalar, width) = decode(bytes, at: index)
            let next = index + width
            switch scalar {
            case 0x00AD, 0x200B, 0xFEFF, 0x2060, 0x180E:
                break  // soft hyphen, zero-width space, BOM, word joiner, Mongolian vowel separator
            case 0x200C, 0x200D:
                if next < count, joinerIsMeaningful(scalar, previous: previous, next: decode(bytes, at: next).0) {
                    if pendingSpace { out.append(0x20) }
                    pendingSpace = false
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<next]))
                    previous = scalar
                }
            case 0xA0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000:
                pendingSpace = !out.isEmpty
            case 0x80...0x9F, 0x2028, 0x2029:
                break
            default:
                if scalar >= 0x300 && !mayChangeUnderNFC { mayChangeUnderNFC = NFCQuickCheck.mayChange(scalar) }
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<next]))
                previous = scalar
            }
            index = next
        }
        let string = String(decoding: out, as: UTF8.self)
        return mayChangeUnderNFC ? string.precomposedStringWithCanonicalMapping : string
    }

    /// True when there is nothing to clean: no control or invisible characters, no special spaces,
    /// single inner spaces, no leading or trailing space, and no character NFC could change.
    @inline(__always)
    static func isClean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        if count == 0 { return true }
        if base[0] == 0x20 || base[count - 1] == 0x20 { return false }
        var index = 0
        while index < count {
            // Eight bytes at a time while they are printable ASCII without two spaces in a row.
            if index + 8 <= count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                let high = word & 0x8080_8080_8080_8080
                let control = (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080  // bytes < 0x20
                let spaces = word ^ 0x2020_2020_2020_2020
                let space = (spaces &- 0x0101_0101_0101_0101) & ~spaces & 0x8080_8080_8080_8080
                let delete = (word &+ 0x0101_0101_0101_0101) & 0x8080_8080_8080_8080  // 0x7F, when high == 0
                if high == 0 && control == 0 && delete == 0 && (space & (space << 8)) == 0 {
                    if space & 0x8000_0000_0000_0000 != 0 && index + 8 < count && base[index + 8] == 0x20 {
                        return false
                    }
                    index += 8
                    continue
                }
            }
            let byte = base[index]
            if byte < 0x80 {
                if byte < 0x20 || byte == 0x7F { return false }
                if byte == 0x20 && index + 1 < count && base[index + 1] == 0x20 { return false }
                index += 1
                continue
            }
            let (scalar, width) = decode(bytes, at: index)
            switch scalar {
            case 0x80...0xA0, 0xAD, 0x180E, 0x2000...0x200F, 0x2028...0x202F, 0x205F...0x2060, 0x3000, 0xFEFF, 0xFFFD:
                return false
            default:
                if scalar >= 0x300 && NFCQuickCheck.mayChange(scalar) { return false }
            }
            index += width
        }
        return true
    }

    /// Decodes the scalar at `index` of valid UTF-8 (a truncated sequence yields U+FFFD).
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let width = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard width > 1, index + width <= bytes.count else { return (0xFFFD, 1) }
        var scalar = UInt32(lead) & (0x7F >> UInt32(width))
        for offset in 1..<width { scalar = scalar << 6 | UInt32(bytes[index + offset] & 0x3F) }
        return (scalar, width)
    }

    /// ZWJ and ZWNJ matter between letters of scripts that shape by joining (Arabic, Syriac, the
    /// Indic scripts) and, for ZWJ, inside emoji sequences. Anywhere else they are noise.
    private static func joinerIsMeaningful(_ joiner: UInt32, previous: UInt32, next: UInt32) -> Bool {
        func joiningScript(_ scalar: UInt32) -> Bool {
            (0x0600...0x08FF).contains(scalar) || (0x0900...0x0DFF).contains(scalar)
                || (0xFB50...0xFEFC).contains(scalar) || (0x0700...0x074F).contains(scalar)
        }
        func emoji(_ scalar: UInt32) -> Bool {
            (0x1F000...0x1FAFF).contains(scalar) || (0x2600...0x27BF).contains(scalar) || scalar == 0xFE0F
        }
        if joiningScript(previous) && joiningScript(next) { return true }
        return joiner == 0x200D && emoji(previous) && emoji(next)
    }
}

/// A conservative NFC quick check: false means the scalar can neither change nor compose under
/// NFC, so text made only of such scalars is already NFC. True means "maybe" (combining marks,
/// conjoining jamo, singletons, composition exclusions and the scripts that have them).
enum NFCQuickCheck {
    static func mayChange(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0..<0x300, 0x388...0x482, 0x48A...0x590, 0x2010...0x20CF, 0x2100...0x2125, 0x2130...0x2328,
            0x232B...0x2ADB, 0x2ADD...0x2FFF, 0x3001...0x3098, 0x30A0...0x33FF, 0x4E00...0x9FFF, 0xAC00...0xD7A3,
            0x1F300...0x1FAFF:
            return false
        case 0x300...0x36F, 0x340...0x344, 0x374, 0x37E, 0x387: return true
        case 0x0900...0x0DFF, 0x0F00...0x0FFF, 0x1000...0x109F, 0x1100...0x11FF, 0x1B00...0x1B7F: return true
        case 0x1F00...0x1FFF, 0x2000...0x2001, 0x2126, 0x212A...0x212B, 0x2329...0x232A, 0x2ADC: return true
        case 0x3099...0x309A, 0xF900...0xFAFF, 0xFB1D...0xFB4F: return true
        case 0x110A0...0x11FFF, 0x1D15E...0x1D1C0, 0x2F800...0x2FA1F: return true
        default:
            guard let value = Unicode.Scalar(scalar) else { return false }
            return value.properties.canonicalCombiningClass != .notReordered
        }
    }
}
