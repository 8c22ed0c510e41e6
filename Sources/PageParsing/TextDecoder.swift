internal import CByteScan

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
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            return try decodeUTF8(bytes[3...], encoding: "utf-8-bom")
        }
        if bytes.count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)) {
            return try decodeUTF16(bytes[2...], littleEndian: bytes[0] == 0xFF)
        }
        return try decodeUTF8(bytes[...], encoding: "utf-8")
    }

    private static func decodeUTF8(_ bytes: ArraySlice<UInt8>, encoding: String) throws(ParseError) -> Decoded {
        try rejectBinary(bytes)
        if let text = validUTF8String(bytes) {
            return Decoded(text: text, encoding: encoding)
        }
        var high = 0
        for byte in bytes where byte >= 0x80 { high += 1 }
        if high * 10 > bytes.count * 3 {
            throw .binary("\(high) of \(bytes.count) bytes are neither ASCII nor valid UTF-8")
        }
        return Decoded(text: windows1252(bytes), encoding: "windows-1252")
    }

    /// `String(validating: bytes, as: UTF8.self)`: our validator, then one copy without the
    /// standard library validating again.
    static func validUTF8String(_ bytes: ArraySlice<UInt8>) -> String? {
        if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) {
            let span = bytes.span
            guard let isASCII = span.withUnsafeBufferPointer({ UTF8Validation.validate($0) }) else { return nil }
            return String(copying: UTF8Span(unchecked: span, isKnownASCII: isASCII))
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func decodeUTF16(_ bytes: ArraySlice<UInt8>, littleEndian: Bool) throws(ParseError) -> Decoded {
        let units = bytes.withUnsafeBufferPointer { bytes in
            let count = bytes.count / 2
            return [UInt16](unsafeUninitializedCapacity: count) { units, initialized in
                for index in 0..<count {
                    let a = UInt16(bytes[2 &* index])
                    let b = UInt16(bytes[2 &* index &+ 1])
                    units[index] = littleEndian ? a | b << 8 : a << 8 | b
                }
                initialized = count
            }
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
        return Decoded(text: utf16String(units), encoding: littleEndian ? "utf-16le" : "utf-16be")
    }

    /// `String(decoding: units, as: UTF16.self)`, where each unpaired surrogate becomes U+FFFD:
    /// transcoded to UTF-8 here (ASCII four units at a time), then copied once without the
    /// standard library validating it again.
    static func utf16String(_ units: [UInt16]) -> String {
        guard #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) else {
            return String(decoding: units, as: UTF16.self)
        }
        var isASCII = true
        let utf8 = units.withUnsafeBufferPointer { units in
            [UInt8](unsafeUninitializedCapacity: units.count &* 3) { output, initialized in
                guard let source = units.baseAddress, let target = output.baseAddress else {
                    initialized = 0
                    return
                }
                let count = units.count
                var index = 0
                var written = 0
                while index < count {
                    while index &+ 4 <= count {
                        let four = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
                        guard four & 0xFF80_FF80_FF80_FF80 == 0 else { break }
                        for offset in 0..<4 {
                            target[written &+ offset] = UInt8(truncatingIfNeeded: source[index &+ offset])
                        }
                        index &+= 4
                        written &+= 4
                    }
                    guard index < count else { break }
                    let unit = UInt32(source[index])
                    index &+= 1
                    var scalar = unit
                    if unit & 0xFC00 == 0xD800, index < count, source[index] & 0xFC00 == 0xDC00 {
                        scalar = 0x10000 &+ ((unit &- 0xD800) << 10) &+ (UInt32(source[index]) &- 0xDC00)
                        index &+= 1
                    } else if unit & 0xF800 == 0xD800 {
                        scalar = 0xFFFD  // an unpaired surrogate
                    }
                    if scalar < 0x80 {
                        target[written] = UInt8(truncatingIfNeeded: scalar)
                        written &+= 1
                        continue
                    }
                    isASCII = false
                    if scalar < 0x800 {
                        target[written] = UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6)
                        target[written &+ 1] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
                        written &+= 2
                    } else if scalar < 0x10000 {
                        target[written] = UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12)
                        target[written &+ 1] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F)
                        target[written &+ 2] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
                        written &+= 3
                    } else {
                        target[written] = UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18)
                        target[written &+ 1] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F)
                        target[written &+ 2] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F)
                        target[written &+ 3] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
                        written &+= 4
                    }
                }
                initialized = written
            }
        }
        return String(copying: UTF8Span(unchecked: utf8.span, isKnownASCII: isASCII))
    }

    /// Text has no NUL bytes and few control characters other than whitespace. Sixteen bytes are
    /// tested at a time (`byte_scan_controls`).
    private static func rejectBinary(_ bytes: ArraySlice<UInt8>) throws(ParseError) {
        var controls = 0
        var nul: Int32 = 0
        bytes.withUnsafeBufferPointer { byte_scan_controls($0.baseAddress, $0.count, &controls, &nul) }
        if nul != 0 { throw .binary("it contains NUL bytes") }
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

/// A UTF-8 validator that accepts exactly what `String(validating:as: UTF8.self)` accepts: the
/// well-formed byte sequences of the Unicode standard (Table 3-7), so no overlong forms, no
/// surrogates (U+D800...U+DFFF), nothing above U+10FFFF, no stray or missing continuation bytes.
/// ASCII runs are skipped sixteen bytes at a time; other characters are checked one by one.
enum UTF8Validation {
    /// Whether `bytes` is ASCII if it is valid UTF-8, nil if it is not valid UTF-8.
    static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        let high = 0x8080_8080_8080_8080 as UInt64
        var isASCII = true
        var index = 0
        while index < count {
            // ASCII, a word or two at a time.
            while index &+ 16 <= count {
                let first = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                let second = UnsafeRawPointer(base + (index &+ 8)).loadUnaligned(as: UInt64.self)
                if (first | second) & high != 0 { break }
                index &+= 16
            }
            if index &+ 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let nonASCII = word & high
                if nonASCII == 0 {
                    index &+= 8
                    continue
                }
                index &+= nonASCII.trailingZeroBitCount &>> 3
            } else {
                while index < count && base[index] < 0x80 { index &+= 1 }
                if index == count { break }
            }
            // One non-ASCII character at `index`.
            isASCII = false
            let lead = base[index]
            let width: Int
            // The range of the second byte, which rules out overlong forms, surrogates and values
            // above U+10FFFF; further bytes are 0x80...0xBF.
            let secondLow: UInt8
            let secondHigh: UInt8
            switch lead {
            case 0xC2...0xDF: (width, secondLow, secondHigh) = (2, 0x80, 0xBF)
            case 0xE0: (width, secondLow, secondHigh) = (3, 0xA0, 0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (width, secondLow, secondHigh) = (3, 0x80, 0xBF)
            case 0xED: (width, secondLow, secondHigh) = (3, 0x80, 0x9F)
            case 0xF0: (width, secondLow, secondHigh) = (4, 0x90, 0xBF)
            case 0xF1...0xF3: (width, secondLow, secondHigh) = (4, 0x80, 0xBF)
            case 0xF4: (width, secondLow, secondHigh) = (4, 0x80, 0x8F)
            default: return nil  // a continuation byte, C0, C1 or F5...FF
            }
            guard count &- index >= width else { return nil }
            let second = base[index &+ 1]
            guard second >= secondLow && second <= secondHigh else { return nil }
            if width > 2 {
                guard base[index &+ 2] & 0xC0 == 0x80 else { return nil }
                if width > 3 {
                    guard base[index &+ 3] & 0xC0 == 0x80 else { return nil }
                }
            }
            index &+= width
        }
        return isASCII
    }
}
