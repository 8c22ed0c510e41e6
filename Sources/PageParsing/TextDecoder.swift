/// Decodes input bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, and Windows-1252 as
/// the fallback for bytes that are not valid UTF-8. Rejects binary input: NUL bytes, many control
/// bytes, or invalid UTF-8 that is mostly non-ASCII (which no Western Windows-1252 text is).
public enum TextDecoder {
    public struct Decoded: Sendable, Equatable {
        public var text: String
        /// `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be` or `windows-1252`.
        public var encoding: String
    }

    public static func decode(_ bytes: [UInt8]) throws(ParseError) -> Decoded {
        if bytes.isEmpty { throw .empty }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return try decodeUTF8(bytes[3...], encoding: "utf-8-bom")
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return try decodeUTF16(bytes[2...], littleEndian: bytes[0] == 0xFF)
        }
        return try decodeUTF8(bytes[...], encoding: "utf-8")
    }

    private static func decodeUTF8(_ bytes: ArraySlice<UInt8>, encoding: String) throws(ParseError) -> Decoded {
        try rejectBinary(bytes)
        if let text = String(validating: bytes, as: UTF8.self) {
            return Decoded(text: text, encoding: encoding)
        }
        var high = 0
        for byte in bytes where byte >= 0x80 { high += 1 }
        if high * 10 > bytes.count * 3 {
            throw .binary("\(high) of \(bytes.count) bytes are neither ASCII nor valid UTF-8")
        }
        return Decoded(text: windows1252(bytes), encoding: "windows-1252")
    }

    private static func decodeUTF16(_ bytes: ArraySlice<UInt8>, littleEndian: Bool) throws(ParseError) -> Decoded {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let a = UInt16(bytes[index])
            let b = UInt16(bytes[index + 1])
            units.append(littleEndian ? a | b << 8 : a << 8 | b)
            index += 2
        }
        if units.contains(0) { throw .binary("UTF-16 text with NUL characters") }
        var invalid = 0
        var index16 = 0
        while index16 < units.count {
            let unit = units[index16]
            if unit & 0xFC00 == 0xD800 {
                if index16 + 1 < units.count && units[index16 + 1] & 0xFC00 == 0xDC00 {
                    index16 += 2
                    continue
                }
                invalid += 1
            } else if unit & 0xFC00 == 0xDC00 {
                invalid += 1
            }
            index16 += 1
        }
        if invalid > units.count / 10 { throw .binary("mostly invalid UTF-16") }
        let text = String(decoding: units, as: UTF16.self)  // unpaired surrogates become U+FFFD
        return Decoded(text: text, encoding: littleEndian ? "utf-16le" : "utf-16be")
    }

    /// Text has no NUL bytes and few control characters other than whitespace. Eight bytes are
    /// tested at a time; only words holding a byte below 0x20 are looked at byte by byte.
    private static func rejectBinary(_ bytes: ArraySlice<UInt8>) throws(ParseError) {
        var controls = 0
        var sawNUL = false
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index + 8 <= count {
                var word: UInt64 = 0
                for offset in 0..<8 { word |= UInt64(buffer[index + offset]) << UInt64(offset * 8) }
                let low = (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080
                if low != 0 {
                    for offset in 0..<8 { classify(buffer[index + offset], &controls, &sawNUL) }
                }
                index += 8
            }
            while index < count {
                classify(buffer[index], &controls, &sawNUL)
                index += 1
            }
        }
        if sawNUL { throw .binary("it contains NUL bytes") }
        if controls > 0 && controls * 20 > bytes.count {
            throw .binary("\(controls) control bytes in \(bytes.count)")
        }
    }

    @inline(__always)
    private static func classify(_ byte: UInt8, _ controls: inout Int, _ sawNUL: inout Bool) {
        guard byte < 0x20 else { return }
        if byte == 0 {
            sawNUL = true
        } else if byte != 0x09 && byte != 0x0A && byte != 0x0D && byte != 0x0C {
            controls += 1
        }
    }

    /// Windows-1252's mapping of 0x80...0x9F; the rest of the range is Latin-1.
    private static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ]

    static func windows1252(_ bytes: ArraySlice<UInt8>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                utf8.append(byte)
                continue
            }
            let value = byte <= 0x9F ? cp1252High[Int(byte - 0x80)] : UInt32(byte)
            if value < 0x800 {
                utf8.append(UInt8(0xC0 | value >> 6))
                utf8.append(UInt8(0x80 | value & 0x3F))
            } else {
                utf8.append(UInt8(0xE0 | value >> 12))
                utf8.append(UInt8(0x80 | (value >> 6) & 0x3F))
                utf8.append(UInt8(0x80 | value & 0x3F))
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}
