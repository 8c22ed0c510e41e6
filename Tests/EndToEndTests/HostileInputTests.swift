import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A corpus of hostile inputs: each ends in processed/ or failed/ with a clear reason (or is
/// ignored, as documented), within seconds, while the daemon's memory stays bounded.
@Suite("hostile inputs", .serialized)
struct HostileInputTests {
    @Test("every hostile file is dealt with, with a reason, and memory stays bounded")
    func corpus() throws {
        let tree = TempTree()
        let daemon = try DaemonProcess.start(tree, extra: ["--log-level", "info"])
        let staging = tree.path("staging")
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        func put(_ name: String, _ bytes: [UInt8]) {
            let path = staging + "/" + UUID().uuidString
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            #expect(rename(path, tree.inbox + "/" + name) == 0, "\(name)")
        }
        // name -> the failure reason expected, or nil when it must be processed.
        var expected: [String: String?] = [:]
        put("empty.txt", []); expected["empty.txt"] = "empty"
        put("one-byte.txt", [0x41]); expected["one-byte.txt"] = .some(nil)
        put("nuls.bin", [UInt8](repeating: 0, count: 4096)); expected["nuls.bin"] = "binary"
        put("random.bin", (0..<65536).map { _ in UInt8.random(in: 0...255, using: &generator) } + [0]);
        expected["random.bin"] = "binary"
        put("invalid-utf8.txt", Array("Caf".utf8) + [0xE9, 0xFF, 0xC3] + Array(" au lait\n\nUn texte.\n".utf8))
        expected["invalid-utf8.txt"] = .some(nil)
        var utf16: [UInt8] = []
        for unit in "Headline\n\nBody without a byte order mark.\n".utf16 {
            utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        put("utf16-no-bom.txt", utf16); expected["utf16-no-bom.txt"] = "any"
        put("long-line.txt", Array(repeating: Array("word ".utf8), count: 2_000_000).flatMap { $0 })  // one 10 MB line
        expected["long-line.txt"] = "any"
        put(
            "nested.json",
            Array(repeating: UInt8(ascii: "["), count: 100_000) + Array(repeating: UInt8(ascii: "]"), count: 100_000))
        expected["nested.json"] = "any"
        var tiny = Array("[".utf8)
        for index in 0..<1_000_000 {
            tiny += Array((index == 0 ? "" : ",").utf8) + Array(#"{"title":"t\#(index)","body":"b"}"#.utf8)
        }
        tiny += Array("]".utf8)
        put("million.json", tiny); expected["million.json"] = "any"

        // Over the size cap without writing 500 MB: a sparse file.
        let big = tree.path("big.tmp")
        let fd = open(big, O_WRONLY | O_CREAT, 0o644)
        #expect(ftruncate(fd, 500 << 20) == 0)
        close(fd)
        #expect(rename(big, tree.inbox + "/huge.txt") == 0); expected["huge.txt"] = "too_large"

        #expect(symlink("/etc/shadow", tree.inbox + "/shadow-link") == 0); expected["shadow-link"] = "symlink"
        #expect(mkfifo(tree.inbox + "/fifo", 0o644) == 0); expected["fifo"] = "not_regular"
        #expect(bindSocket(staging + "/sock") && rename(staging + "/sock", tree.inbox + "/sock") == 0)
        expected["sock"] = "not_regular"  // cannot be opened at all: named by its type all the same
        tree.write(tree.root + "/linked.txt", article("hard linked"))
        #expect(link(tree.root + "/linked.txt", tree.inbox + "/hard-link.txt") == 0);
        expected["hard-link.txt"] = "hard_link"
        put("new\nline.txt", Array(article("newline name").utf8)); expected["new\nline.txt"] = .some(nil)
        put(String(repeating: "x", count: 251) + ".txt", Array(article("long name").utf8))
        expected[String(repeating: "x", count: 251) + ".txt"] = .some(nil)
        let invalidName: [UInt8] = [0x62, 0x61, 0x64, 0xC0, 0xAF, 0x2E, 0x74, 0x78, 0x74]
        let invalidStaging = staging + "/invalid-name"
        tree.write(invalidStaging, article("invalid name"))
        let renamed = (Array(tree.inbox.utf8) + [0x2F] + invalidName + [0]).withUnsafeBufferPointer { target in
            target.withMemoryRebound(to: CChar.self) { rename(invalidStaging, $0.baseAddress!) }
        }
        #expect(renamed == 0)

        // Deleted between its event and the open: logged as vanished, nothing else.
        tree.write(tree.inbox + "/vanishing.txt", article("vanishing"))
        unlink(tree.inbox + "/vanishing.txt")
        // Still being written: not taken until closed.
        let writer = open(tree.inbox + "/in-progress.txt", O_WRONLY | O_CREAT, 0o644)
        let firstHalf = Array("Slow upload\n\nThe first half, ".utf8)
        #expect(write(writer, firstHalf, firstHalf.count) == firstHalf.count)

        let started = Date()
        let names = Set(expected.keys)
        try waitUntil("every hostile file dealt with", timeout: 120, log: { String(daemon.log.suffix(3000)) }) {
            let done = Set(tree.names(tree.processed) + tree.names(tree.failed))
            return names.isSubset(of: done) && done.contains(where: { $0.hasPrefix("bad") })
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(tree.names(tree.inbox) == ["in-progress.txt"])
        for (name, reason) in expected {
            switch reason {
            case .none:
                #expect(tree.names(tree.processed).contains(name), "\(name) should be processed")
            case .some(let code):
                guard tree.names(tree.failed).contains(name) else {
                    #expect(
                        code == "any" && tree.names(tree.processed).contains(name),
                        "\(name) is neither processed nor failed")
                    continue
                }
                let sidecar = try Data(contentsOf: URL(fileURLWithPath: tree.failed + "/" + name + ".error.json"))
                let json = try #require(try JSONSerialization.jsonObject(with: sidecar) as? [String: Any])
                let actual = json["reason"] as? String ?? ""
                #expect(code == "any" || actual == code, "\(name): \(actual)")
                #expect((json["message"] as? String)?.isEmpty == false, "\(name)")
            }
        }
        #expect(FileManager.default.contentsEqual(atPath: "/etc/shadow", andPath: "/etc/shadow"))
        #expect(!tree.storeLines().contains { $0.contains("root:") }, "the symlink was followed")
        #expect(daemon.log.contains("vanished"))

        let rest = Array("and the rest of it.\n".utf8)
        #expect(write(writer, rest, rest.count) == rest.count)
        close(writer)
        try waitUntil("in-progress.txt processed", timeout: 10, log: { daemon.log }) {
            tree.names(tree.processed).contains("in-progress.txt")
        }
        let status = try String(contentsOfFile: "/proc/\(daemon.pid)/status", encoding: .utf8)
        let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.map(String.init) ?? "?"
        let kilobytes = Int(peak.split(separator: " ").dropFirst().first ?? "") ?? 0
        print(
            "hostile corpus: all dealt with in \(String(format: "%.1f", elapsed)) s; daemon peak RSS \(kilobytes / 1024) MiB"
        )
        #expect(kilobytes < 1024 * 1024, "peak RSS \(kilobytes) kB")
        #expect(elapsed < 60)
        #expect(daemon.process.isRunning)
        #expect(try daemon.stop() == 0)
    }
}

/// Binds a Unix stream socket at `path` (the socket file stays after the descriptor is closed).
private func bindSocket(_ path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard path.utf8.count < capacity else { return false }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    } == 0
}
