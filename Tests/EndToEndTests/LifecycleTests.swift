import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real ingestd binary on temporary directories: watching, taking files, failed/ reasons.
@Suite("ingestd end to end")
struct LifecycleTests {
    @Test("files already in the inbox at start-up are ingested, with provenance")
    func startupScan() throws {
        let tree = TempTree()
        try FileManager.default.createDirectory(atPath: tree.inbox, withIntermediateDirectories: true)
        for index in 0..<5 { tree.write(tree.inbox + "/pre-\(index).txt", article("pre-\(index)")) }
        let daemon = try DaemonProcess.start(tree)
        try waitUntil("5 processed", timeout: 20, log: { daemon.log }) { tree.names(tree.processed).count == 5 }
        #expect(tree.names(tree.inbox).isEmpty)
        let records = tree.records()
        #expect(records.count == 5)
        for record in records {
            let source = try #require(record["source"] as? [String: Any])
            let file = try #require(source["file"] as? String)
            #expect(file.hasPrefix("pre-"))
            let body = try #require(record["body"] as? String)
            #expect(body.contains(file.replacingOccurrences(of: ".txt", with: "")))
            #expect((source["sha256"] as? String)?.count == 64)
            #expect(source["bytes"] as? Int == article(String(file.dropLast(4))).utf8.count)
            #expect(source["received_at"] is String)
            #expect(source["parser"] as? String == "newspage")
            #expect(source["parser_version"] is String)
            #expect(source["index"] as? Int == 0)
            #expect(record["title"] as? String == "Headline for " + file.dropLast(4))
        }
        #expect(try daemon.stop() == 0)
    }

    @Test("files closed after writing or renamed in are ingested as events arrive")
    func eventsWhileRunning() throws {
        let tree = TempTree()
        let daemon = try DaemonProcess.start(tree)
        tree.write(tree.inbox + "/written-in-place.txt", article("in-place"))
        tree.drop("renamed-in.txt", article("renamed"))
        try waitUntil("2 processed", timeout: 20, log: { daemon.log }) { tree.names(tree.processed).count == 2 }
        #expect(tree.names(tree.processed) == ["renamed-in.txt", "written-in-place.txt"])
        let bodies = tree.records().compactMap { $0["body"] as? String }
        #expect(bodies.contains { $0.contains("in-place") })
        #expect(bodies.contains { $0.contains("renamed") })
        // One log line per file with outcome, record count and time taken.
        try daemon.waitForLog("file=renamed-in.txt", timeout: 10)
        let line = try #require(daemon.logLines.first { $0.contains("file=renamed-in.txt") && $0.contains("outcome=") })
        #expect(line.contains("outcome=processed"))
        #expect(line.contains("records=1"))
        #expect(line.contains("ms="))
        #expect(try daemon.stop() == 0)
    }

    @Test("a burst of many batches: no batch holds more than commit.max_files, and every file is stored once")
    func burstKeepsBatchBounds() throws {
        let tree = TempTree()
        let staging = tree.path("staging")
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let total = 600
        for index in 0..<total { tree.writeFast(staging + "/b\(index).txt", article("burst-\(index)-marker")) }
        // Small batches, so that many of them are prepared ahead while another one commits.
        let config = tree.config("commit:\n  max_files: 8\n  max_delay_ms: 0\n")
        let daemon = try DaemonProcess.start(tree, extra: ["--config", config])
        for index in 0..<total { rename(staging + "/b\(index).txt", tree.inbox + "/b\(index).txt") }
        try waitUntil("\(total) processed", timeout: 60, log: { String(daemon.log.suffix(3000)) }) {
            tree.count(tree.processed) == total
        }
        #expect(try daemon.stop() == 0)

        let batchSizes = daemon.logLines.filter { $0.contains("batch committed") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("files=") }.flatMap { Int($0.dropFirst(6)) }
        }
        #expect(batchSizes.reduce(0, +) == total, "the batches' files add up to the files dropped")
        #expect(batchSizes.allSatisfy { (1...8).contains($0) }, "batch sizes: \(batchSizes)")
        #expect(batchSizes.count >= total / 8)
        var seen: [String: Int] = [:]
        for record in tree.records() {
            let body = record["body"] as? String ?? ""
            guard let range = body.range(of: #"burst-\d+-marker"#, options: .regularExpression) else { continue }
            seen[String(body[range]), default: 0] += 1
        }
        #expect(seen.count == total)
        #expect(seen.values.allSatisfy { $0 == 1 })
    }

    @Test("dotfiles, temporary names and sub-directories are left alone")
    func ignoredNames() throws {
        let tree = TempTree()
        let daemon = try DaemonProcess.start(tree)
        let ignored = [".hidden", "draft.tmp", "upload.part", "upload.partial", "notes~", ".notes.swp"]
        for name in ignored { tree.write(tree.inbox + "/" + name, article(name)) }
        try FileManager.default.createDirectory(atPath: tree.inbox + "/subdir", withIntermediateDirectories: false)
        tree.write(tree.inbox + "/subdir/inner.txt", article("inner"))
        tree.drop("real.txt", article("real"))
        try waitUntil("real.txt processed", timeout: 20, log: { daemon.log }) {
            tree.names(tree.processed) == ["real.txt"]
        }
        usleep(300_000)
        #expect(tree.names(tree.inbox) == (ignored + ["subdir"]).sorted())
        #expect(tree.names(tree.failed).isEmpty)
        // Renaming a finished upload to its final name makes it an input.
        #expect(rename(tree.inbox + "/upload.part", tree.inbox + "/upload.txt") == 0)
        try waitUntil("upload.txt processed", timeout: 20, log: { daemon.log }) {
            tree.names(tree.processed).contains("upload.txt")
        }
        #expect(try daemon.stop() == 0)
    }

    @Test("unusable inputs go to failed/ with a sidecar naming the reason, and the daemon goes on")
    func failedReasons() throws {
        let tree = TempTree()
        let config = tree.config("max_file_bytes: 2000\n")
        let daemon = try DaemonProcess.start(tree, extra: ["--config", config])
        tree.write(tree.root + "/outside.txt", article("outside"))
        #expect(symlink(tree.root + "/outside.txt", tree.inbox + "/link.txt") == 0)
        #expect(mkfifo(tree.inbox + "/pipe", 0o644) == 0)
        tree.drop("big.txt", article("big", paragraphs: 40))
        tree.drop("empty.txt", "")
        let binary = Data([0x00, 0x01, 0x02, 0xFF, 0x00, 0x10])
        _ = FileManager.default.createFile(atPath: tree.root + "/bin.tmp", contents: binary)
        #expect(rename(tree.root + "/bin.tmp", tree.inbox + "/blob.bin") == 0)
        tree.write(tree.root + "/shared.txt", article("hard"))
        #expect(link(tree.root + "/shared.txt", tree.inbox + "/hardlink.txt") == 0)
        let expected = [
            "link.txt": "symlink", "pipe": "not_regular", "big.txt": "too_large", "empty.txt": "empty",
            "blob.bin": "binary", "hardlink.txt": "hard_link",
        ]
        tree.drop("good.txt", article("good"))
        try waitUntil("all failed", timeout: 30, log: { daemon.log }) {
            expected.keys.allSatisfy { tree.names(tree.failed).contains($0) }
        }
        for (name, reason) in expected {
            let data = try Data(contentsOf: URL(fileURLWithPath: tree.failed + "/" + name + ".error.json"))
            let sidecar = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(sidecar["reason"] as? String == reason, "\(name)")
            #expect((sidecar["message"] as? String)?.isEmpty == false)
            #expect(sidecar["failed_at"] is String)
            #expect(sidecar["parser_version"] is String)
            #expect(sidecar.keys.contains("errno"))
        }
        // The symlink itself was moved, never followed: its target is untouched.
        #expect(FileManager.default.fileExists(atPath: tree.root + "/outside.txt"))
        try waitUntil("good.txt processed", timeout: 20, log: { daemon.log }) {
            tree.names(tree.processed) == ["good.txt"]
        }
        #expect(tree.records().count == 1)
        #expect(daemon.process.isRunning)
        #expect(try daemon.stop() == 0)
    }

    @Test("a file still open for writing is not taken before it is closed")
    func openForWriting() throws {
        let tree = TempTree()
        try FileManager.default.createDirectory(atPath: tree.inbox, withIntermediateDirectories: true)
        let fd = open(tree.inbox + "/growing.txt", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let first = Array("Growing story\n\nFirst half of the text, ".utf8)
        #expect(write(fd, first, first.count) == first.count)
        // Started while the writer holds the file: the start-up scan must leave it.
        let daemon = try DaemonProcess.start(tree)
        usleep(1_500_000)
        #expect(tree.names(tree.inbox) == ["growing.txt"])
        #expect(tree.records().isEmpty)
        let rest = Array("and the second half that ends the story.\n".utf8)
        #expect(write(fd, rest, rest.count) == rest.count)
        close(fd)
        try waitUntil("growing.txt processed", timeout: 20, log: { daemon.log }) {
            tree.names(tree.processed) == ["growing.txt"]
        }
        let body = try #require(tree.records().first?["body"] as? String)
        #expect(body.hasSuffix("ends the story."))
        #expect(try daemon.stop() == 0)
    }

    @Test("names with newlines, invalid UTF-8 or 255 bytes are handled and escaped")
    func awkwardNames() throws {
        let tree = TempTree()
        let daemon = try DaemonProcess.start(tree)
        let long = String(repeating: "n", count: 251) + ".txt"
        let names: [[UInt8]] = [
            Array("line\nbreak.txt".utf8), [0x62, 0x61, 0x64, 0xFF, 0xFE, 0x2E, 0x74, 0x78, 0x74], Array(long.utf8),
        ]
        for (index, name) in names.enumerated() {
            let staging = tree.root + "/staging-\(index)"
            tree.write(staging, article("awkward-\(index)"))
            let ok = (Array(tree.inbox.utf8) + [0x2F] + name + [0]).withUnsafeBufferPointer { target in
                target.withMemoryRebound(to: CChar.self) { rename(staging, $0.baseAddress!) }
            }
            #expect(ok == 0)
        }
        try waitUntil("3 processed", timeout: 20, log: { daemon.log }) { tree.names(tree.processed).count == 3 }
        try daemon.waitForLog("file=\"line\\\\nbreak.txt\"", timeout: 10)
        let files = Set(tree.records().compactMap { ($0["source"] as? [String: Any])?["file"] as? String })
        #expect(files == ["line\\nbreak.txt", "bad\\xff\\xfe.txt", long])
        // No raw newline inside a log line: every line starts with a timestamp.
        for line in daemon.logLines { #expect(line.hasPrefix("20"), "\(line)") }
        #expect(daemon.log.contains("file=\"line\\\\nbreak.txt\""))
        #expect(try daemon.stop() == 0)
    }

    @Test("the same content twice is written once; the second file is a duplicate")
    func duplicateContent() throws {
        let tree = TempTree()
        let daemon = try DaemonProcess.start(tree)
        tree.drop("first.txt", article("same"))
        try waitUntil("first processed", timeout: 20, log: { daemon.log }) {
            tree.names(tree.processed) == ["first.txt"]
        }
        tree.drop("second.txt", article("same"))
        tree.drop("first.txt", article("different"))  // a reused name is kept beside the first
        try waitUntil("3 processed", timeout: 20, log: { daemon.log }) { tree.names(tree.processed).count == 3 }
        #expect(tree.names(tree.processed) == ["first.txt", "first.txt.1", "second.txt"])
        #expect(tree.records().count == 2)
        #expect(daemon.log.contains("file=second.txt") && daemon.log.contains("outcome=duplicate"))
        #expect(try daemon.stop() == 0)
    }

    @Test("--once ingests the inbox and exits 0; processed_action delete removes inputs")
    func onceAndDelete() throws {
        let tree = TempTree()
        try FileManager.default.createDirectory(atPath: tree.inbox, withIntermediateDirectories: true)
        for index in 0..<20 { tree.write(tree.inbox + "/f\(index).txt", article("once-\(index)")) }
        tree.write(tree.inbox + "/bad.txt", "")
        let config = tree.config("processed_action: delete\n")
        let daemon = try DaemonProcess(["--config", config, "--inbox", tree.inbox, "--state-dir", tree.state, "--once"])
        #expect(try daemon.waitForExit(timeout: 30) == 0)
        #expect(tree.names(tree.inbox).isEmpty)
        #expect(tree.names(tree.processed).isEmpty)
        #expect(tree.names(tree.failed) == ["bad.txt", "bad.txt.error.json"])
        #expect(tree.records().count == 20)
    }

    @Test("reading an input does not change its access time")
    func accessTimeKept() throws {
        let tree = TempTree()
        try FileManager.default.createDirectory(atPath: tree.inbox, withIntermediateDirectories: true)
        for index in 0..<3 { tree.write(tree.inbox + "/a\(index).txt", article("atime-\(index)")) }
        // An access time before the modification time: a plain read updates it even under relatime.
        let accessed = timespec(tv_sec: 1_000_000_000, tv_nsec: 0)
        for index in 0..<3 {
            var times = [accessed, timespec(tv_sec: 1_100_000_000, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, tree.inbox + "/a\(index).txt", &times, 0) == 0)
        }
        let daemon = try DaemonProcess(["--inbox", tree.inbox, "--state-dir", tree.state, "--once"])
        #expect(try daemon.waitForExit(timeout: 30) == 0)
        #expect(tree.names(tree.processed).count == 3)
        for name in tree.names(tree.processed) {
            var st = stat()
            #expect(stat(tree.processed + "/" + name, &st) == 0)
            #expect(st.st_atim.tv_sec == accessed.tv_sec, "\(name) was read with its access time updated")
        }
    }

    @Test("inputs the daemon does not own (no O_NOATIME for them) are ingested all the same")
    func inputsOfAnotherOwner() throws {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            print("skipped: needs root and setpriv to run the daemon as another user")
            return
        }
        let tree = TempTree()
        let nobody: uid_t = 65534
        #expect(chmod(tree.root, 0o755) == 0)
        for directory in [tree.inbox, tree.state] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            #expect(chown(directory, nobody, gid_t(nobody)) == 0)
        }
        // Owned by root, readable by all: the daemon, running as nobody, may read them but not
        // open them with O_NOATIME (nor take a lease on them: with settle_seconds 0 they count as
        // written at once).
        for index in 0..<4 { tree.write(tree.inbox + "/r\(index).txt", article("owner-\(index)")) }
        let config = tree.config("settle_seconds: 0\n")
        let daemon = try DaemonProcess(
            ["--config", config, "--inbox", tree.inbox, "--state-dir", tree.state, "--once"],
            launcher: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        #expect(try daemon.waitForExit(timeout: 30) == 0, "\(daemon.log)")
        #expect(tree.names(tree.processed).count == 4)
        #expect(tree.names(tree.failed).isEmpty)
        #expect(tree.records().count == 4)
    }

    @Test("ingestd parse prints JSON Lines records and touches no store")
    func parseCommand() throws {
        let tree = TempTree()
        tree.write(tree.root + "/a.txt", article("parse-a"))
        tree.write(tree.root + "/empty.txt", "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonProcess.binary)
        process.arguments = ["parse", tree.root + "/a.txt", tree.root + "/empty.txt"]
        process.currentDirectoryURL = URL(fileURLWithPath: tree.root)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)  // one file gave no records
        let lines = String(decoding: stdout, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 1)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(record["title"] as? String == "Headline for parse-a")
        #expect(stderr.contains("empty.txt: empty"))
        #expect(tree.names(tree.root) == ["a.txt", "empty.txt"])
    }

    @Test("a bad configuration is refused with a clear message and exit code 78")
    func badConfig() throws {
        let tree = TempTree()
        let config = tree.config("inbox: \(tree.inbox)\ncommit:\n  max_files: lots\n")
        let daemon = try DaemonProcess(["--config", config])
        #expect(try daemon.waitForExit(timeout: 10) == 78)
        #expect(daemon.log.contains("commit.max_files must be a whole number"))
        let typo = tree.config("inboks: /tmp/x\n")
        let second = try DaemonProcess(["--config", typo])
        #expect(try second.waitForExit(timeout: 10) == 78)
        #expect(second.log.contains("unknown key 'inboks'"))
    }

    @Test("a second daemon on the same state directory refuses to start")
    func secondDaemonRefused() throws {
        let tree = TempTree()
        let first = try DaemonProcess.start(tree)
        let second = try DaemonProcess(["--inbox", tree.inbox, "--state-dir", tree.state, "--socket", tree.socket])
        #expect(try second.waitForExit(timeout: 10) == 1)
        #expect(second.log.contains("another ingestd (pid \(first.pid))"))
        #expect(try first.stop() == 0)
    }

    @Test("inbox and state directory on different file systems: refuse to start")
    func differentFileSystems() throws {
        var shm = stat()
        var tmp = stat()
        guard stat("/dev/shm", &shm) == 0, stat("/tmp", &tmp) == 0, shm.st_dev != tmp.st_dev,
            access("/dev/shm", W_OK) == 0
        else {
            print("skipped: /dev/shm and /tmp are not two writable file systems here")
            return
        }
        let tree = TempTree()
        let inbox = "/dev/shm/ingestd-e2e-inbox-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: inbox) }
        let daemon = try DaemonProcess(["--inbox", inbox, "--state-dir", tree.state, "--socket", tree.socket])
        #expect(try daemon.waitForExit(timeout: 10) == 1)
        #expect(daemon.log.contains("different file systems"))
    }

    @Test("SIGTERM sent the moment the daemon says it is ready is never lost")
    func stopRightAfterReady() throws {
        for _ in 0..<10 {
            let tree = TempTree()
            let daemon = try DaemonProcess.start(tree)
            #expect(try daemon.stop(timeout: 10) == 0)
        }
    }
}
