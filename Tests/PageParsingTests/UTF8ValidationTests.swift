import Testing

@testable import PageParsing

/// Our UTF-8 validator and `TextDecoder.decode` against the standard library and the decoder as it
/// was before it had its own validator.
@Suite("UTF-8 validation")
struct UTF8ValidationTests {
    /// What the validator says about `bytes`, checked against `String(validating:as:)`.
    func expectAgreement(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = String(validating: bytes, as: UTF8.self)
        let verdict = bytes.withUnsafeBufferPointer { UTF8Validation.validate($0) }
        #expect(
            (verdict != nil) == (reference != nil), "\(bytes.map { String($0, radix: 16) })",
            sourceLocation: sourceLocation)
        if let verdict {
            #expect(verdict == bytes.allSatisfy { $0 < 0x80 }, "isASCII", sourceLocation: sourceLocation)
        }
        #expect(TextDecoder.validUTF8String(bytes[...]) == reference, sourceLocation: sourceLocation)
    }

    /// `sequence` after `prefix` ASCII bytes and before `suffix` ASCII bytes, so that it falls at
    /// every position relative to the validator's 8- and 16-byte blocks and to the buffer's end.
    func embedded(_ sequence: [UInt8], prefix: Int, suffix: Int) -> [UInt8] {
        Array(repeating: UInt8(ascii: "a"), count: prefix) + sequence
            + Array(repeating: UInt8(ascii: "z"), count: suffix)
    }

    /// UTF-8 of each scalar at the edges of the encoding's ranges.
    static let edgeScalars: [UInt32] = [
        0x00, 0x01, 0x7F, 0x80, 0xFF, 0x7FF, 0x800, 0xFFF, 0x1000, 0xCFFF, 0xD000, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF,
        0x10000, 0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF,
    ]

    static let malformed: [[UInt8]] = [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC2], [0xC2, 0x7F], [0xC2, 0xC0], [0xDF, 0xC0],
        [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xE0, 0xA0], [0xE1, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xEF, 0xBF], [0xEF, 0xBF, 0x7F], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80],
        [0xF4, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF], [0xF5, 0x80, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0xFE], [0xFF], [0xC3, 0xA9, 0xA9], [0xE2, 0x80, 0x99, 0x80],
    ]

    @Test("valid and malformed sequences at every position relative to 8- and 16-byte blocks")
    func positions() {
        var sequences = Self.malformed
        for value in Self.edgeScalars { sequences.append(Array(String(Unicode.Scalar(value)!).utf8)) }
        sequences.append(Array("é’“€😀".utf8))
        for sequence in sequences {
            for prefix in 0...17 {
                for suffix in [0, 1, 2, 3, 7, 8, 9, 16] {
                    expectAgreement(embedded(sequence, prefix: prefix, suffix: suffix))
                }
            }
        }
    }

    @Test("every lead byte with every second byte")
    func twoBytes() {
        for lead in UInt8(0x80)...0xFF {
            for second in UInt8(0)...0xFF {
                for prefix in [0, 7, 14] {
                    expectAgreement(embedded([lead, second], prefix: prefix, suffix: prefix == 7 ? 0 : 8))
                }
            }
        }
    }

    @Test("three- and four-byte leads with second, third and fourth bytes around the continuation range")
    func longerSequences() {
        let around: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xFF]
        for lead in UInt8(0xE0)...0xFF {
            for second in around {
                for third in around {
                    expectAgreement(embedded([lead, second, third], prefix: 5, suffix: 8))
                    expectAgreement(embedded([lead, second, third], prefix: 13, suffix: 0))
                    for fourth in [0x7F, 0x80, 0xBF, 0xC0] as [UInt8] {
                        expectAgreement(embedded([lead, second, third, fourth], prefix: 4, suffix: 9))
                        expectAgreement(embedded([lead, second, third, fourth], prefix: 12, suffix: 0))
                    }
                }
            }
        }
    }

    @Test("random text: mostly ASCII with sparse multi-byte characters and stray bytes")
    func randomText() {
        var random = SeededRandom(seed: 7)
        let pieces: [[UInt8]] = [[0xC3, 0xA9], [0xE2, 0x80, 0x99], [0xF0, 0x9F, 0x98, 0x80], [0xD0, 0x96]]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            let length = random.below(80)
            while bytes.count < length {
                let roll = random.below(100)
                if roll < 90 {
                    bytes.append(UInt8(0x20 + random.below(0x5F)))
                } else if roll < 98 {
                    bytes += pieces[random.below(pieces.count)]
                } else {
                    bytes.append(UInt8(0x80 + random.below(0x80)))
                }
            }
            if random.below(4) == 0, !bytes.isEmpty { bytes.removeLast() }  // may cut a character
            expectAgreement(bytes)
        }
    }

    // MARK: The decoder

    @Test("decode: same text, encoding or error as the decoder before, on generated inputs")
    func decodeAgreesWithReference() {
        var random = SeededRandom(seed: 11)
        let pieces: [[UInt8]] = [
            [0x0A], [0x0D, 0x0A], [0x09], [0x0C], [0x0B], [0x00], [0x01], [0x1B], [0x1F], [0xC3, 0xA9],
            [0xE2, 0x80, 0x9C],
            [0xE9], [0x93], [0xFF], [0xEF, 0xBB, 0xBF],
        ]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            let length = 1 + random.below(120)
            let plain = random.below(10) < 3 ? 60 : 95  // some inputs are mostly control or high bytes
            while bytes.count < length {
                if random.below(100) < plain {
                    bytes.append(UInt8(0x20 + random.below(0x5F)))
                } else {
                    bytes += pieces[random.below(pieces.count)]
                }
            }
            if random.below(8) == 0 { bytes = [0xEF, 0xBB, 0xBF] + bytes }
            #expect(
                Result { () throws(ParseError) in try TextDecoder.decode(bytes) } == Self.referenceDecode(bytes),
                "\(bytes)")
        }
    }

    @Test("UTF-16: the same text as the standard library's decoding, unpaired surrogates and all")
    func utf16() {
        var random = SeededRandom(seed: 13)
        let special: [UInt16] = [
            0, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFFFD, 0xFFFF,
        ]
        for _ in 0..<20_000 {
            var units: [UInt16] = []
            for _ in 0..<random.below(40) {
                switch random.below(6) {
                case 0, 1: units.append(UInt16(0x20 + random.below(0x5F)))
                case 2: units.append(special[random.below(special.count)])
                case 3: units += [UInt16(0xD800 + random.below(0x400)), UInt16(0xDC00 + random.below(0x400))]
                case 4: units.append(UInt16(0xD800 + random.below(0x800)))
                default: units.append(UInt16(random.below(0x10000)))
                }
            }
            #expect(TextDecoder.utf16String(units) == String(decoding: units, as: UTF16.self), "\(units)")
        }
        // Whole inputs with a byte order mark, against the decoder before.
        for _ in 0..<5_000 {
            var bytes: [UInt8] = random.below(2) == 0 ? [0xFF, 0xFE] : [0xFE, 0xFF]
            for _ in 0..<random.below(60) {
                let unit =
                    random.below(4) == 0 ? special[random.below(special.count)] : UInt16(0x20 + random.below(0x200))
                bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            }
            if random.below(4) == 0 { bytes.append(0x41) }  // an odd byte at the end
            #expect(
                Result { () throws(ParseError) in try TextDecoder.decode(bytes) } == Self.referenceDecode(bytes),
                "\(bytes)")
        }
    }

    /// `TextDecoder.decode` as it was written before it had its own UTF-8 validator and UTF-16
    /// transcoder.
    static func referenceDecode(_ bytes: [UInt8]) -> Result<TextDecoder.Decoded, ParseError> {
        if bytes.isEmpty { return .failure(.empty) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            var units: [UInt16] = []
            var index = 2
            while index + 1 < bytes.count {
                let a = UInt16(bytes[index])
                let b = UInt16(bytes[index + 1])
                units.append(littleEndian ? a | b << 8 : a << 8 | b)
                index += 2
            }
            if units.contains(0) { return .failure(.binary("UTF-16 text with NUL characters")) }
            var invalid = 0
            var position = 0
            while position < units.count {
                let unit = units[position]
                if unit & 0xFC00 == 0xD800 {
                    if position + 1 < units.count && units[position + 1] & 0xFC00 == 0xDC00 {
                        position += 2
                        continue
                    }
                    invalid += 1
                } else if unit & 0xFC00 == 0xDC00 {
                    invalid += 1
                }
                position += 1
            }
            if invalid > units.count / 10 { return .failure(.binary("mostly invalid UTF-16")) }
            let text = String(decoding: units, as: UTF16.self)
            return .success(TextDecoder.Decoded(text: text, encoding: littleEndian ? "utf-16le" : "utf-16be"))
        }
        let hasBOM = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        let body = hasBOM ? bytes[3...] : bytes[...]
        var controls = 0
        var sawNUL = false
        for byte in body where byte < 0x20 {
            if byte == 0 {
                sawNUL = true
            } else if byte != 0x09 && byte != 0x0A && byte != 0x0D && byte != 0x0C {
                controls += 1
            }
        }
        if sawNUL { return .failure(.binary("it contains NUL bytes")) }
        if controls > 0 && controls * 20 > body.count {
            return .failure(.binary("\(controls) control bytes in \(body.count)"))
        }
        if let text = String(validating: body, as: UTF8.self) {
            return .success(TextDecoder.Decoded(text: text, encoding: hasBOM ? "utf-8-bom" : "utf-8"))
        }
        let high = body.filter { $0 >= 0x80 }.count
        if high * 10 > body.count * 3 {
            return .failure(.binary("\(high) of \(body.count) bytes are neither ASCII nor valid UTF-8"))
        }
        return .success(TextDecoder.Decoded(text: TextDecoder.windows1252(body), encoding: "windows-1252"))
    }
}
