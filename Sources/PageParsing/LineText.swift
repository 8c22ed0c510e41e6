import IngestModel

/// Small questions about cleaned lines (single spaces, trimmed), answered on Unicode scalars.
enum LineText {
    /// Closing quotes and brackets that may follow a sentence's final punctuation.
    @inline(__always)
    static func isCloser(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x22, 0x27, 0x29, 0x5D, 0xBB, 0x2019, 0x201D, 0x203A: return true
        default: return false
        }
    }

    /// Opening quotes and brackets that may precede a sentence's first word.
    @inline(__always)
    static func isOpener(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x22, 0x27, 0x28, 0x5B, 0xA1, 0xAB, 0xBF, 0x2018, 0x201C, 0x201E, 0x2039: return true
        default: return false
        }
    }

    /// `parts` joined by one `separator` byte, in one allocation.
    static func join(_ parts: [String], separator: UInt8) -> String {
        TextJoining.join(parts, separator: [separator])
    }

    /// The texts of `lines[range]` joined by one `separator` byte, copied from the lines' bytes;
    /// with `blankLineBetweenBlocks`, lines of different blocks are joined by a blank line instead
    /// (`"\n\n"`).
    static func join(_ lines: PageLines, _ range: Range<Int>, separator: UInt8, blankLineBetweenBlocks: Bool = false)
        -> String
    {
        var total = (blankLineBetweenBlocks ? 2 : 1) * max(0, range.count - 1)
        for index in range { total += lines[index].byteCount }
        // The lines' bytes are valid UTF-8, cut at line ends: not validated again.
        return TextJoining.trustedUTF8(capacity: total) { buffer in
            var offset = 0
            for index in range {
                if index > range.lowerBound {
                    if blankLineBetweenBlocks && lines[index].block != lines[index - 1].block {
                        buffer[offset] = 0x0A
                        buffer[offset + 1] = 0x0A
                        offset += 2
                    } else {
                        buffer[offset] = separator
                        offset += 1
                    }
                }
                let bytes = lines[index].utf8
                guard let source = bytes.baseAddress, !bytes.isEmpty else { continue }
                UnsafeMutableRawPointer(buffer.baseAddress! + offset).copyMemory(from: source, byteCount: bytes.count)
                offset += bytes.count
            }
            return offset
        }
    }

    /// Number of space-separated words.
    static func wordCount(_ text: some StringProtocol) -> Int {
        var count = text.isEmpty ? 0 : 1
        for byte in text.utf8 where byte == 0x20 { count += 1 }
        return count
    }

    /// Short, starting with a capital letter or digit, not ending like a sentence (`?` and `!` are
    /// allowed: "Who pays?").
    static func isHeadingLike(_ line: PageLine, maxWords: Int = 25) -> Bool {
        guard line.byteCount <= 250, line.wordCount <= maxWords, line.startsCapitalized,
            let last = line.lastMeaningful
        else { return false }
        switch last.value {
        case 0x2E, 0x2C, 0x3B, 0x3A, 0x2026: return false
        default: return true
        }
    }

    /// Splits at any of the ASCII `separators`, trims each part, drops empty parts.
    static func split(_ text: Substring, separators: Set<UInt8>) -> [String] {
        let bytes = Array(text.utf8)
        var parts: [String] = []
        var start = 0
        for index in 0...bytes.count where index == bytes.count || separators.contains(bytes[index]) {
            var partStart = start
            var partEnd = index
            while partStart < partEnd && bytes[partStart] == 0x20 { partStart += 1 }
            while partEnd > partStart && bytes[partEnd - 1] == 0x20 { partEnd -= 1 }
            if partEnd > partStart { parts.append(String(decoding: bytes[partStart..<partEnd], as: UTF8.self)) }
            start = index + 1
        }
        return parts
    }
}

extension Substring {
    /// Trims the given characters (compared as Unicode scalars) from both ends.
    func trimming(_ characters: String) -> Substring {
        if characters.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII set: work on UTF-8 code units.
            let set = characters.utf8
            let utf8 = self.utf8
            var start = utf8.startIndex
            var end = utf8.endIndex
            while start < end, set.contains(utf8[start]) { start = utf8.index(after: start) }
            while end > start, set.contains(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
            return Substring(utf8[start..<end])
        }
        let set = characters.unicodeScalars
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, set.contains(scalars[start]) { start = scalars.index(after: start) }
        while end > start, set.contains(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return Substring(scalars[start..<end])
    }
}

extension String {
    /// Trims the given characters (compared as Unicode scalars) from both ends.
    func trimming(_ characters: String) -> Substring { self[...].trimming(characters) }
}
