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

    @Test("the CPU instruction and the tables agree at every length and alignment")
    func hardwareMatchesSoftware() {
        var state: UInt64 = 0x0DDB_A11C_0FFE_E000
        let bytes = (0..<600).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        bytes.withUnsafeBytes { raw in
            for start in 0..<9 {
                for end in stride(from: start, through: raw.count, by: 7) {
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

    @Test("three interleaved streams combine to the same CRC, for lengths around the 768-byte rounds")
    func longInputsMatchSoftware() {
        var state: UInt64 = 0xFEED_FACE_CAFE_BEEF
        let bytes = (0..<12_000).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        bytes.withUnsafeBytes { raw in
            var lengths = [767, 768, 769, 1535, 1536, 1537, 5000, 11_990]
            lengths += stride(from: 700, through: 4000, by: 37)
            for start in [0, 1, 5] {
                for length in lengths {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<start + length])
                    #expect(
                        CRC32C.checksum(slice, continuing: 0xDEAD_BEEF)
                            == CRC32C.softwareChecksum(slice, continuing: 0xDEAD_BEEF), "\(start) + \(length)")
                }
            }
        }
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
