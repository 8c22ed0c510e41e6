import RecordStore
import Testing

@Suite("CRC32C")
struct CRC32CTests {
    /// Bit-at-a-time reference, to check the slicing-by-8 tables.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        // RFC 3720 (iSCSI) B.4
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func matchesBitwiseReferenceAtEveryLength() {
        var state: UInt64 = 0x1234_5678_9ABC_DEF0
        for length in 0...100 {
            let bytes = (0..<length).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
            #expect(CRC32C.checksum(bytes) == Self.reference(bytes), "length \(length)")
        }
    }

    /// The CPU path runs three interleaved streams over inputs of 768 bytes or more: lengths up to
    /// 600 cover the single stream, 600 to 3,200 the rounds and what follows them.
    @Test("the CPU instruction and the tables agree at every length and alignment")
    func hardwareMatchesSoftware() {
        var state: UInt64 = 0x0DDB_A11C_0FFE_E000
        let bytes = (0..<3_220).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        bytes.withUnsafeBytes { raw in
            for start in 0..<9 {
                let ends =
                    Array(stride(from: start, through: start + 600, by: 7)) + [
                        start + 767, start + 768, start + 769, start + 1536, start + 1537,
                    ] + Array(stride(from: start + 601, through: start + 3_200, by: 61))
                for end in ends {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                    #expect(
                        CRC32C.checksum(slice, continuing: 0x1234_5678)
                            == CRC32C.softwareChecksum(slice, continuing: 0x1234_5678), "\(start)..<\(end)")
                }
            }
        }
        #if arch(x86_64)
            // Every x86-64 machine this runs on has SSE4.2 (since 2008); the fast path must be taken.
            #expect(CRC32C.usesHardware)
        #endif
    }

    @Test func continuingEqualsOneShot() {
        let bytes = Array(#"{"id":"a-0","body":"lorem ipsum dolor sit amet"}"#.utf8) + [0x0A]
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let first = CRC32C.checksum(Array(bytes[..<split]))
            let resumed = Array(bytes[split...]).withUnsafeBytes { CRC32C.checksum($0, continuing: first) }
            #expect(resumed == whole, "split at \(split)")
        }
    }
}
