import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The control socket and ingestctl against the real daemon.
@Suite("control socket and ingestctl", .serialized)
struct ControlTests {
    static var ingestctl: String {
        URL(fileURLWithPath: DaemonProcess.binary).deletingLastPathComponent().appendingPathComponent("ingestctl").path
    }

    /// Runs ingestctl (optionally as another user via setpriv) and returns its exit code and output.
    static func ctl(_ arguments: [String], socket: String?, asNobody: Bool = false) -> (
        status: Int32, out: String, err: String
    ) {
        let process = Process()
        var args = arguments
        if let socket { args += ["--socket", socket] }
        if asNobody {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", ingestctl] + args
        } else {
            process.executableURL = URL(fileURLWithPath: ingestctl)
            process.arguments = args
        }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "INGESTCTL_SOCKET")
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return (-1, "", "\(error)") }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self)
        )
    }

    static func statusJSON(_ socket: String) throws -> [String: Any] {
        let result = ctl(["status", "--json"], socket: socket)
        #expect(result.status == 0, "\(result.err)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
    }

    static func start(_ tree: TempTree, config: String = "") throws -> (DaemonProcess, String) {
        let socket = tree.path("control.sock")
        let path = tree.config("inbox: \(tree.inbox)\nstate_dir: \(tree.state)\nsocket: \(socket)\n" + config)
        return (try DaemonProcess.start(tree, extra: ["--config", path]), socket)
    }

    @Test("status counts what was dropped; human and JSON output; no daemon exits 3; bad usage exits 2")
    func statusCounters() throws {
        let tree = TempTree()
        let (daemon, socket) = try Self.start(tree)
        var st = stat()
        #expect(stat(socket, &st) == 0 && st.st_mode & 0o777 == 0o660)
        for index in 0..<5 { tree.drop("ok\(index).txt", article("counted-\(index)")) }
        tree.drop("dup.txt", article("counted-0"))
        tree.drop("empty.txt", "")
        tree.drop("binary.txt", "\u{0}\u{0}\u{0}")
        try waitUntil("8 handled", timeout: 20, log: { daemon.log }) {
            tree.count(tree.processed) == 6 && tree.count(tree.failed) == 4
        }
        let status = try Self.statusJSON(socket)
        #expect(status["state"] as? String == "running")
        #expect(status["files_processed"] as? Int == 5)
        #expect(status["duplicates_skipped"] as? Int == 1)
        #expect(status["files_failed"] as? Int == 2)
        #expect(status["articles_written"] as? Int == 5)
        #expect(status["files_waiting"] as? Int == 0)
        #expect(status["inbox"] as? String == tree.inbox)
        #expect((status["store"] as? [String: Any])?["records"] as? Int == 5)
        #expect((status["store"] as? [String: Any])?["segments"] as? Int == 1)
        let latency = try #require(status["latency_ms"] as? [String: Any])
        #expect((latency["p50"] as? Double ?? -1) >= 0)
        #expect(((status["throughput_files_per_second"] as? [String: Any])?["1m"] as? Double ?? 0) > 0)
        #expect(status["version"] is String && status["uptime_seconds"] is Int)

        let human = Self.ctl(["status"], socket: socket)
        #expect(human.status == 0)
        #expect(human.out.contains("state       running"))
        #expect(human.out.contains("processed   5 files, 1 duplicates skipped"))
        #expect(human.out.contains("failed      2 files"))

        #expect(try daemon.stop() == 0)
        let gone = Self.ctl(["status"], socket: socket)
        #expect(gone.status == 3)
        #expect(gone.err.contains("no control socket at \(socket)"))
        #expect(gone.err.contains("systemctl status ingestd"))
        #expect(Self.ctl(["frobnicate"], socket: socket).status == 2)
        #expect(Self.ctl(["status", "--bogus"], socket: socket).status == 2)
    }

    @Test("pause holds new files in the inbox; resume takes them; rescan and reload answer")
    func pauseResumeRescanReload() throws {
        let tree = TempTree()
        let (daemon, socket) = try Self.start(tree)
        #expect(Self.ctl(["pause"], socket: socket).status == 0)
        #expect(try Self.statusJSON(socket)["state"] as? String == "paused")
        tree.drop("held.txt", article("held"))
        usleep(500_000)
        #expect(tree.names(tree.inbox) == ["held.txt"])
        #expect(Self.ctl(["resume"], socket: socket).status == 0)
        try waitUntil("held.txt processed", timeout: 10, log: { daemon.log }) {
            tree.names(tree.processed) == ["held.txt"]
        }
        #expect(try Self.statusJSON(socket)["state"] as? String == "running")

        let rescan = Self.ctl(["rescan"], socket: socket)
        #expect(rescan.status == 0 && rescan.out.contains("rescan requested"))
        try daemon.waitForLog("reason=\"requested by ingestctl\"", timeout: 5)

        tree.config("inbox: \(tree.inbox)\nstate_dir: \(tree.state)\nsocket: \(socket)\nmax_file_bytes: 50\n")
        let reload = Self.ctl(["reload"], socket: socket)
        #expect(reload.status == 0, "\(reload.err)")
        tree.drop("big.txt", article("now too big"))
        try waitUntil("big.txt failed", timeout: 10, log: { daemon.log }) {
            tree.names(tree.failed).contains("big.txt")
        }
        tree.config("inbox: \(tree.inbox)\nmax_file_bytes: lots\n")
        let refused = Self.ctl(["reload"], socket: socket)
        #expect(refused.status == 1)
        #expect(refused.err.contains("max_file_bytes must be a whole number"))
        #expect(try daemon.stop() == 0)
    }

    @Test("retry-failed moves failed inputs back without their sidecars; verify checks the store")
    func retryAndVerify() throws {
        let tree = TempTree()
        let (daemon, socket) = try Self.start(tree, config: "max_file_bytes: 300\n")
        tree.drop("long.txt", article("retry me", paragraphs: 4))
        tree.drop("ok.txt", article("fine", paragraphs: 1))
        try waitUntil("long.txt failed", timeout: 10, log: { daemon.log }) { tree.names(tree.failed).count == 2 }
        tree.config("inbox: \(tree.inbox)\nstate_dir: \(tree.state)\nsocket: \(socket)\n")
        #expect(Self.ctl(["reload"], socket: socket).status == 0)
        let retry = Self.ctl(["retry-failed"], socket: socket)
        #expect(retry.status == 0)
        #expect(retry.out.contains("moved 1 file back into the inbox"))
        try waitUntil("long.txt processed", timeout: 10, log: { daemon.log }) {
            tree.names(tree.processed).contains("long.txt")
        }
        #expect(tree.names(tree.failed).isEmpty)

        let clean = Self.ctl(["verify", "--json"], socket: socket)
        #expect(clean.status == 0, "\(clean.out)\(clean.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(clean.out.utf8)) as? [String: Any])
        #expect(report["records_checked"] as? Int == 2)
        #expect(report["ok"] as? Bool == true)

        // Damage a committed byte: verify finds it (and the daemon keeps running).
        let segment = tree.store + "/" + tree.names(tree.store).first { $0.hasSuffix(".jsonl") }!
        let handle = try #require(FileHandle(forUpdatingAtPath: segment))
        try handle.seek(toOffset: 30)
        try handle.write(contentsOf: Data("#".utf8))
        try handle.close()
        let damaged = Self.ctl(["verify"], socket: socket)
        #expect(damaged.status == 1)
        #expect(damaged.out.contains("checksum mismatch"))
        #expect(daemon.process.isRunning)
        #expect(try daemon.stop() == 0)
    }

    @Test("tail streams records as they are committed")
    func tail() throws {
        let tree = TempTree()
        let (daemon, socket) = try Self.start(tree)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.ingestctl)
        process.arguments = ["tail", "--socket", socket]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        usleep(300_000)
        for index in 0..<3 { tree.drop("t\(index).txt", article("tailed-\(index)")) }
        let lines = LockedBytes()
        let reader = out.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                lines.append(Array(data)[...])
            }
        }
        try waitUntil("3 tailed records", timeout: 10, log: { daemon.log }) {
            lines.text.split(separator: "\n").count >= 3
        }
        let titles = lines.text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["title"] as? String
        }
        #expect(Set(titles) == ["Headline for tailed-0", "Headline for tailed-1", "Headline for tailed-2"])
        #expect(try daemon.stop() == 0)
    }

    @Test("a uid without privilege may read status but gets exit 4 on pause; the refusal is logged")
    func permissions() throws {
        let tree = TempTree()
        chmod(tree.root, 0o755)
        let (daemon, socket) = try Self.start(tree)
        chmod(socket, 0o666)  // as if nobody were in the socket's group
        let status = Self.ctl(["status"], socket: socket, asNobody: true)
        #expect(status.status == 0, "\(status.err)")
        let pause = Self.ctl(["pause"], socket: socket, asNobody: true)
        #expect(pause.status == 4, "\(pause.err)")
        #expect(pause.err.contains("needs root, the daemon's user"))
        try daemon.waitForLog("refused a control command: not permitted", timeout: 5)
        #expect(try Self.statusJSON(socket)["state"] as? String == "running")
        chmod(socket, 0o600)
        let denied = Self.ctl(["status"], socket: socket, asNobody: true)
        #expect(denied.status == 3)
        #expect(denied.err.contains("not permitted to connect"))
        #expect(try daemon.stop() == 0)
    }

    @Test("malformed, over-size and silent clients and 500 connections get errors; the daemon answers and ingests")
    func abuse() throws {
        let tree = TempTree()
        let (daemon, socket) = try Self.start(tree, config: "control:\n  read_timeout: 1\n")
        func exchange(_ payload: [UInt8]) throws -> String {
            let client = try RawClient(socket)
            client.send(payload)
            return client.readAll(timeout: 5)
        }
        #expect(try exchange(Array("this is not json\n".utf8)).contains("\"code\":\"bad_request\""))
        #expect(try exchange(Array(#"{"version":1,"command":"explode"}"#.utf8) + [0x0A]).contains("unknown_command"))
        #expect(try exchange(Array(#"{"version":9,"command":"status"}"#.utf8) + [0x0A]).contains("unsupported_version"))
        #expect(try exchange([UInt8](repeating: 0x41, count: 70_000)).contains("too_large"))
        let silent = try RawClient(socket)
        silent.send(Array(#"{"version":1,"comm"#.utf8))
        #expect(silent.readAll(timeout: 5).contains("\"code\":\"timeout\""))

        // 500 connections at once that never send a request: past the limit (64) the oldest
        // silent one is closed to make room, so an operator's status still gets through.
        var clients: [RawClient] = []
        for _ in 0..<500 { clients.append(try RawClient(socket)) }
        tree.drop("during.txt", article("during abuse"))
        let started = Date()
        let status = Self.ctl(["status", "--json"], socket: socket)
        let elapsed = Date().timeIntervalSince(started)
        #expect(status.status == 0, "\(status.err)")
        #expect(elapsed < 2)
        var answered = 0
        let reading = Date()
        for client in clients {
            let text = client.readAll(timeout: 3)
            if text.contains("\"busy\"") || text.contains("\"timeout\"") || text.isEmpty { answered += 1 }
        }
        print("read 500 answers in \(String(format: "%.1f", Date().timeIntervalSince(reading))) s")
        #expect(answered == 500)
        clients.removeAll()
        try waitUntil("during.txt processed", timeout: 10, log: { daemon.log }) {
            tree.names(tree.processed) == ["during.txt"]
        }
        #expect(try Self.statusJSON(socket)["files_processed"] as? Int == 1)
        #expect(daemon.process.isRunning)
        print("status during 500 connections: exit \(status.status) after \(String(format: "%.3f", elapsed)) s")
        #expect(try daemon.stop() == 0)
    }

    @Test("a second daemon on the same socket path refuses to start; a stale socket file is replaced")
    func socketOwnership() throws {
        let tree = TempTree()
        let (first, socket) = try Self.start(tree)
        let other = TempTree()
        let second = try DaemonProcess(["--inbox", other.inbox, "--state-dir", other.state, "--socket", socket])
        #expect(try second.waitForExit(timeout: 10) == 1)
        #expect(second.log.contains("another process is answering on \(socket)"))
        first.kill9()  // leaves a stale socket file behind
        #expect(FileManager.default.fileExists(atPath: socket))
        let (again, _) = try Self.start(tree)
        #expect(Self.ctl(["status"], socket: socket).status == 0)
        #expect(try again.stop() == 0)
    }
}

/// A bare client socket for sending arbitrary bytes.
final class RawClient {
    let fd: Int32

    init(_ path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { throw TimeoutError(description: "connect failed: \(errno)") }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Everything the server sends until it closes the connection or `timeout` seconds pass.
    func readAll(timeout: Double) -> String {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
