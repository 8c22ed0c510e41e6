/// Decodes input bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, and Windows-1252 as
/// the fallback for bytes that are not valid UTF-8. Rejects binary input.
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
        var text = ""
        var iterator = units.makeIterator()
        var codec = UTF16()
        var invalid = 0
        loop: while true {
            switch codec.decode(&iterator) {
            case .scalarValue(let scalar): text.unicodeScalars.append(scalar)
            case .emptyInput: break loop
            case .error:
                invalid += 1
                text.unicodeScalars.append("\u{FFFD}")
            }
        }
        if invalid > units.count / 10 { throw .binary("mostly invalid UTF-16") }
        return Decoded(text: text, encoding: littleEndian ? "utf-16le" : "utf-16be")
    }

    /// Text has no NUL bytes and few control characters other than whitespace.
    private static func rejectBinary(_ bytes: ArraySlice<UInt8>) throws(ParseError) {
        var controls = 0
        for byte in bytes {
            if byte == 0 { throw .binary("it contains NUL bytes") }
            if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D && byte != 0x0C { controls += 1 }
        }
        if controls > 0 && controls * 20 > bytes.count {
            throw .binary("\(controls) control bytes in \(bytes.count)")
        }
    }

    /// Windows-1252's mapping of 0x80...0x9F; the rest of the range is Latin-1.
    private static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ]

    static func windows1252(_ bytes: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            let value = (0x80...0x9F).contains(byte) ? cp1252High[Int(byte - 0x80)] : UInt32(byte)
            scalars.append(Unicode.Scalar(value)!)
        }
        return String(scalars)
    }
}
