import Foundation
import RecordStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One test input: a content key and its records as JSON lines.
struct Input {
    let name: String
    let key: ContentKey
    let lines: [UInt8]
    let records: Int

    var entry: StoreEntry { StoreEntry(key: key, lines: lines, recordCount: records) }

    /// `records` lines shaped like real article records, `{"id":"...","body":"..."}\n`.
    init(_ name: String, records: Int = 2, bodyLength: Int = 24) {
        self.name = name
        self.key = testKey(name)
        self.records = records
        let words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
        var lines = ""
        for record in 0..<records {
            let body = String(String(repeating: words, count: bodyLength / words.count + 1).prefix(bodyLength))
            lines += #"{"id":"\#(name)-\#(record)","body":"\#(body)"}"# + "\n"
        }
        self.lines = Array(lines.utf8)
    }

    init(name: String, key: ContentKey, lines: [UInt8], records: Int) {
        self.name = name
        self.key = key
        self.lines = lines
        self.records = records
    }
}

/// A deterministic 32-byte key for `name` (stands in for the sha256 of an input file).
func testKey(_ name: String) -> ContentKey {
    var seed: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in name.utf8 { seed = (seed ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    var bytes: [UInt8] = []
    for _ in 0..<4 {
        seed &+= 0x9E37_79B9_7F4A_7C15
        var z = seed
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: z >> UInt64(shift))) }
    }
    return ContentKey(bytes)
}

/// Runs `body` with a fresh directory under /tmp, removed afterwards.
func withTempDir<T>(_ body: (String) throws -> T) throws -> T {
    var template = Array("/tmp/recordstore-tests-XXXXXX".utf8CString)
    let path = try template.withUnsafeMutableBufferPointer { buffer in
        guard let result = mkdtemp(buffer.baseAddress!) else { throw TestFailure("mkdtemp: errno \(errno)") }
        return String(cString: result)
    }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

func withTempDir<T>(_ body: (String) async throws -> T) async throws -> T {
    var template = Array("/tmp/recordstore-tests-XXXXXX".utf8CString)
    let path = try template.withUnsafeMutableBufferPointer { buffer in
        guard let result = mkdtemp(buffer.baseAddress!) else { throw TestFailure("mkdtemp: errno \(errno)") }
        return String(cString: result)
    }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func openStore(_ directory: String, segmentMaxBytes: Int = 64 << 20) throws(StoreError) -> RecordStore {
    try RecordStore(directory: directory, options: .init(segmentMaxBytes: segmentMaxBytes))
}

// MARK: - Files

func segmentName(_ number: Int) -> String {
    "articles-" + String(format: "%08d", number) + ".jsonl"
}

/// Names of the segment files in `directory`, ascending.
func segmentFiles(_ directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasPrefix("articles-") && $0.hasSuffix(".jsonl") }
        .sorted()
}

func readBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeBytes(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func appendBytes(_ path: String, _ bytes: [UInt8]) throws {
    try writeBytes(path, try readBytes(path) + bytes)
}

func fileSize(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
}

func truncateFile(_ path: String, to size: Int) throws {
    guard truncate(path, off_t(size)) == 0 else { throw TestFailure("truncate \(path): errno \(errno)") }
}

/// Flips every bit of the byte at `offset`.
func flipByte(_ path: String, at offset: Int) throws {
    var bytes = try readBytes(path)
    bytes[offset] ^= 0xFF
    try writeBytes(path, bytes)
}

/// Copies the store files (not the lock) of `source` into `destination`.
func copyStore(from source: String, to destination: String) throws {
    for name in try FileManager.default.contentsOfDirectory(atPath: source) where name != "LOCK" {
        try FileManager.default.copyItem(atPath: source + "/" + name, toPath: destination + "/" + name)
    }
}

/// All bytes of all segments, in segment order.
func allSegmentBytes(_ directory: String) throws -> [UInt8] {
    try segmentFiles(directory).flatMap { try readBytes(directory + "/" + $0) }
}

/// The lines of `bytes` without their `\n`; a trailing partial line is returned too.
func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines
}

/// True when `line` is a JSON object with string `id` and `body`.
func isRecord(_ line: ArraySlice<UInt8>) -> Bool {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { return false }
    return object["id"] is String && object["body"] is String
}

/// Checks that every segment is empty or ends with `\n` and that every line is a valid record.
func expectWellFormedSegments(_ directory: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for name in try segmentFiles(directory) {
        let bytes = try readBytes(directory + "/" + name)
        #expect(bytes.isEmpty || bytes.last == 0x0A, "\(name) ends in a partial line", sourceLocation: sourceLocation)
        for line in splitLines(bytes) where !isRecord(line) {
            Issue.record(
                "\(name): not a JSON record: \(String(decoding: line, as: UTF8.self))",
                sourceLocation: sourceLocation)
        }
    }
}

/// Paths of this process's open file descriptors.
func openDescriptorPaths() -> [String] {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
}

func expectStats(
    _ stats: StoreStats, files: Int, records: Int, segments: Int, bytes: Int,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(stats.files == files, "files", sourceLocation: sourceLocation)
    #expect(stats.records == records, "records", sourceLocation: sourceLocation)
    #expect(stats.segments == segments, "segments", sourceLocation: sourceLocation)
    #expect(stats.bytes == bytes, "bytes", sourceLocation: sourceLocation)
}
