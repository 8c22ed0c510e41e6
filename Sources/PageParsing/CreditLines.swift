/// Copyright lines and wire datelines: who wrote or owns an article. Both are read on bytes.
enum CreditLines {
    /// A copyright notice and the name of its holder.
    struct Copyright: Equatable {
        var holder: String?
        var line: String
    }

    private static let marks = PhraseList(["©", "(c)", "copyright", "&copy;", "℗"])
    private static let abbreviations = PhraseSet(["inc", "ltd", "co", "corp", "bros", "jr", "sr"])

    /// The line opens with a copyright mark.
    static func isCopyright(_ line: PageLine) -> Bool {
        guard line.byteCount <= 240, let markCount = marks.prefixLength(of: line.head) else { return false }
        return markCount >= line.head.count || line.head[markCount] &- 0x61 >= 26
    }

    /// "© Copyright 2019 Example Wire. All rights reserved." → holder "Example Wire".
    static func copyright(_ line: PageLine) -> Copyright? {
        guard isCopyright(line) else { return nil }
        return copyright(line.text)
    }

    static func copyright(_ text: String) -> Copyright? {
        let folded = Folding.fold(text)
        guard folded.count <= 240 else { return nil }
        var start = 0
        var sawMark = false
        while let mark = marks.phrases.first(where: { Folding.hasPrefix(folded, $0, at: start) }) {
            if mark.last.map({ $0 &- 0x61 < 26 }) == true, start + mark.count < folded.count,
                folded[start + mark.count] &- 0x61 < 26
            {
                break  // "Copyrighted": a word, not the mark
            }
            start += mark.count
            sawMark = true
            while start < folded.count && (folded[start] == 0x20 || folded[start] == UInt8(ascii: ":")) { start += 1 }
        }
        guard sawMark else { return nil }
        // Years and ranges: "2010-2019", "2019 –".
        while start < folded.count {
            let byte = folded[start]
            if (byte >= 0x30 && byte <= 0x39) || byte == 0x20 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ",")
                || byte == UInt8(ascii: "/")
            {
                start += 1
            } else if Folding.hasPrefix(folded, [0xE2, 0x80, 0x93], at: start) {
                start += 3
            } else {
                break
            }
        }
        var end = folded.count
        for phrase in Markers.rightsReserved.phrases {
            if let offset = firstOffset(of: phrase, in: folded, from: start), offset < end { end = offset }
        }
        func isTrimmed(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "|")
        }
        while end > start && isTrimmed(folded[end - 1]) { end -= 1 }
        while end > start && folded[end - 1] == UInt8(ascii: ".") && !endsWithAbbreviation(folded, start..<end) {
            end -= 1
            while end > start && isTrimmed(folded[end - 1]) { end -= 1 }
        }
        let holder = String(decoding: Array(text.utf8)[start..<end], as: UTF8.self)
        return Copyright(holder: holder.isEmpty ? nil : holder, line: text)
    }

    private static func firstOffset(of phrase: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count - start >= phrase.count else { return nil }
        for offset in start...(bytes.count - phrase.count) where Folding.hasPrefix(bytes, phrase, at: offset) {
            return offset
        }
        return nil
    }

    /// A final word like "Inc.", "Ltd.", "Co.", "S.A." keeps its period.
    private static func endsWithAbbreviation(_ folded: [UInt8], _ range: Range<Int>) -> Bool {
        var wordStart = range.upperBound - 1
        while wordStart > range.lowerBound && folded[wordStart - 1] != 0x20 { wordStart -= 1 }
        let bare = wordStart..<(range.upperBound - 1)
        return folded[bare].contains(UInt8(ascii: ".")) || abbreviations.contains(folded, bare)
    }

    /// Whether `text` could open a wire dateline: its bytes before the first `,` or `(` are
    /// capitals, spaces, dots, hyphens, apostrophes or non-ASCII. A looser form of the place rule of
    /// `wireDateline` (keep it looser: the article precheck relies on `wireDateline` refusing
    /// whatever this refuses).
    static func mayOpenWireDateline(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { mayOpenWireDateline($0) }
    }

    /// `mayOpenWireDateline` on a line's UTF-8.
    static func mayOpenWireDateline(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in utf8 {
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "(") { return true }
            let allowed =
                (byte >= 0x41 && byte <= 0x5A) || byte >= 0x80 || byte == 0x20 || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "-") || byte == 0x27
            if !allowed { return false }
        }
        return true
    }

    /// "CITY (Agency) - text", "CITY, March 3 (Agency) — text": the agency and the text after the dash.
    static func wireDateline(_ paragraph: String) -> (agency: String, text: String)? {
        let bytes = Array(paragraph.utf8.prefix(160))
        guard let open = bytes.prefix(90).firstIndex(of: UInt8(ascii: "(")), open > 0 else { return nil }
        let comma = bytes[..<open].firstIndex(of: UInt8(ascii: ",")) ?? open
        // The city: capitals, spaces, dots, hyphens, apostrophes; at least three letters.
        var letters = 0
        var index = 0
        while index < comma {
            let byte = bytes[index]
            if byte >= 0x41 && byte <= 0x5A {
                letters += 1
            } else if byte >= 0x80 {
                let scalar = bytes.withUnsafeBufferPointer { TextNormalizer.decode($0, at: index) }
                guard let value = Unicode.Scalar(scalar.0),
                    value.properties.isUppercase || value.value == 0x2019
                else { return nil }
                if value.properties.isUppercase { letters += 1 }
                index += scalar.1
                continue
            } else if byte != 0x20 && byte != UInt8(ascii: ".") && byte != UInt8(ascii: "-") && byte != 0x27 {
                return nil
            }
            index += 1
        }
        guard letters >= 3, open - comma <= 30, let close = bytes[open...].firstIndex(of: UInt8(ascii: ")")) else {
            return nil
        }
        let agency = String(decoding: bytes[(open + 1)..<close], as: UTF8.self).trimming(" ")
        guard (2...40).contains(agency.utf8.count) else { return nil }
        var rest = close + 1
        while rest < bytes.count && bytes[rest] == 0x20 { rest += 1 }
        var dashWidth = 0
        if rest < bytes.count && bytes[rest] == UInt8(ascii: "-") {
            dashWidth = 1
        } else if Folding.hasPrefix(bytes, [0xE2, 0x80, 0x93], at: rest)
            || Folding.hasPrefix(bytes, [0xE2, 0x80, 0x94], at: rest)
        {
            dashWidth = 3
        }
        guard dashWidth > 0 else { return nil }
        rest += dashWidth
        while rest < bytes.count && bytes[rest] == 0x20 { rest += 1 }
        let text = Substring(paragraph.utf8.dropFirst(rest))
        guard !text.isEmpty else { return nil }
        return (String(agency), String(text))
    }
}
