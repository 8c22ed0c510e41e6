import InboxWatcher
import Testing

/// File names are raw bytes: equal exactly when their bytes are, and sets find them by those
/// bytes (the hash is taken once, when the name is made).
@Suite("file names")
struct FileNameTests {
    @Test("equality and set membership follow the bytes, for any bytes")
    func bytesDecide() {
        let raw: [[UInt8]] = [
            Array("a.txt".utf8), Array("a.txt ".utf8), Array("A.txt".utf8), [0x62, 0x61, 0x64, 0xC0, 0xAF],
            Array("new\nline.txt".utf8), [], Array(repeating: 0x78, count: 255), Array("a.tx".utf8),
        ]
        var set = Set<FileName>()
        for bytes in raw {
            #expect(set.insert(FileName(bytes)).inserted)
            #expect(FileName(bytes) == FileName(Array(bytes)))
        }
        for (index, bytes) in raw.enumerated() {
            #expect(set.contains(FileName(bytes)))
            for (other, otherBytes) in raw.enumerated() where other != index {
                #expect(FileName(bytes) != FileName(otherBytes))
            }
        }
        #expect(FileName("a.txt") == FileName(Array("a.txt".utf8)))
        #expect(set.remove(FileName("a.txt")) != nil && !set.contains(FileName("a.txt")))
        #expect(set.count == raw.count - 1)
    }
}
