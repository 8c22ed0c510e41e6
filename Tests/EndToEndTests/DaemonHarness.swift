import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A temporary directory tree for one test, removed when the test ends.
final class TempTree {
    let root: String

    init(_ label: String = "ingestd-e2e") {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    var inbox: String { root + "/inbox" }
    var state: String { root + "/state" }
    var processed: String { state + "/processed" }
    var failed: String { state + "/failed" }
    var store: String { state + "/store" }
    /// Each test's daemon gets its own control socket, so tests can run in parallel.
    var socket: String { root + "/control.sock" }

    func path(_ name: String) -> String { root + "/" + name }

    /// Writes a file elsewhere and renames it into `directory` (how producers should drop files).
    func drop(_ name: String, _ contents: String, into directory: String? = nil) {
        let target = (directory ?? inbox) + "/" + name
        let staging = root + "/.staging-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: staging, contents: Data(contents.utf8))
        precondition(rename(staging, target) == 0, "rename into inbox failed: \(errno)")
    }

    func write(_ path: String, _ contents: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(contents.utf8))
    }

    /// Entries in `directory` (without "." and ".."), counted with readdir: cheap enough to poll.
    func count(_ directory: String) -> Int {
        guard let dir = opendir(directory) else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            // Read in place: a record can be shorter than `dirent` (copying it could overrun readdir's buffer).
            let raw = UnsafeRawPointer(entry).advanced(by: MemoryLayout<dirent>.offset(of: \.d_name)!)
                .assumingMemoryBound(to: UInt8.self)
            let isDot = raw[0] == 0x2E && (raw[1] == 0 || (raw[1] == 0x2E && raw[2] == 0))
            if !isDot { count += 1 }
        }
        return count
    }

    /// Writes `contents` with one open/write/close.
    func writeFast(_ path: String, _ contents: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(path)")
        let bytes = Array(contents.utf8)
        precondition(Glibc.write(fd, bytes, bytes.count) == bytes.count)
        close(fd)
    }

    func names(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Every line of every segment, in segment order.
    func storeLines() -> [String] {
        names(store).filter { $0.hasSuffix(".jsonl") }.flatMap { name -> [String] in
            let text = (try? String(contentsOfFile: store + "/" + name, encoding: .utf8)) ?? ""
            return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
    }

    /// The store's records as JSON objects.
    func records() -> [[String: Any]] {
        storeLines().map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? ["unparsable": line]
        }
    }

    /// Writes a YAML config file and returns its path.
    @discardableResult
    func config(_ yaml: String) -> String {
        let path = root + "/ingestd.yaml"
        write(path, yaml)
        return path
    }
}

/// The real `ingestd` binary, run as a child process with its stderr collected.
final class DaemonProcess: @unchecked Sendable {
    static var binary: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("ingestd").path
    }

    let process = Process()
    private let output = LockedBytes()
    private let readerDone = DispatchSemaphore(value: 0)

    /// Starts `ingestd ARGS`; `shellPrefix` runs it through `/bin/bash -c "PREFIX; exec ingestd …"`,
    /// `launcher` as `LAUNCHER… ingestd ARGS` (such as `setpriv` with another user).
    init(
        _ arguments: [String], shellPrefix: String? = nil, launcher: [String] = [], environment: [String: String] = [:]
    ) throws {
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [Self.binary] + arguments
        } else if let shellPrefix {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            let quoted = ([Self.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            process.arguments = ["-c", shellPrefix + "; exec " + quoted.joined(separator: " ")]
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "INGESTD_CONFIG")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let fd = pipe.fileHandleForReading.fileDescriptor
        try process.run()
        let output = self.output
        let done = readerDone
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                output.append(buffer[0..<n])
            }
            done.signal()
        }
    }

    /// Starts the daemon on `tree` and waits until it says it is ready.
    static func start(_ tree: TempTree, extra: [String] = [], shellPrefix: String? = nil) throws -> DaemonProcess {
        let daemon = try DaemonProcess(
            ["--inbox", tree.inbox, "--state-dir", tree.state, "--socket", tree.socket, "--log-level", "debug"] + extra,
            shellPrefix: shellPrefix
        )
        try daemon.waitForLog("ready: watching the inbox", timeout: 30)
        return daemon
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { output.text }
    var logLines: [String] { log.split(separator: "\n").map(String.init) }

    func waitForLog(_ text: String, timeout: Double) throws {
        try waitUntil("log line \"\(text)\"", timeout: timeout, log: { self.log }) { self.log.contains(text) }
    }

    /// SIGTERM, then wait; returns the exit status.
    @discardableResult
    func stop(timeout: Double = 30) throws -> Int32 {
        kill(pid, SIGTERM)
        return try waitForExit(timeout: timeout)
    }

    func kill9() {
        kill(pid, SIGKILL)
        process.waitUntilExit()
        readerDone.wait()
    }

    func waitForExit(timeout: Double) throws -> Int32 {
        try waitUntil("exit of ingestd", timeout: timeout, log: { self.log }) { !self.process.isRunning }
        process.waitUntilExit()
        readerDone.wait()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass.
func waitUntil(
    _ what: String, timeout: Double, log: (() -> String)? = nil, _ condition: () -> Bool
) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline {
            let tail = log.map { "\n--- daemon log (tail) ---\n" + String($0().suffix(4000)) } ?? ""
            throw TimeoutError(description: "timed out after \(timeout)s waiting for \(what)\(tail)")
        }
        usleep(20_000)
    }
}

/// A small article whose body carries `marker`, so its record can be found in the store.
func article(_ marker: String, paragraphs: Int = 2) -> String {
    var text = "Headline for \(marker)\n\n"
    for index in 0..<paragraphs {
        text += "Paragraph \(index) of \(marker) says something worth reading about the harbour and the council.\n\n"
    }
    return text
}

/// Bytes shared between the reader thread and the test.
final class LockedBytes: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    func append(_ more: ArraySlice<UInt8>) { bytes.withLock { $0 += more } }
    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}
