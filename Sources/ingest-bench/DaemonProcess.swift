#if canImport(Glibc)
    import Glibc
#endif

/// A running ingestd whose stderr is drained on a background thread.
final class DaemonProcess {
    let pid: pid_t
    /// Monotonic time just before the spawn.
    let spawnedAt: UInt64
    let log = DaemonLog()
    private let process: ChildProcess
    private let reader: BackgroundThread
    private var exitStatus: ExitStatus?

    /// Starts `executable --inbox … --state-dir … --config … --log-level info`.
    init(executable: String, inbox: String, stateDirectory: String, config: String) throws {
        let pipe = try Pipe()
        spawnedAt = MonotonicClock.now()
        do {
            process = try ChildProcess.spawn(
                executable,
                ["--inbox", inbox, "--state-dir", stateDirectory, "--config", config, "--log-level", "info"],
                stderr: pipe.writeEnd)
        } catch {
            pipe.closeRead()
            pipe.closeWrite()
            throw error
        }
        pipe.closeWrite()
        pid = process.pid
        let log = self.log
        let readEnd = pipe.readEnd
        reader = BackgroundThread { log.consume(readEnd) }
    }

    deinit { _ = stop(timeoutSeconds: 10) }

    /// Waits for the ready line and returns when it was read; throws if ingestd exits first or
    /// `timeoutSeconds` pass.
    func waitUntilReady(timeoutSeconds: Double) throws -> UInt64 {
        let deadline = MonotonicClock.now() + UInt64(timeoutSeconds * 1e9)
        while true {
            if let readyAt = log.snapshot.readyAt { return readyAt }
            if !isRunning {
                reader.join()
                throw BenchError("ingestd ended (\(exitStatus!)) before it was ready; its last lines:\n" + lastLines)
            }
            if MonotonicClock.now() > deadline {
                throw BenchError("ingestd was not ready after \(Int(timeoutSeconds)) s; its last lines:\n" + lastLines)
            }
            MonotonicClock.sleep(milliseconds: 1)
        }
    }

    /// False once the process has ended (it is then reaped, and `stop` returns how it ended).
    var isRunning: Bool {
        if exitStatus != nil { return false }
        exitStatus = process.poll()
        return exitStatus == nil
    }

    /// Sends SIGTERM and waits for the exit (SIGKILL after `timeoutSeconds`), then for the end of
    /// its stderr. Later calls return the same status.
    func stop(timeoutSeconds: Double) -> ExitStatus {
        if isRunning {
            process.signal(SIGTERM)
            exitStatus = process.wait(seconds: timeoutSeconds)
            if exitStatus == nil {
                Progress.note("ingestd did not stop within \(Int(timeoutSeconds)) s of SIGTERM; killing it")
                process.signal(SIGKILL)
                exitStatus = process.wait()
            }
        }
        reader.join()
        return exitStatus!
    }

    var lastLines: String { log.snapshot.tail.map { "  " + $0 }.joined(separator: "\n") }
}
