import ControlServer
public import DaemonSupport
import Dispatch
import InboxWatcher
import Logging
import RecordStore

#if canImport(Glibc)
    import Glibc
#endif

/// The running daemon: checks the directories, recovers the store, watches the inbox, reconciles
/// periodically, keeps systemd informed (READY, STATUS, WATCHDOG, RELOADING, STOPPING), reloads its
/// configuration on SIGHUP and stops cleanly on SIGTERM/SIGINT.
public final class Daemon: @unchecked Sendable {
    /// Reads the configuration again (file plus command-line overrides, validated) for a reload.
    public typealias ConfigLoader = @Sendable () throws(ConfigError) -> IngestConfig

    /// Sets up logging: structured journal entries when stderr is the journal, else readable lines.
    /// Call once, before anything logs. The returned switch changes the level while running.
    public static func bootstrapLogging(level: String) -> LogLevelSwitch {
        let levels = LogLevelSwitch(Self.level(level))
        let journal = JournalLogHandler.stderrIsJournal()
        LoggingSystem.bootstrap { _ in
            if journal {
                return JournalLogHandler(
                    levels: levels, identifier: "ingestd", fieldPrefix: "INGEST_", errnoKey: "errno_code")
            }
            return LineLogHandler(levels: levels)
        }
        return levels
    }

    static func level(_ name: String) -> Logger.Level {
        Logger.Level(rawValue: LogLevelName.parse(name) ?? "info") ?? .info
    }

    let logger = Logger(label: "ingestd")
    private let notifier = SystemdNotifier()
    private let levels: LogLevelSwitch
    private let loadConfig: ConfigLoader
    private let once: Bool
    private let builder: RecordBuilder
    /// Serializes signals, timers and reloads; the state below is touched only here.
    let control = DispatchQueue(label: "ingestd.control")
    var config: IngestConfig
    private(set) var store: RecordStore?
    private(set) var pipeline: IngestPipeline?
    private var server: ControlServer?
    let startedAt = Timestamp.monotonicNanoseconds()
    private var watcher: InboxWatcher?
    private var reconcileTimer: (any DispatchSourceTimer)?
    private var timers: [any DispatchSourceTimer] = []
    private var signalSources: [any DispatchSourceSignal] = []
    private var heartbeatAnswered = true
    private var lastStatus = ""
    private var stopping = false

    public init(
        config: IngestConfig, levels: LogLevelSwitch, once: Bool, builder: RecordBuilder = RecordBuilder(),
        reload: @escaping ConfigLoader
    ) {
        self.config = config
        self.levels = levels
        self.once = once
        self.builder = builder
        self.loadConfig = reload
    }

    /// Runs until stopped (or, with `once`, until the inbox is empty). Returns the exit code.
    public func run() -> Int32 {
        for number in [SIGPIPE, SIGXFSZ, SIGIO] { signal(number, SIG_IGN) }  // EFBIG must fail a write, not kill
        for number in [SIGTERM, SIGINT, SIGHUP] { signal(number, SIG_IGN) }  // handled by Dispatch sources

        let store: RecordStore
        let pipeline: IngestPipeline
        do {
            try Self.prepareDirectories(config)
            // The duplicate index is read on another core while the store recovers: neither needs
            // the other until the index catches up with the store.
            let fingerprints = Preload { [config] in DuplicateIndex.preload(directory: config.storeDirectory) }
            store = try openStoreKeepingSystemdPatient()
            Self.report(store.recovery, logger: logger)
            pipeline = try IngestPipeline(
                config: config, store: store, builder: builder, logger: logger, once: once,
                fingerprints: fingerprints.value)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            notifier.status("failed to start: \(error)")
            return 1
        }
        self.store = store
        self.pipeline = pipeline
        if !once {
            var limits = ControlServer.Limits()
            limits.maxConnections = config.controlMaxConnections
            limits.maxRequestBytes = config.controlMaxRequestBytes
            limits.readTimeoutSeconds = config.controlReadTimeoutSeconds
            let server = ControlServer(path: config.socketPath, limits: limits, handler: self)
            do {
                try server.start()
            } catch {
                logger.critical(
                    "cannot open the control socket", metadata: ["socket": "\(config.socketPath)", "error": "\(error)"])
                return 1
            }
            let logger = self.logger
            server.onRefusal { message in logger.warning("\(message)") }
            pipeline.observeCommittedLines(wants: { server.hasStreams }, deliver: { server.broadcast($0) })
            self.server = server
        }

        let done = DispatchSemaphore(value: 0)
        let exitCode = ExitCodeBox()
        pipeline.onStop { code in
            exitCode.set(code)
            done.signal()
        }
        let signalsRegistered = DispatchGroup()
        let started: Bool = control.sync {
            if !once {
                guard startWatching(config.inbox) else { return false }
                scheduleReconcile()
                startWatchdog()
            }
            pipeline.requestRescan()  // after the watch exists: files dropped while we were down
            installSignalHandlers(registered: signalsRegistered)
            startStatusUpdates()
            return true
        }
        guard started else { return 1 }
        // The signals are ignored until their sources are registered: announce readiness only
        // then, or a stop sent right after READY could be lost.
        if signalsRegistered.wait(timeout: .now() + 5) == .timedOut {
            logger.warning("signal handlers were slow to register")
        }
        notifier.ready(status: control.sync { statusLine() })
        let stats = store.stats
        logger.notice(
            once ? "ingesting the inbox once" : "ready: watching the inbox",
            metadata: [
                "inbox": "\(config.inbox)", "state_dir": "\(config.stateDirectory)",
                "config": "\(config.sourcePath ?? "(defaults)")", "records": "\(stats.records)",
                "segments": "\(stats.segments)", "inputs": "\(stats.files)",
                "watchdog_s": "\(SystemdNotifier.watchdogInterval().map { String($0) } ?? "off")",
            ])

        done.wait()
        control.sync {
            for timer in timers { timer.cancel() }
            reconcileTimer?.cancel()
            watcher?.stop()
            for source in signalSources { source.cancel() }
        }
        server?.stop()
        let status = pipeline.status
        logger.notice(
            "stopped",
            metadata: [
                "processed": "\(status.filesProcessed)", "failed": "\(status.filesFailed)",
                "duplicates": "\(status.filesDuplicate)", "records": "\(status.recordsWritten)",
            ])
        return exitCode.get()
    }

    // MARK: - Start-up

    /// Opens (and so recovers) the store; while that runs, asks systemd for more start-up time.
    private func openStoreKeepingSystemdPatient() throws(StoreError) -> RecordStore {
        var ticker: (any DispatchSourceTimer)?
        if notifier.isActive {
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ingestd.extend-timeout"))
            let notifier = self.notifier
            timer.schedule(deadline: .now() + 2, repeating: 5)
            timer.setEventHandler {
                notifier.extendTimeout(seconds: 15)
                notifier.status("recovering the store")
            }
            timer.resume()
            ticker = timer
        }
        defer { ticker?.cancel() }
        return try RecordStore(
            directory: config.storeDirectory, options: .init(segmentMaxBytes: config.segmentMaxBytes))
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

    // MARK: - Watching (on `control`)

    /// Starts a watcher on `inbox`; on failure logs why and returns false.
    private func startWatching(_ inbox: String) -> Bool {
        guard let pipeline else { return false }
        let next = InboxWatcher(
            path: inbox, queue: DispatchQueue(label: "ingestd.watch"),
            batchHandler: { events in pipeline.handle(events) })
        do {
            try next.start()
        } catch {
            logger.critical("cannot watch the inbox", metadata: ["inbox": "\(inbox)", "error": "\(error)"])
            return false
        }
        watcher?.stop()
        watcher = next
        return true
    }

    private func scheduleReconcile() {
        reconcileTimer?.cancel()
        reconcileTimer = nil
        guard config.reconcileIntervalSeconds > 0, let pipeline else { return }
        let timer = DispatchSource.makeTimerSource(queue: control)
        let interval = DispatchTimeInterval.milliseconds(Int(config.reconcileIntervalSeconds * 1000))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in
            self?.watcher?.checkIdentity()
            pipeline.requestRescan()
        }
        timer.resume()
        reconcileTimer = timer
    }

    /// Pings the watchdog at half its interval, but only while the pipeline answers heartbeats: a
    /// wedged pipeline stops the pings and systemd restarts the service.
    private func startWatchdog() {
        guard let interval = SystemdNotifier.watchdogInterval(), let pipeline else { return }
        let timer = DispatchSource.makeTimerSource(queue: control)
        let period = DispatchTimeInterval.microseconds(Int(interval * 500_000))
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            if self.heartbeatAnswered {
                self.notifier.watchdog()
            } else {
                self.logger.warning("the pipeline did not answer a heartbeat; not pinging the watchdog")
            }
            self.heartbeatAnswered = false
            pipeline.heartbeat { [weak self] in self?.heartbeatReturned() }
        }
        timer.resume()
        timers.append(timer)
    }

    /// From any queue: the pipeline answered the last heartbeat.
    private func heartbeatReturned() {
        control.async { self.heartbeatAnswered = true }
    }

    private func startStatusUpdates() {
        guard notifier.isActive else { return }
        let timer = DispatchSource.makeTimerSource(queue: control)
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in
            guard let self, !self.stopping else { return }
            let line = self.statusLine()
            if line != self.lastStatus {
                self.lastStatus = line
                self.notifier.status(line)
            }
        }
        timer.resume()
        timers.append(timer)
    }

    /// "watching /srv/ingest/inbox · 1,204 files · 9,876 articles · 0 queued · 3 failed · last 2s ago",
    /// or "degraded: <why> · …" while the store cannot write.
    func statusLine() -> String {
        guard let pipeline else { return "starting" }
        let status = pipeline.status
        var parts: [String] = []
        if let degraded = status.degraded {
            parts.append("degraded: \(degraded)")
        } else if status.paused {
            parts.append("paused: not taking files from " + config.inbox)
        } else {
            parts.append((once ? "ingesting " : "watching ") + config.inbox)
        }
        parts.append(Self.count(status.filesProcessed + status.filesDuplicate, "file"))
        parts.append(Self.count(status.recordsWritten, "article"))
        parts.append("\(Self.grouped(status.queued)) queued")
        parts.append("\(Self.grouped(status.filesFailed)) failed")
        if let last = status.lastCommitNanoseconds {
            let seconds = Int((Timestamp.monotonicNanoseconds() - last) / 1_000_000_000)
            parts.append("last \(Self.duration(seconds)) ago")
        }
        return parts.joined(separator: " · ")
    }

    static func count(_ value: Int, _ noun: String) -> String {
        grouped(value) + " " + noun + (value == 1 ? "" : "s")
    }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }

    static func duration(_ seconds: Int) -> String {
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        return "\(seconds / 3600)h"
    }

    // MARK: - Signals (on `control`)

    /// Installs the signal sources; `registered` is left once each is registered with the kernel.
    private func installSignalHandlers(registered: DispatchGroup) {
        for number in [SIGTERM, SIGINT, SIGHUP] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: control)
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if number == SIGHUP {
                    self.reload()
                } else {
                    self.beginStop(signal: number == SIGTERM ? "SIGTERM" : "SIGINT")
                }
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// True once a stop signal arrived. Safe from any queue but `control`.
    var isStopping: Bool { control.sync { stopping } }

    private func beginStop(signal name: String) {
        guard !stopping else { return }
        stopping = true
        notifier.stopping()
        logger.notice("stopping: finishing the batch in flight", metadata: ["signal": "\(name)"])
        watcher?.stop()
        pipeline?.stop()
    }

    /// SIGHUP: re-read the configuration and apply what can change while running; an invalid
    /// configuration is refused and the running one stays.
    enum ReloadOutcome {
        case applied
        case refused(String)
    }

    @discardableResult
    func reload() -> ReloadOutcome {
        guard !stopping, let pipeline else { return .refused("the daemon is stopping") }
        notifier.reloading()
        logger.notice("reloading the configuration", metadata: ["config": "\(config.sourcePath ?? "(defaults)")"])
        defer { notifier.ready(status: statusLine()) }
        var next: IngestConfig
        do {
            next = try loadConfig()
        } catch {
            logger.error(
                "configuration reload refused; keeping the running configuration", metadata: ["error": "\(error)"])
            return .refused("\(error)")
        }
        for (name, old, new) in [
            ("state_dir", config.stateDirectory, next.stateDirectory), ("socket", config.socketPath, next.socketPath),
        ]
        where old != new {
            logger.warning(
                "\(name) changes take effect at the next restart; keeping the current one",
                metadata: ["current": "\(old)", "new": "\(new)"])
        }
        next.stateDirectory = config.stateDirectory
        next.socketPath = config.socketPath
        if next.inbox != config.inbox && !once {
            do {
                try Self.prepareDirectories(next)
            } catch {
                logger.error(
                    "configuration reload refused; keeping the running configuration", metadata: ["error": "\(error)"])
                return .refused("\(error)")
            }
            guard startWatching(next.inbox) else {
                logger.error("configuration reload refused: cannot watch the new inbox; keeping the running one")
                return .refused("cannot watch the new inbox \(next.inbox)")
            }
            logger.notice("watching a new inbox", metadata: ["inbox": "\(next.inbox)", "previous": "\(config.inbox)"])
        }
        levels.level = Self.level(next.logLevel)
        pipeline.apply(next)
        let intervalChanged = next.reconcileIntervalSeconds != config.reconcileIntervalSeconds
        config = next
        if intervalChanged && !once { scheduleReconcile() }
        logger.notice("configuration reloaded", metadata: ["log_level": "\(next.logLevel)", "inbox": "\(next.inbox)"])
        return .applied
    }
}

/// The exit code handed from the pipeline's queue to the main thread.
private final class ExitCodeBox: @unchecked Sendable {
    private var value: Int32 = 0
    private let lock = DispatchQueue(label: "ingestd.exitcode")
    func set(_ code: Int32) { lock.sync { value = code } }
    func get() -> Int32 { lock.sync { value } }
}

/// A value computed on a global queue from its creation on; `value` waits for it.
final class Preload<Value: Sendable>: @unchecked Sendable {
    private var result: Value?
    private let done = DispatchSemaphore(value: 0)

    init(_ compute: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async { [self] in
            result = compute()
            done.signal()
        }
    }

    /// The value, once computed (the semaphore orders the write before this read).
    var value: Value {
        done.wait()
        done.signal()  // later reads do not wait
        return result!
    }
}
