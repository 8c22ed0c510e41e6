import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ingestd as a Type=notify service of a real systemd (a private user manager started for each
/// test): readiness, status text, reload, the watchdog, and a clean stop.
@Suite("ingestd under a real systemd", .serialized)
struct SystemdTests {
    @Test("start returns after READY; StatusText follows drops; reload applies a changed config")
    func startStatusReload() throws {
        guard let manager = UserManager.startOrSkip() else { return }
        let tree = TempTree()
        let service = try manager.installService(for: tree, config: "reconcile_interval: 30\n")
        #expect(manager.systemctl(["start", service]).status == 0)
        // `start` blocks until READY=1 for Type=notify: active at once, inbox already watched.
        #expect(manager.show(service, "ActiveState") == "active")
        #expect(manager.show(service, "StatusText").hasPrefix("watching \(tree.inbox)"))
        for index in 0..<3 { tree.drop("s\(index).txt", article("systemd-\(index)")) }
        try waitUntil("StatusText counts 3 files", timeout: 10, log: { manager.show(service, "StatusText") }) {
            manager.show(service, "StatusText").contains("3 files · 3 articles · 0 queued · 0 failed")
        }

        // A changed config: tiny size limit. After reload a larger file must go to failed/.
        tree.write(tree.path("ingestd.yaml"), "inbox: \(tree.inbox)\nstate_dir: \(tree.state)\nmax_file_bytes: 40\n")
        #expect(manager.systemctl(["reload", service]).status == 0)
        try waitUntil("reloaded", timeout: 10, log: { manager.daemonLog(tree) }) {
            manager.daemonLog(tree).contains("configuration reloaded")
        }
        #expect(manager.show(service, "ActiveState") == "active")
        tree.drop("big.txt", article("too big now"))
        try waitUntil("big.txt failed", timeout: 10, log: { manager.daemonLog(tree) }) {
            tree.names(tree.failed).contains("big.txt.error.json")
        }
        // An invalid config is refused and the running one stays.
        tree.write(tree.path("ingestd.yaml"), "inbox: \(tree.inbox)\nstate_dir: \(tree.state)\ncommit: nope\n")
        #expect(manager.systemctl(["reload", service]).status == 0)
        try waitUntil("refused", timeout: 10, log: { manager.daemonLog(tree) }) {
            manager.daemonLog(tree).contains("configuration reload refused")
        }
        #expect(manager.show(service, "ActiveState") == "active")
        tree.drop("tiny.txt", "T\n\nok.\n")
        try waitUntil("tiny.txt processed", timeout: 10, log: { manager.daemonLog(tree) }) {
            tree.names(tree.processed).contains("tiny.txt")
        }
        #expect(manager.systemctl(["stop", service]).status == 0)
        #expect(manager.show(service, "ExecMainStatus") == "0")
        #expect(manager.show(service, "Result") == "success")
    }

    @Test("a wedged pipeline stops the watchdog pings and systemd restarts the service; nothing is lost")
    func watchdogRestartsWedgedPipeline() throws {
        guard let manager = UserManager.startOrSkip() else { return }
        let tree = TempTree()
        let (service, control, firstPID) = try manager.startWithFaultShim(tree)
        tree.drop("before.txt", article("before the hang"))
        try waitUntil("before.txt processed", timeout: 10, log: { manager.daemonLog(tree) }) {
            tree.names(tree.processed) == ["before.txt"]
        }
        sleep(3)  // the watchdog is being fed while the pipeline works
        #expect(manager.show(service, "NRestarts") == "0")

        tree.write(control, "fdatasync:HANG")  // the disk stops answering: the commit queue wedges
        for index in 0..<3 { tree.drop("w\(index).txt", article("wedged-\(index)")) }
        try waitUntil("a watchdog restart", timeout: 30, log: { manager.daemonLog(tree) }) {
            manager.show(service, "NRestarts") != "0"
        }
        #expect(manager.daemonLog(tree).contains("did not answer a heartbeat"))
        try FileManager.default.removeItem(atPath: control)  // the new process finds a working disk
        try waitUntil("active again", timeout: 30, log: { manager.daemonLog(tree) }) {
            manager.show(service, "ActiveState") == "active" && manager.show(service, "MainPID") != firstPID
        }
        try waitUntil("all 4 processed", timeout: 30, log: { manager.daemonLog(tree) }) {
            tree.names(tree.processed).count == 4
        }
        let titles = tree.records().compactMap { $0["title"] as? String }
        #expect(titles.count == 4)
        #expect(Set(titles).count == 4)
        #expect(manager.systemctl(["stop", service]).status == 0)
    }

    @Test("an input whose read never returns holds the heartbeat: systemd restarts the service")
    func watchdogRestartsHungRead() throws {
        guard let manager = UserManager.startOrSkip() else { return }
        let tree = TempTree()
        let (service, control, firstPID) = try manager.startWithFaultShim(tree)
        tree.write(control, "read:HANG")  // reading an input blocks forever: its chunk never comes back
        tree.drop("stuck.txt", article("a read that hangs"))
        try waitUntil("a watchdog restart", timeout: 30, log: { manager.daemonLog(tree) }) {
            manager.show(service, "NRestarts") != "0"
        }
        #expect(manager.daemonLog(tree).contains("did not answer a heartbeat"))
        try FileManager.default.removeItem(atPath: control)
        try waitUntil("stuck.txt processed by the new process", timeout: 30, log: { manager.daemonLog(tree) }) {
            manager.show(service, "MainPID") != firstPID && tree.names(tree.processed) == ["stuck.txt"]
        }
        #expect(tree.records().count == 1)
        #expect(manager.systemctl(["stop", service]).status == 0)
    }

    @Test("systemctl stop during a burst exits 0 and loses nothing")
    func cleanStop() throws {
        guard let manager = UserManager.startOrSkip() else { return }
        let tree = TempTree()
        let service = try manager.installService(for: tree, config: "")
        #expect(manager.systemctl(["start", service]).status == 0)
        let staging = tree.path("staging")
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for index in 0..<600 { tree.writeFast(staging + "/b\(index).txt", article("burst-\(index)")) }
        for index in 0..<600 { rename(staging + "/b\(index).txt", tree.inbox + "/b\(index).txt") }
        #expect(manager.systemctl(["stop", service]).status == 0)
        #expect(manager.show(service, "ExecMainStatus") == "0")
        #expect(manager.show(service, "Result") == "success")
        #expect(manager.daemonLog(tree).contains("stopping: finishing the batch in flight"))
        // Whatever was not taken is still in the inbox; what was taken is in the store once.
        let processed = tree.count(tree.processed)
        #expect(processed + tree.count(tree.inbox) == 600)
        #expect(tree.records().count == processed)
        #expect(manager.systemctl(["start", service]).status == 0)
        try waitUntil("all 600 processed", timeout: 60, log: { manager.daemonLog(tree) }) {
            tree.count(tree.processed) == 600
        }
        #expect(manager.systemctl(["stop", service]).status == 0)
        let markers = Set(tree.records().compactMap { $0["title"] as? String })
        #expect(markers.count == 600)
        #expect(tree.records().count == 600)
    }

    @Test("systemd-analyze verify accepts the shipped unit")
    func verifyUnit() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            print("skipped: systemd-analyze is not installed (scripts/bootstrap installs it)")
            return
        }
        let tree = TempTree()
        let unit = try String(contentsOfFile: UserManager.packageRoot + "/deploy/ingestd.service", encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/ingestd", with: DaemonProcess.binary)
        tree.write(tree.path("ingestd.service"), unit)
        // --man=no: the man pages named in Documentation= exist only once installed.
        let result = UserManager.run(
            "/usr/bin/systemd-analyze", ["verify", "--man=no", tree.path("ingestd.service")], environment: [:])
        #expect(result.status == 0, "\(result.output)")
    }
}

/// A private systemd user manager, stopped when the value goes away.
final class UserManager {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    let runtimeDirectory: String
    let configHome: String
    private let process: Process

    /// Starts a manager, or prints why systemd cannot run here and returns nil.
    static func startOrSkip() -> UserManager? {
        do {
            return try UserManager()
        } catch {
            print("skipped: systemd cannot start here: \(error)")
            return nil
        }
    }

    private init() throws {
        let systemd = "/lib/systemd/systemd"
        guard FileManager.default.isExecutableFile(atPath: systemd) else {
            throw TimeoutError(description: "\(systemd) is not installed (scripts/bootstrap installs it)")
        }
        guard getuid() == 0 else { throw TimeoutError(description: "needs root to create /run/systemd/system") }
        // A user manager starts only where /run/systemd/system exists (as if systemd were PID 1).
        try FileManager.default.createDirectory(atPath: "/run/systemd/system", withIntermediateDirectories: true)
        let base = TempTree("ingestd-systemd")
        runtimeDirectory = base.root + "-runtime"
        configHome = base.root + "-config"
        try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true)
        chmod(runtimeDirectory, 0o700)
        try FileManager.default.createDirectory(atPath: configHome + "/systemd/user", withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = [systemd, "--user"]
        var env = ProcessInfo.processInfo.environment
        env["XDG_RUNTIME_DIR"] = runtimeDirectory
        env["XDG_CONFIG_HOME"] = configHome
        env.removeValue(forKey: "NOTIFY_SOCKET")
        process.environment = env
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        do {
            try waitUntil("the user manager", timeout: 20) {
                let state = self.systemctl(["is-system-running"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
                return state == "running" || state == "degraded"
            }
        } catch {
            stopManager()
            throw error
        }
    }

    deinit {
        stopManager()
        try? FileManager.default.removeItem(atPath: runtimeDirectory)
        try? FileManager.default.removeItem(atPath: configHome)
    }

    /// Stops the service and the manager. `setsid` forks when it starts as a process group
    /// leader, so `process` may have exited at once while the manager runs on: the manager is
    /// asked to exit over its own socket, and waited for, whichever way it was started.
    private func stopManager() {
        _ = systemctl(["stop", "ingestd-test.service"])
        _ = systemctl(["exit"])
        let deadline = Date().addingTimeInterval(10)
        let alive: Set = ["initializing", "starting", "running", "degraded", "maintenance", "stopping"]
        while Date() < deadline
            && alive.contains(systemctl(["is-system-running"]).output.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            usleep(100_000)
        }
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let killDeadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < killDeadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Installs and starts the service for `tree` with the fault shim preloaded and a 2 s watchdog;
    /// returns the service, the shim's control file (absent: no fault) and the first main PID.
    func startWithFaultShim(_ tree: TempTree) throws -> (service: String, control: String, firstPID: String) {
        let shim = try FaultShim.build()
        let control = tree.path("fault")
        let service = try installService(
            for: tree, config: "", watchdogSeconds: 2,
            environment: ["LD_PRELOAD=\(shim)", "INGESTD_TEST_FAULT=\(control)"])
        #expect(systemctl(["start", service]).status == 0)
        return (service, control, show(service, "MainPID"))
    }

    /// Writes the config and a user-level variant of deploy/ingestd.service for `tree`; returns its name.
    /// The variant drops what a user manager cannot do here (User=, the state and runtime
    /// directories, and the options that need a mount namespace) and keeps the rest of the
    /// hardening (system-call filter, W^X, no capabilities, address families).
    func installService(
        for tree: TempTree, config: String, watchdogSeconds: Int = 30, environment: [String] = []
    ) throws -> String {
        tree.write(tree.path("ingestd.yaml"), "inbox: \(tree.inbox)\nstate_dir: \(tree.state)\n" + config)
        let shipped = try String(contentsOfFile: Self.packageRoot + "/deploy/ingestd.service", encoding: .utf8)
        let dropped = [
            "User=", "Group=", "StateDirectory", "RuntimeDirectory", "RequiresMountsFor=", "ReadWritePaths=",
            "ProtectSystem=", "ProtectHome=", "PrivateTmp=", "PrivateDevices=", "ProtectKernelTunables=",
            "ProtectKernelModules=", "ProtectKernelLogs=", "ProtectControlGroups=", "ProtectClock=",
            "ProtectHostname=", "WantedBy=",
        ]
        var lines: [String] = []
        for line in shipped.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if dropped.contains(where: { line.hasPrefix($0) }) { continue }
            if line.hasPrefix("ExecStart=") {
                lines.append("ExecStart=\(DaemonProcess.binary) --config \(tree.path("ingestd.yaml"))")
            } else if line.hasPrefix("WatchdogSec=") {
                lines.append("WatchdogSec=\(watchdogSeconds)")
                lines.append("TimeoutAbortSec=3")
            } else {
                lines.append(line)
            }
            if line == "[Service]" {
                lines.append("StandardError=append:\(tree.path("daemon.log"))")
                for assignment in environment { lines.append("Environment=\(assignment)") }
            }
        }
        tree.write(configHome + "/systemd/user/ingestd-test.service", lines.joined(separator: "\n"))
        #expect(systemctl(["daemon-reload"]).status == 0)
        return "ingestd-test.service"
    }

    func daemonLog(_ tree: TempTree) -> String {
        (try? String(contentsOfFile: tree.path("daemon.log"), encoding: .utf8)) ?? ""
    }

    func show(_ unit: String, _ property: String) -> String {
        systemctl(["show", "-p", property, "--value", unit]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    func systemctl(_ arguments: [String]) -> (status: Int32, output: String) {
        Self.run("/bin/systemctl", ["--user"] + arguments, environment: ["XDG_RUNTIME_DIR": runtimeDirectory])
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite("install script")
struct InstallScriptTests {
    @Test("deploy/install.sh stages binaries, config, unit, sysusers and tmpfiles into DESTDIR")
    func stagedInstall() throws {
        let tree = TempTree()
        let destdir = tree.path("root")
        let binDir = URL(fileURLWithPath: DaemonProcess.binary).deletingLastPathComponent().path
        let result = UserManager.run(
            "/bin/bash",
            [UserManager.packageRoot + "/deploy/install.sh", "--bin-dir", binDir, "--no-activate", "--no-man"],
            environment: ["DESTDIR": destdir, "PREFIX": "/opt/ingestd"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("systemctl enable --now ingestd"))
        for path in ["/opt/ingestd/bin/ingestd", "/opt/ingestd/bin/ingestctl"] {
            #expect(FileManager.default.isExecutableFile(atPath: destdir + path), "\(path)")
        }
        let unit = try String(contentsOfFile: destdir + "/etc/systemd/system/ingestd.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/opt/ingestd/bin/ingestd --config /etc/ingestd/ingestd.yaml"))
        #expect(FileManager.default.fileExists(atPath: destdir + "/etc/ingestd/ingestd.yaml"))
        #expect(FileManager.default.fileExists(atPath: destdir + "/etc/sysusers.d/ingestd.conf"))
        #expect(FileManager.default.fileExists(atPath: destdir + "/etc/tmpfiles.d/ingestd.conf"))
        let completion = try String(
            contentsOfFile: destdir + "/opt/ingestd/share/bash-completion/completions/ingestctl", encoding: .utf8)
        #expect(completion.contains("retry-failed"))
        #expect(FileManager.default.fileExists(atPath: destdir + "/opt/ingestd/share/zsh/site-functions/_ingestctl"))
        // A second install keeps the operator's edited config and puts the new default beside it.
        tree.write(destdir + "/etc/ingestd/ingestd.yaml", "inbox: /edited\n")
        let again = UserManager.run(
            "/bin/bash",
            [UserManager.packageRoot + "/deploy/install.sh", "--bin-dir", binDir, "--no-activate", "--no-man"],
            environment: ["DESTDIR": destdir, "PREFIX": "/opt/ingestd"])
        #expect(again.status == 0, "\(again.output)")
        #expect(
            try String(contentsOfFile: destdir + "/etc/ingestd/ingestd.yaml", encoding: .utf8) == "inbox: /edited\n")
        #expect(FileManager.default.fileExists(atPath: destdir + "/etc/ingestd/ingestd.yaml.dist"))
    }
}
