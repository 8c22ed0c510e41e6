import CByteScan
import Testing

/// The vector scans against plain byte-by-byte definitions, on random text built from the bytes at
/// the edges of every class, at every length and offset around the 16-byte blocks and 64-byte chunks.
@Suite("byte scans")
struct ByteScanTests {
    /// Bytes at and next to every class boundary, and some plain ones.
    static let edges: [UInt8] = [
        0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x22, 0x26, 0x27, 0x2D, 0x2E, 0x2F, 0x30, 0x39, 0x3A, 0x40,
        0x41, 0x5A, 0x5B, 0x5C, 0x60, 0x61, 0x7A, 0x7B, 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0xC3, 0xE1, 0xE2, 0xE3, 0xFF,
    ]

    /// Random bytes: mostly the edges, sometimes long runs of one class so that whole blocks pass.
    static func randomText(_ count: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        let runs: [[UInt8]] = [Array("ab cd  ef 12 ".utf8), [0x20, 0x20], Array("Quiet-harbour's".utf8)]
        var bytes: [UInt8] = []
        while bytes.count < count {
            if Int.random(in: 0..<4, using: &generator) == 0 {
                bytes += runs.randomElement(using: &generator)!
            } else {
                bytes.append(edges.randomElement(using: &generator)!)
            }
        }
        return Array(bytes.prefix(count))
    }

    @Test("byte_scan_printable stops at the first byte outside 0x20...0x7E and counts what it took")
    func printable() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let bytes = Self.randomText(Int.random(in: 0..<90, using: &generator), using: &generator)
            let from = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &generator)
            var start = byte_scan_run()
            start.previous_space = Int32(Int.random(in: 0...1, using: &generator))
            start.spaces = Int.random(in: 0...3, using: &generator)

            var expected = start
            var index = from
            while index < bytes.count && bytes[index] >= 0x20 && bytes[index] < 0x7F {
                if bytes[index] == 0x20 {
                    if expected.previous_space != 0 { expected.double_space = 1 }
                    expected.spaces += 1
                    expected.previous_space = 1
                } else {
                    if bytes[index] >= 0x30 && bytes[index] <= 0x39 { expected.digit = 1 }
                    expected.previous_space = 0
                }
                index += 1
            }
            var run = start
            let stop = bytes.withUnsafeBufferPointer { byte_scan_printable($0.baseAddress, from, $0.count, &run) }
            #expect(stop == index, "\(bytes) from \(from)")
            #expect(run.spaces == expected.spaces, "\(bytes) from \(from)")
            #expect(run.digit == expected.digit, "\(bytes) from \(from)")
            #expect(run.double_space == expected.double_space, "\(bytes) from \(from)")
            #expect(run.previous_space == expected.previous_space, "\(bytes) from \(from)")
        }
    }

    @Test("byte_scan_printable counts every space of a line longer than 255 blocks")
    func longLine() {
        for length in [4079, 4080, 4096, 10_000, 70_001] {
            var bytes = Array(String(repeating: "a  b ", count: length / 5 + 1).utf8.prefix(length))
            bytes.append(0x0A)
            var run = byte_scan_run()
            let stop = bytes.withUnsafeBufferPointer { byte_scan_printable($0.baseAddress, 0, $0.count, &run) }
            #expect(stop == length)
            #expect(run.spaces == bytes.filter { $0 == 0x20 }.count, "length \(length)")
            #expect(run.double_space == 1 && run.digit == 0)
        }
    }

    @Test("byte_scan_json_stop finds the first control byte, quote, backslash or 0xE2")
    func jsonStop() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            // Mostly plain text, so that the stop falls anywhere in or after the blocks.
            var bytes = Array(repeating: UInt8(ascii: "a"), count: Int.random(in: 0..<80, using: &generator))
            for _ in 0..<Int.random(in: 0...2, using: &generator) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = Self.edges.randomElement(using: &generator)!
            }
            let from = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &generator)
            let expected =
                bytes[from...].firstIndex { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 } ?? bytes.count
            let stop = bytes.withUnsafeBufferPointer { byte_scan_json_stop($0.baseAddress, from, $0.count) }
            #expect(stop == expected, "\(bytes) from \(from)")
        }
    }

    @Test("byte_scan_word_bitmaps marks ASCII letters and digits, joiners and non-ASCII bytes")
    func wordBitmaps() {
        var generator = SystemRandomNumberGenerator()
        for count in Array(0..<200) + [255, 256, 257, 1000] {
            let bytes = Self.randomText(count, using: &generator)
            let chunks = (count + 63) / 64
            var word = [UInt64](repeating: .max, count: chunks)
            var joiner = [UInt64](repeating: .max, count: chunks)
            var nonASCII = [UInt64](repeating: .max, count: chunks)
            let any = bytes.withUnsafeBufferPointer {
                byte_scan_word_bitmaps($0.baseAddress, count, &word, &joiner, &nonASCII)
            }
            var expectedWord = [UInt64](repeating: 0, count: chunks)
            var expectedJoiner = [UInt64](repeating: 0, count: chunks)
            var expectedNonASCII = [UInt64](repeating: 0, count: chunks)
            for (index, byte) in bytes.enumerated() {
                let bit: UInt64 = 1 << UInt64(index % 64)
                let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                if isLetter || (byte >= 0x30 && byte <= 0x39) { expectedWord[index / 64] |= bit }
                if (byte >= 0x27 && byte <= 0x2D) || byte >= 0x80 { expectedJoiner[index / 64] |= bit }
                if byte >= 0x80 { expectedNonASCII[index / 64] |= bit }
            }
            #expect(word == expectedWord, "\(bytes)")
            #expect(joiner == expectedJoiner, "\(bytes)")
            #expect(nonASCII == expectedNonASCII, "\(bytes)")
            #expect((any != 0) == bytes.contains { $0 >= 0x80 })
        }
    }

    @Test("byte_scan_controls counts the control bytes other than tab, LF, FF and CR, and sees NUL")
    func controls() {
        var generator = SystemRandomNumberGenerator()
        for count in Array(0..<100) + [255, 256, 1000] {
            for _ in 0..<20 {
                // Mostly text, so that whole blocks pass; then a few edge bytes anywhere.
                var bytes = Array(repeating: UInt8(ascii: "a"), count: count)
                for _ in 0..<Int.random(in: 0...3, using: &generator) where count > 0 {
                    bytes[Int.random(in: 0..<count, using: &generator)] = Self.edges.randomElement(using: &generator)!
                }
                let counted = bytes.filter { $0 < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains($0) }.count
                var controls = 0
                var nul: Int32 = 0
                bytes.withUnsafeBufferPointer { byte_scan_controls($0.baseAddress, $0.count, &controls, &nul) }
                #expect(controls == counted, "\(bytes)")
                #expect((nul != 0) == bytes.contains(0), "\(bytes)")
            }
        }
    }

    @Test("byte_scan_is_ascii is false exactly when some byte is 0x80 or above")
    func isASCII() {
        var generator = SystemRandomNumberGenerator()
        for count in Array(0..<80) + [255, 1000] {
            for _ in 0..<10 {
                var bytes = Array(repeating: UInt8(ascii: "z"), count: count)
                if count > 0 && Bool.random(using: &generator) {
                    bytes[Int.random(in: 0..<count, using: &generator)] = UInt8.random(
                        in: 0x80...0xFF, using: &generator)
                }
                let ascii = bytes.withUnsafeBufferPointer { byte_scan_is_ascii($0.baseAddress, $0.count) } != 0
                #expect(ascii == bytes.allSatisfy { $0 < 0x80 }, "\(bytes)")
            }
        }
    }
}
