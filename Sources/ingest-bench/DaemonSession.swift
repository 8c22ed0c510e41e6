#if canImport(Glibc)
    import Glibc
#endif

/// One ingestd run on fresh directories under `directory`: generates the inputs into a staging
/// directory, starts the daemon, lets a drop strategy move the inputs into the inbox, waits until
/// every input is in processed/, then stops the daemon and checks what it left behind.
struct DaemonSession {
    let daemon: String
    let directory: String
    let generator: ArticleGenerator
    let numbers: Range<Int>
    /// Give up when no input has become durable for this long.
    var stallSeconds = 120.0

    /// `drop` moves every staged name into the inbox and returns the drop times, in name order.
    func run(drop: (Dropper, [String]) throws -> [UInt64]) throws -> SessionOutcome {
        let staging = directory + "/staging"
        let inbox = directory + "/inbox"
        let state = directory + "/state"
        let config = directory + "/ingestd.yaml"
        for path in [staging, inbox, state + "/processed"] { try FileSystem.makeDirectories(path) }
        try FileSystem.write(
            "# Written by ingest-bench; everything not set here is ingestd's default.\n"
                + "socket: \(directory)/control.sock\n", to: config)
        let corpus = try Corpus.generate(generator, numbers: numbers, into: staging)
        sync()  // the staging writes must not be flushed during the measurement

        let watcher = try DurableWatcher(directory: state + "/processed", names: corpus.names)
        let process = try DaemonProcess(executable: daemon, inbox: inbox, stateDirectory: state, config: config)
        let readyAt: UInt64
        do { readyAt = try process.waitUntilReady(timeoutSeconds: 120) } catch {
            _ = watcher.finish()
            throw error
        }
        let sampler = MemorySampler(pid: process.pid)
        let dropper = try Dropper(staging: staging, inbox: inbox)
        let daemonCPUBefore = CPUTime.of(pid: process.pid)
        let dropCPUBefore = CPUTime.currentThread()
        let dropTimes = try drop(dropper, corpus.names)
        let dropCPU = CPUTime.currentThread() - dropCPUBefore
        let complete = watcher.waitForAll(
            stallSeconds: stallSeconds, progress: { Progress.note("  \($0) of \(corpus.names.count) durable") },
            abandon: { !process.isRunning })
        let daemonCPUAfter = CPUTime.of(pid: process.pid)
        let peak = ProcStatus.kilobytes("VmHWM", pid: process.pid)
        let sampled = sampler.finish()
        let exit = process.stop(timeoutSeconds: 60)
        let arrivals = watcher.finish()
        return SessionOutcome(
            files: corpus.names.count, bytes: corpus.totalBytes, dropTimes: dropTimes, arrivals: arrivals,
            complete: complete, startupSeconds: MonotonicClock.seconds(readyAt - process.spawnedAt),
            peakRSSKilobytes: peak, sampledRSS: sampled, log: process.log.snapshot,
            checks: OutputChecks.inspect(state: state, inbox: inbox, names: corpus.names, exit: exit),
            daemonCPU: daemonCPUAfter.flatMap { after in daemonCPUBefore.map { after - $0 } }, dropCPU: dropCPU)
    }
}
