import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Crash, overflow, replaced-inbox and write-fault behaviour of the real binary. Serialized: each
/// test loads the machine on its own.
@Suite("ingestd reliability", .serialized)
struct ReliabilityTests {
    @Test("inotify overflow: a burst past max_queued_events while stopped is ingested in full")
    func overflowRescan() throws {
        let tree = TempTree()
        let limit =
            Int(
                (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16384
        let count = limit + 500
        let config = tree.config("reconcile_interval: 0\n")  // only the overflow may trigger the rescan
        let daemon = try DaemonProcess.start(tree, extra: ["--config", config, "--log-level", "info"])
        kill(daemon.pid, SIGSTOP)
        let staging = tree.path("staging")
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for index in 0..<count {
            tree.write(staging + "/o\(index).txt", "Overflow \(index)\n\nBody of overflow file \(index).\n")
        }
        for index in 0..<count { rename(staging + "/o\(index).txt", tree.inbox + "/o\(index).txt") }
        kill(daemon.pid, SIGCONT)
        try waitUntil("\(count) processed", timeout: 300, log: { String(daemon.log.suffix(2000)) }) {
            tree.count(tree.processed) == count
        }
        #expect(daemon.log.contains("inotify event queue overflowed"))
        #expect(tree.names(tree.inbox).isEmpty)
        let files = tree.records().compactMap { ($0["source"] as? [String: Any])?["file"] as? String }
        #expect(files.count == count)
        #expect(Set(files).count == count)
        #expect(try daemon.stop() == 0)
    }

    @Test("the inbox deleted, re-created or moved away while running: watching resumes")
    func inboxReplaced() throws {
        let tree = TempTree()
        let daemon = try DaemonProcess.start(tree)
        tree.drop("a.txt", article("replaced-a"))
        try waitUntil("a processed", timeout: 20, log: { daemon.log }) { tree.names(tree.processed) == ["a.txt"] }

        try FileManager.default.removeItem(atPath: tree.inbox)
        try daemon.waitForLog("the inbox is gone", timeout: 10)
        try FileManager.default.createDirectory(atPath: tree.inbox, withIntermediateDirectories: false)
        try daemon.waitForLog("watching the inbox again", timeout: 10)
        tree.drop("b.txt", article("replaced-b"))
        try waitUntil("b processed", timeout: 20, log: { daemon.log }) { tree.names(tree.processed).contains("b.txt") }

        let rewatched = daemon.log.components(separatedBy: "watching the inbox again").count
        #expect(rename(tree.inbox, tree.root + "/inbox.old") == 0)
        try FileManager.default.createDirectory(atPath: tree.inbox, withIntermediateDirectories: false)
        try waitUntil("the new inbox watched", timeout: 10, log: { daemon.log }) {
            daemon.log.components(separatedBy: "watching the inbox again").count > rewatched
        }
        tree.drop("c.txt", article("replaced-c"))
        tree.drop("stale.txt", article("replaced-stale"), into: tree.root + "/inbox.old")
        try waitUntil("c processed", timeout: 20, log: { daemon.log }) { tree.names(tree.processed).contains("c.txt") }
        usleep(300_000)
        #expect(tree.names(tree.root + "/inbox.old") == ["stale.txt"])  // the old directory is not watched
        #expect(tree.records().count == 3)
        #expect(try daemon.stop() == 0)
    }

    /// CI runs 25 cycles over 2,000 files; scripts/reliability sets INGESTD_KILL_CYCLES=200 and
    /// INGESTD_KILL_FILES=10000 for the full run.
    @Test("kill -9 at random moments while files arrive: every file's records exactly once")
    func killNineCycles() throws {
        let environment = ProcessInfo.processInfo.environment
        let minimumCycles = environment["INGESTD_KILL_CYCLES"].flatMap(Int.init) ?? 25
        let tree = TempTree()
        try FileManager.default.createDirectory(atPath: tree.inbox, withIntermediateDirectories: true)
        let total = environment["INGESTD_KILL_FILES"].flatMap(Int.init) ?? 2000
        let staging = tree.path("staging")
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for index in 0..<total {
            let paragraphs = 1 + index % 3  // files of one, two and three records' worth of text
            tree.writeFast(staging + "/k\(index).txt", article("kill-\(index)-marker", paragraphs: paragraphs))
        }
        let config = tree.config("commit:\n  max_files: 64\nreconcile_interval: 1\n")
        let producerDone = DispatchSemaphore(value: 0)
        let inbox = tree.inbox
        // Spread the drops over the cycles (about 0.25 s each), 50 files at a time.
        let groupPause = UInt32(Double(minimumCycles) * 250_000 / Double(max(total / 50, 1)))
        Thread.detachNewThread {
            for index in 0..<total {
                rename(staging + "/k\(index).txt", inbox + "/k\(index).txt")
                if index % 50 == 49 { usleep(groupPause) }
            }
            producerDone.signal()
        }
        var generator = SystemRandomNumberGenerator()
        var cycles = 0
        var producing = true
        while cycles < minimumCycles || producing {
            let daemon = try DaemonProcess([
                "--config", config, "--inbox", tree.inbox, "--state-dir", tree.state, "--socket", tree.socket,
            ])
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            daemon.kill9()
            cycles += 1
            if producerDone.wait(timeout: .now()) == .success { producing = false }
        }
        let daemon = try DaemonProcess.start(tree, extra: ["--config", config])
        try waitUntil("all \(total) processed", timeout: 120, log: { String(daemon.log.suffix(3000)) }) {
            tree.count(tree.processed) == total
        }
        #expect(try daemon.stop() == 0)
        #expect(tree.names(tree.inbox).isEmpty)
        #expect(tree.names(tree.failed).isEmpty)

        let lines = tree.storeLines()
        let records = tree.records()
        #expect(records.count == lines.count)
        #expect(records.allSatisfy { $0["unparsable"] == nil }, "a torn or garbled line is visible")
        var seen: [String: Int] = [:]
        for record in records {
            let body = record["body"] as? String ?? ""
            guard let range = body.range(of: #"kill-\d+-marker"#, options: .regularExpression) else { continue }
            seen[String(body[range]), default: 0] += 1
        }
        #expect(seen.count == total, "records missing for \(total - seen.count) files")
        let doubled = seen.filter { $0.value != 1 }
        #expect(doubled.isEmpty, "written more than once: \(doubled.keys.sorted().prefix(5))")
        let ids = records.compactMap { $0["id"] as? String }
        #expect(Set(ids).count == ids.count)
        print("kill -9 cycles: \(cycles), files: \(total), records: \(records.count)")
    }

    @Test("a file size limit (EFBIG) on the store: degraded, nothing acknowledged, all ingested once it clears")
    func writeFailureEFBIG() throws {
        let tree = TempTree()
        let config = tree.config("commit:\n  max_delay_ms: 50\n")
        // bash's ulimit -f counts KiB: no file of the daemon may grow past 4 KiB. Only the soft
        // limit, so that an unprivileged prlimit can lift it again.
        let daemon = try DaemonProcess.start(tree, extra: ["--config", config], shellPrefix: "ulimit -S -f 4")
        kill(daemon.pid, SIGSTOP)  // so the files below land in one batch that cannot fit
        for index in 0..<8 { tree.drop("f\(index).txt", article("efbig-\(index)", paragraphs: 4)) }
        kill(daemon.pid, SIGCONT)
        try daemon.waitForLog("errno=EFBIG", timeout: 20)
        usleep(500_000)
        #expect(daemon.process.isRunning)
        #expect(tree.names(tree.processed).isEmpty, "nothing may be acknowledged while the store cannot write")
        #expect(tree.names(tree.inbox).count == 8)
        #expect(tree.storeLines().isEmpty, "unacknowledged records are visible in the store")

        let raise = Process()
        raise.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        raise.arguments = ["--pid", String(daemon.pid), "--fsize=unlimited:"]
        try raise.run()
        raise.waitUntilExit()
        #expect(raise.terminationStatus == 0)
        try waitUntil("8 processed", timeout: 60, log: { daemon.log }) { tree.names(tree.processed).count == 8 }
        try daemon.waitForLog("the store is writable again", timeout: 10)
        let markers = tree.records().compactMap { $0["title"] as? String }
        #expect(markers.count == 8)
        #expect(Set(markers).count == 8)
        #expect(try daemon.stop() == 0)
    }

    @Test("ENOSPC on write and EIO on fdatasync, injected: degraded, retried, nothing lost or doubled")
    func injectedWriteFaults() throws {
        let shim = try FaultShim.build()
        for fault in ["write:ENOSPC", "fdatasync:EIO"] {
            let tree = TempTree()
            let control = tree.path("fault")
            let daemon = try DaemonProcess(
                ["--inbox", tree.inbox, "--state-dir", tree.state, "--socket", tree.socket, "--log-level", "debug"],
                environment: ["LD_PRELOAD": shim, "INGESTD_TEST_FAULT": control])
            try daemon.waitForLog("ready: watching the inbox", timeout: 30)
            tree.drop("before.txt", article("fault-\(fault)-before"))  // a committed record to protect
            try waitUntil("before.txt processed", timeout: 20, log: { daemon.log }) {
                tree.names(tree.processed).count == 1
            }
            tree.write(control, fault)  // the fault starts
            for index in 0..<6 { tree.drop("f\(index).txt", article("fault-\(fault)-\(index)")) }
            let errnoName = String(fault.split(separator: ":")[1])
            try daemon.waitForLog("errno=\(errnoName)", timeout: 20)
            usleep(400_000)
            #expect(daemon.process.isRunning)
            let status = try ControlTests.statusJSON(tree.socket)
            #expect(status["state"] as? String == "degraded", "\(fault)")
            #expect((status["degraded"] as? String)?.contains(errnoName) == true, "\(fault)")
            #expect(tree.names(tree.processed) == ["before.txt"], "\(fault): acknowledged while the store failed")
            #expect(tree.names(tree.inbox).count == 6)
            try FileManager.default.removeItem(atPath: control)  // the fault clears
            try waitUntil("7 processed", timeout: 60, log: { daemon.log }) { tree.names(tree.processed).count == 7 }
            try waitUntil("running again", timeout: 10, log: { daemon.log }) {
                (try? ControlTests.statusJSON(tree.socket)["state"] as? String) == "running"
            }
            #expect(try daemon.stop() == 0)
            let titles = tree.records().compactMap { $0["title"] as? String }
            #expect(titles.count == 7, "\(fault)")
            #expect(Set(titles).count == 7, "\(fault): a record was written twice")
            // Restart: recovery finds a consistent store and nothing to redo.
            let again = try DaemonProcess.start(tree)
            #expect(try again.stop() == 0)
            #expect(!again.log.contains("corruption"))
            #expect(tree.records().count == 7)
        }
    }
}

/// An LD_PRELOAD library for fault injection: fails `write` or `fdatasync` on the store's files
/// while the file named by `$INGESTD_TEST_FAULT` exists (it holds `CALL:ERRNO`, e.g.
/// `write:ENOSPC`, or `CALL:HANG` to block the call forever), and kills the process at the K-th
/// call of a durability-relevant system call when `$INGESTD_TEST_CRASH` is `CALL:K`.
enum FaultShim {
    static let source = #"""
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <errno.h>
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/stat.h>
        #include <unistd.h>

        /* INGESTD_TEST_FAULT names a file holding CALL:ENOSPC, CALL:EIO or CALL:HANG, read at
           every call, so a test can start and clear the fault. Only the store's files count, but
           for `read` only the inbox's (a read of an input that never returns). */
        static int armed(const char *call, int fd) {
            const char *control = getenv("INGESTD_TEST_FAULT");
            if (!control) return 0;
            FILE *f = fopen(control, "r");
            if (!f) return 0;
            char spec[64] = {0};
            fgets(spec, sizeof spec, f);
            fclose(f);
            size_t n = strlen(call);
            if (strncmp(spec, call, n) != 0 || spec[n] != ':') return 0;
            char link[64], target[4096];
            snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
            ssize_t len = readlink(link, target, sizeof target - 1);
            if (len < 0) return 0;
            target[len] = 0;
            if (!strstr(target, strcmp(call, "read") == 0 ? "/inbox/" : "/store/")) return 0;
            if (strncmp(spec + n + 1, "HANG", 4) == 0) for (;;) pause();  /* a disk that never answers */
            return strncmp(spec + n + 1, "ENOSPC", 6) == 0 ? ENOSPC : EIO;
        }

        /* INGESTD_TEST_CRASH=CALL:K kills the process (SIGKILL) on entry to the K-th call of CALL,
           counted across all threads (strace's when=K counts per thread). `write` counts only
           writes to regular files. */
        static void crash_point(const char *call, int fd) {
            static long counters[6];
            static const char *names[6] = {"fdatasync", "fsync", "renameat", "renameat2", "rename", "write"};
            const char *spec = getenv("INGESTD_TEST_CRASH");
            if (!spec) return;
            size_t n = strlen(call);
            if (strncmp(spec, call, n) != 0 || spec[n] != ':') return;
            if (fd >= 0) {
                struct stat st;
                if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
            }
            for (int i = 0; i < 6; i++) {
                if (strcmp(names[i], call) != 0) continue;
                long k = __atomic_add_fetch(&counters[i], 1, __ATOMIC_SEQ_CST);
                if (k == atol(spec + n + 1)) raise(SIGKILL);
            }
        }

        ssize_t write(int fd, const void *buf, size_t count) {
            static ssize_t (*real)(int, const void *, size_t);
            if (!real) real = dlsym(RTLD_NEXT, "write");
            crash_point("write", fd);
            int e = armed("write", fd);
            if (e) { errno = e; return -1; }
            return real(fd, buf, count);
        }

        ssize_t read(int fd, void *buf, size_t count) {
            static ssize_t (*real)(int, void *, size_t);
            if (!real) real = dlsym(RTLD_NEXT, "read");
            int e = armed("read", fd);
            if (e) { errno = e; return -1; }
            return real(fd, buf, count);
        }

        int fdatasync(int fd) {
            static int (*real)(int);
            if (!real) real = dlsym(RTLD_NEXT, "fdatasync");
            crash_point("fdatasync", -1);
            int e = armed("fdatasync", fd);
            if (e) { errno = e; return -1; }
            return real(fd);
        }

        int fsync(int fd) {
            static int (*real)(int);
            if (!real) real = dlsym(RTLD_NEXT, "fsync");
            crash_point("fsync", -1);
            return real(fd);
        }

        int renameat(int olddir, const char *old, int newdir, const char *new) {
            static int (*real)(int, const char *, int, const char *);
            if (!real) real = dlsym(RTLD_NEXT, "renameat");
            crash_point("renameat", -1);
            return real(olddir, old, newdir, new);
        }

        /* ingestd looks renameat2 up with dlsym(RTLD_DEFAULT), which finds this one first. */
        int renameat2(int olddir, const char *old, int newdir, const char *new, unsigned int flags) {
            static int (*real)(int, const char *, int, const char *, unsigned int);
            if (!real) real = dlsym(RTLD_NEXT, "renameat2");
            crash_point("renameat2", -1);
            return real(olddir, old, newdir, new, flags);
        }

        int rename(const char *old, const char *new) {
            static int (*real)(const char *, const char *);
            if (!real) real = dlsym(RTLD_NEXT, "rename");
            crash_point("rename", -1);
            return real(old, new);
        }
        """#

    /// Compiles the shim once per test process (suites run in parallel and must not rebuild the
    /// library while another test's daemon is loading it) and returns the library's path.
    static func build() throws -> String { try built.get() }

    private static let built = Result<String, any Error> { try compile() }

    /// Compiles the shim with the toolchain's clang (or cc) and returns the library's path.
    ///
    /// The library lives in one directory named after the source's hash, kept between runs: a
    /// run reuses it when present (so test runs do not litter the temporary directory), and a
    /// new build is renamed into place, so concurrent test processes never load a half-written one.
    private static func compile() throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Self.source.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let dir = NSTemporaryDirectory() + "ingestd-faultshim-" + String(hash, radix: 16)
        let library = dir + "/faultshim.so"
        if FileManager.default.fileExists(atPath: library) { return library }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = dir + "/faultshim-\(getpid()).c"
        let building = dir + "/faultshim-\(getpid()).so"
        defer { try? FileManager.default.removeItem(atPath: source) }
        try Self.source.write(toFile: source, atomically: true, encoding: .utf8)
        let candidates = ["/usr/bin/cc", "/opt/swift/usr/bin/clang"]
        let compiler = candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "clang"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [compiler, "-shared", "-fPIC", "-O1", "-o", building, source, "-ldl"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, rename(building, library) == 0 else {
            try? FileManager.default.removeItem(atPath: building)
            throw TimeoutError(description: "cannot compile the fault shim")
        }
        return library
    }
}
