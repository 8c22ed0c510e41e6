import Dispatch
import InboxWatcher
import Logging
import RecordStore

#if canImport(Glibc)
    import Glibc
#endif

/// Starts and runs the daemon: checks the directories, recovers the store, watches the inbox,
/// reconciles periodically, and stops cleanly on SIGTERM/SIGINT.
public enum Daemon {
    /// Sets up logging to stderr at the configured level. Call once, before anything logs.
    public static func bootstrapLogging(level: String) {
        let parsed = Logger.Level(rawValue: LogLevelName.parse(level) ?? "info") ?? .info
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: parsed) }
    }

    /// Runs until stopped (or, with `once`, until the inbox is empty). Returns the exit code.
    public static func run(config: IngestConfig, once: Bool, parser: RecordBuilder = RecordBuilder()) -> Int32 {
        let logger = Logger(label: "ingestd")
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)  // a file-size limit must fail the write (EFBIG), not kill us
        signal(SIGIO, SIG_IGN)  // lease breaks: we release our read leases at once anyway
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)

        let store: RecordStore
        let pipeline: IngestPipeline
        do {
            try prepareDirectories(config)
            store = try RecordStore(
                directory: config.storeDirectory, options: .init(segmentMaxBytes: config.segmentMaxBytes))
            report(store.recovery, logger: logger)
            pipeline = try IngestPipeline(config: config, store: store, builder: parser, logger: logger, once: once)
        } catch let error as StoreError {
            logger.critical("cannot open the store", metadata: ["error": "\(error)"])
            return 1
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            return 1
        }

        let done = DispatchSemaphore(value: 0)
        let exitCode = ExitCode()
        pipeline.onStop { code in
            exitCode.set(code)
            done.signal()
        }

        let control = DispatchQueue(label: "ingestd.control")
        var watcher: InboxWatcher?
        if !once {
            let w = InboxWatcher(path: config.inbox, queue: DispatchQueue(label: "ingestd.watch")) { event in
                pipeline.handle(event)
            }
            do { try w.start() } catch {
                logger.critical("cannot watch the inbox", metadata: ["inbox": "\(config.inbox)", "error": "\(error)"])
                return 1
            }
            watcher = w
        }
        pipeline.requestRescan()  // after the watch exists: files dropped while we were down

        var reconcile: (any DispatchSourceTimer)?
        if !once && config.reconcileIntervalSeconds > 0 {
            let timer = DispatchSource.makeTimerSource(queue: control)
            let interval = DispatchTimeInterval.milliseconds(Int(config.reconcileIntervalSeconds * 1000))
            timer.schedule(deadline: .now() + interval, repeating: interval)
            timer.setEventHandler { [watcher] in
                watcher?.checkIdentity()
                pipeline.requestRescan()
            }
            timer.resume()
            reconcile = timer
        }

        var signalSources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: control)
            source.setEventHandler { [watcher] in
                logger.notice(
                    "stopping: finishing the batch in flight",
                    metadata: ["signal": "\(number == SIGTERM ? "SIGTERM" : "SIGINT")"])
                watcher?.stop()
                pipeline.stop()
            }
            source.resume()
            signalSources.append(source)
        }

        let stats = store.stats
        logger.notice(
            once ? "ingesting the inbox once" : "ready: watching the inbox",
            metadata: [
                "inbox": "\(config.inbox)", "state_dir": "\(config.stateDirectory)",
                "config": "\(config.sourcePath ?? "(defaults)")", "records": "\(stats.records)",
                "segments": "\(stats.segments)", "inputs": "\(stats.files)",
            ])

        done.wait()
        reconcile?.cancel()
        watcher?.stop()
        for source in signalSources { source.cancel() }
        let status = pipeline.status
        logger.notice(
            "stopped",
            metadata: [
                "processed": "\(status.filesProcessed)", "failed": "\(status.filesFailed)",
                "duplicates": "\(status.filesDuplicate)", "records": "\(status.recordsWritten)",
            ])
        return exitCode.get()
    }

    /// Creates missing directories and checks that moves out of the inbox are atomic renames.
    static func prepareDirectories(_ config: IngestConfig) throws(ServiceError) {
        try makeDirectories(config.inbox, mode: 0o770)
        for path in [config.stateDirectory, config.storeDirectory, config.processedDirectory, config.failedDirectory] {
            try makeDirectories(path, mode: 0o750)
        }
        var inbox = stat()
        var processed = stat()
        var failed = stat()
        guard stat(config.inbox, &inbox) == 0, stat(config.processedDirectory, &processed) == 0,
            stat(config.failedDirectory, &failed) == 0
        else { throw ServiceError("cannot stat the inbox or state directories: \(String(cString: strerror(errno)))") }
        guard inbox.st_mode & S_IFMT == S_IFDIR else {
            throw ServiceError("the inbox \(config.inbox) is not a directory")
        }
        if inbox.st_dev != processed.st_dev || inbox.st_dev != failed.st_dev {
            throw ServiceError(
                "the inbox (\(config.inbox)) and the state directory (\(config.stateDirectory)) are on different "
                    + "file systems; files leave the inbox by atomic rename, so put both on one file system")
        }
    }

    /// `mkdir -p`, making each missing component with `mode` (the umask applies).
    static func makeDirectories(_ path: String, mode: mode_t) throws(ServiceError) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw ServiceError("cannot create \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    static func report(_ recovery: RecoveryReport, logger: Logger) {
        if recovery.truncatedBytes > 0 || recovery.truncatedIndexBytes > 0 {
            logger.notice(
                "recovered the store: cut an unacknowledged tail",
                metadata: [
                    "segment_bytes": "\(recovery.truncatedBytes)", "index_bytes": "\(recovery.truncatedIndexBytes)",
                ])
        }
        for problem in recovery.problems {
            logger.error("store corruption found at start-up", metadata: ["problem": "\(problem)"])
        }
    }
}

/// The exit code handed from the pipeline's queue to the main thread.
private final class ExitCode: @unchecked Sendable {
    private var value: Int32 = 0
    private let lock = DispatchQueue(label: "ingestd.exitcode")
    func set(_ code: Int32) { lock.sync { value = code } }
    func get() -> Int32 { lock.sync { value } }
}
