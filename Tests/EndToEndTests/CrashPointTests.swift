import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every crash point: the daemon is killed (SIGKILL) on entry to the K-th call of each
/// durability-relevant system call, for every K a small run makes; after a restart nothing is lost
/// and nothing is written twice. The kill comes from the LD_PRELOAD fault shim, which counts calls
/// across threads: strace's `inject=…:when=K` counts per thread, and Dispatch moves the pipeline's
/// queues between worker threads, so "the K-th call" would not be one fixed point with it.
/// (scripts/reliability also runs the strace form.)
@Suite("crash at every durability point", .serialized)
struct CrashPointTests {
    static let files = 6
    static let config = "commit:\n  max_files: 2\n  max_delay_ms: 0\n"

    /// The small run: `files` inputs, two per commit, ingested with --once and logs silenced (so
    /// that every `write` is a store or sidecar write).
    static func prepare(_ tree: TempTree) throws -> String {
        try FileManager.default.createDirectory(atPath: tree.inbox, withIntermediateDirectories: true)
        for index in 0..<files { tree.writeFast(tree.inbox + "/c\(index).txt", article("crash-point-\(index)")) }
        return tree.config(config)
    }

    static func arguments(_ tree: TempTree, config: String) -> [String] {
        ["--config", config, "--inbox", tree.inbox, "--state-dir", tree.state, "--once", "--log-level", "critical"]
    }

    /// How many times a clean run calls `syscall`, summed over all threads (strace -f -c).
    static func count(_ syscall: String) throws -> Int {
        let tree = TempTree()
        let config = try prepare(tree)
        let summary = tree.path("count.txt")
        let run = UserManager.run(
            "/usr/bin/strace",
            ["-f", "-c", "-e", "trace=\(syscall)", "-o", summary, DaemonProcess.binary]
                + arguments(tree, config: config),
            environment: [:])
        #expect(run.status == 0, "\(run.output)")
        let text = (try? String(contentsOfFile: summary, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasSuffix(" " + syscall) {
            let columns = line.split(separator: " ")
            if columns.count >= 5, let calls = Int(columns[3]) { return calls }
        }
        return 0
    }

    @Test(
        "SIGKILL at the K-th call, for every K: restart recovers, every input once",
        arguments: ["fdatasync", "fsync", "renameat2", "rename", "write"])
    func everyCrashPoint(_ syscall: String) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            print("skipped: strace is not installed (scripts/bootstrap installs it)")
            return
        }
        let shim = try FaultShim.build()
        let calls = try Self.count(syscall)
        #expect(calls > 0, "a run makes no \(syscall) call")
        var killed = 0
        for k in 1...max(calls, 1) {
            let tree = TempTree()
            let config = try Self.prepare(tree)
            let crashed = try DaemonProcess(
                Self.arguments(tree, config: config),
                environment: ["LD_PRELOAD": shim, "INGESTD_TEST_CRASH": "\(syscall):\(k)"])
            let status = try crashed.waitForExit(timeout: 30)
            if crashed.process.terminationReason == .uncaughtSignal && status == SIGKILL { killed += 1 }
            let restarted = try DaemonProcess(Self.arguments(tree, config: config))
            #expect(try restarted.waitForExit(timeout: 30) == 0, "\(syscall) #\(k): \(restarted.log)")
            #expect(tree.names(tree.inbox).isEmpty, "\(syscall) #\(k)")
            #expect(tree.count(tree.processed) == Self.files, "\(syscall) #\(k)")
            let titles = tree.records().compactMap { $0["title"] as? String }
            #expect(titles.count == Self.files, "\(syscall) #\(k): \(titles.count) records")
            #expect(Set(titles).count == Self.files, "\(syscall) #\(k): a record was written twice")
            let verify = UserManager.run(ControlTests.ingestctl, ["verify-store", tree.store], environment: [:])
            #expect(verify.status == 0, "\(syscall) #\(k): \(verify.output)")
        }
        // Every call is a crash point, except writes to non-regular files (Dispatch's eventfd
        // wake-ups), which strace counts and the shim skips.
        if syscall == "write" {
            #expect(killed > 0 && killed <= calls)
        } else {
            #expect(killed == calls, "\(syscall): killed in \(killed) of \(calls) runs")
        }
        print("\(syscall): killed at \(killed) of \(calls) calls; after each restart 0 lost, 0 duplicated")
    }
}
