import DaemonSupport
import DequeModule
import Dispatch
public import InboxWatcher
import IngestModel
public import Logging
import PageParsing
public import RecordStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Counters and state for status reports; safe to read from any thread.
public struct PipelineStatus: Sendable, Equatable {
    public var filesProcessed = 0
    public var filesFailed = 0
    public var filesDuplicate = 0
    public var recordsWritten = 0
    /// Articles not stored because an identical body is already in the store.
    public var articlesDuplicate = 0
    /// Articles whose body nearly matches a stored one (kept with duplicate_of, or skipped).
    public var articlesNearDuplicate = 0
    /// Names waiting to be taken.
    public var queued = 0
    /// Why the store cannot write, while it cannot.
    public var degraded: String?
    public var lastError: String?
    public var lastFileAt: String?
    /// Monotonic nanoseconds of the last commit, for "last 2s ago".
    public var lastCommitNanoseconds: UInt64?
    /// Not taking new files (the operator paused ingest).
    public var paused = false
}

/// The ingest pipeline: names in, durable records and moved files out.
///
/// Intake state lives on one serial queue, `intake`; commits run in three stages on three more,
/// so reading the next batch overlaps the previous batches' syncs and moves: `committer` appends
/// a batch's records durably, `mover` then moves its inputs out of the inbox while the next
/// batch is appended, and `syncer` syncs the directories while the next batch's inputs are
/// moved. Names are taken in chunks of up to 32: each chunk is
/// read, hashed, parsed and encoded by one worker off `intake` (one file per worker at a time),
/// and the chunks come back to `intake` in order for the duplicate checks and batching, which
/// overlap the other chunks' preparation. Chunks are prepared ahead of the filling batch, up to
/// a batch's worth of files (`commit.max_files`, and half of `commit.max_bytes` of input once
/// read), so that the cores keep working while a batch commits. Group commit: a batch closes at
/// `commit.max_files`/`commit.max_bytes`, or once nothing else is pending and its first input has
/// waited `commit.max_delay_ms`; at most one batch is being appended, three more are being moved
/// and synced (their records freed once durable), and one is filling (bounded memory).
/// The pending queue is bounded too: past `max_pending` names are dropped and the inbox is
/// rescanned once the queue drains.
public final class IngestPipeline: @unchecked Sendable {
    /// Touched only on `intake`; replaced by `apply` on reload.
    private var config: IngestConfig
    private let store: RecordStore
    private let duplicates: DuplicateIndex
    private let builder: RecordBuilder
    private let lifecycle: Lifecycle
    private let logger: Logger
    private let once: Bool
    private let intake = DispatchQueue(label: "ingestd.intake")
    /// Appends sealed batches to the store. Internal, not private: a test holds commits back by
    /// suspending it.
    let committer = DispatchQueue(label: "ingestd.commit")
    /// Moves the inputs of appended batches out of the inbox, while `committer` appends the next.
    /// Internal, not private: a test holds moves back by suspending it.
    let mover = DispatchQueue(label: "ingestd.move")
    /// Syncs the directories after `mover` moved a batch's inputs, while `mover` moves the next.
    private let syncer = DispatchQueue(label: "ingestd.sync")
    /// Where chunks are read, parsed and encoded, off `intake` (several chunks at once).
    private let preparer = DispatchQueue(label: "ingestd.prepare", attributes: .concurrent)
    private let statusState = Mutex(PipelineStatus())
    let metrics = Metrics()
    private let lineObserver = Mutex<LineObserver?>(nil)

    /// Receives the lines of each commit once durable (for `tail`), if `wants()` says so.
    struct LineObserver {
        var wants: @Sendable () -> Bool
        var deliver: @Sendable ([UInt8]) -> Void
    }

    // Intake state: touched only on `intake`.
    private var inboxFD: Int32 = -1
    /// Descriptors of replaced inbox directories, closed once no batch refers to them.
    private var retiredInboxFDs: [Int32] = []
    private var pending = Deque<PendingName>()
    /// The names pending or in flight (launched, prepared, or in the batch being filled or
    /// committed): a name joins when it is queued and leaves when it is done with, so an event
    /// or a rescan does not queue it twice.
    private var tracked = Set<FileName>()
    private var deferred: [FileName: UInt64] = [:]
    private var deferTimer: (any DispatchSourceTimer)?
    private var seenThisRun = Set<FileName>()
    private var needsRescan = false
    private var batch = Batch()
    /// Chunks being prepared, or prepared and waiting for room in the batch, in launch order;
    /// they are finished in that order.
    private var launched = Deque<LaunchedChunk>()
    /// Names in `launched` not yet moved into a batch.
    private var filesAhead = 0
    /// Input bytes of the prepared items in `launched` not yet moved into a batch.
    private var bytesAhead = 0
    private var nextChunkNumber = 0
    /// Bumped when a store failure drops the filling batch: chunks launched before are dropped too.
    private var generation = 0
    /// Heartbeat replies waiting for the chunk numbered `afterChunk` (and those before it) to come back.
    private var heartbeatWaiters: [(afterChunk: Int, reply: @Sendable () -> Void)] = []
    private var batchTimer: (any DispatchSourceTimer)?
    /// A batch is being appended (on `committer`).
    private var appendBusy = false
    /// Batches appended whose inputs are not yet moved and synced (on `mover` and `syncer`).
    private var batchesMoving = 0
    /// How many sealed batches not yet done with read from each inbox descriptor.
    private var sealedDirectoryUses: [Int32: Int] = [:]
    private var drainScheduled = false
    private var stopping = false
    private var stopCompletion: (@Sendable (Int32) -> Void)?
    private var retryDelay = 0.0
    private var waitingForRetry = false
    private var onceFailed = false
    private var paused = false

    private struct PendingName {
        var name: FileName
        /// Reported by a close/move event, so no writer holds it (a scan cannot know).
        var provenClosed: Bool
        var queuedAt: UInt64
    }

    /// A chunk handed to `preparer`, and its results once back on `intake`.
    private struct LaunchedChunk {
        var number: Int
        var items: [PendingName]
        var startedAt: UInt64
        /// The inbox descriptor its files are read from.
        var directory: Int32
        var generation: Int
        var prepared: [Prepared]?
        /// Items already moved into a batch: a full batch waiting for the committer stops a chunk
        /// part-way, and the rest follows once the commit is done.
        var finished = 0
    }

    /// Chunks prepared at once, each by one worker from start to end: two per core, so that a
    /// core whose chunk is done takes another while `intake` finishes the first. (One chunk
    /// split across the cores left them idle at its end, waiting for its slowest file:
    /// `ingestd --once` on 10,000 files took 1.17 times as long; docs/BENCHMARKS.md.)
    private static let chunksInFlight = max(2, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// Files in a chunk at most (see `drain` for when there are fewer).
    private static let chunkFiles = 32

    enum ItemOutcome {
        case records(StoreEntry)
        case duplicate
        case failed(FailureReason, FailureFacts)
    }

    struct BatchItem {
        var name: FileName
        var outcome: ItemOutcome
        var takenAt: UInt64
        var queuedAt: UInt64
        /// The inbox descriptor the file was read from (the inbox may be replaced meanwhile).
        var directory: Int32
    }

    struct Batch {
        var items: [BatchItem] = []
        var bytes = 0
        var firstAt: UInt64 = 0
        /// When the batch was handed to the committer.
        var sealedAt: UInt64 = 0
        /// When its records were durable.
        var appendedAt: UInt64 = 0
        /// Settings in force when the batch was sealed (the committer must not read `config`).
        var processedAction = IngestConfig.ProcessedAction.move
        var inboxPath = ""
        /// Fingerprints taken into the duplicate index for this batch's records.
        var fingerprints = 0

        /// Frees the records' lines (once durable), keeping their counts.
        mutating func dropLines() {
            for index in items.indices {
                guard case .records(var entry) = items[index].outcome else { continue }
                entry.lines = []
                items[index].outcome = .records(entry)
            }
        }
    }

    /// - Parameter once: ingest what the inbox holds, then call the stop completion.
    public convenience init(
        config: IngestConfig, store: RecordStore, builder: RecordBuilder, logger: Logger, once: Bool
    ) throws(ServiceError) {
        try self.init(config: config, store: store, builder: builder, logger: logger, once: once, fingerprints: nil)
    }

    /// - Parameters:
    ///   - once: ingest what the inbox holds, then call the stop completion.
    ///   - fingerprints: the duplicate index as read while the store was opened, if it was.
    init(
        config: IngestConfig, store: RecordStore, builder: RecordBuilder, logger: Logger, once: Bool,
        fingerprints: DuplicateIndex.Snapshot?
    ) throws(ServiceError) {
        self.config = config
        self.store = store
        self.builder = builder
        duplicates = try DuplicateIndex(
            directory: config.storeDirectory, store: store, distance: config.nearDuplicateDistance,
            preloaded: fingerprints)
        self.logger = logger
        self.once = once
        lifecycle = try Lifecycle(config: config)
        inboxFD = try Lifecycle.openDirectory(config.inbox)
    }

    deinit {
        if inboxFD >= 0 { close(inboxFD) }
        for fd in retiredInboxFDs { close(fd) }
    }

    public var status: PipelineStatus { statusState.withLock { $0 } }

    /// Applies a reloaded configuration: limits, batching and queue bounds at once; a new inbox
    /// path is opened and listed. The state directory is fixed for the daemon's lifetime.
    public func apply(_ new: IngestConfig) {
        intake.async { [self] in
            let inboxChanged = new.inbox != config.inbox
            config = new
            if inboxChanged {
                if inboxFD >= 0 { retiredInboxFDs.append(inboxFD) }
                inboxFD = open(new.inbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                for item in pending { tracked.remove(item.name) }
                pending.removeAll()
                deferred.removeAll()
                needsRescan = true
            }
            scheduleDrain()
        }
    }

    /// Stops taking new files; the batch already taken is committed. Events keep being queued
    /// (within `max_pending`; past it a rescan after `resume` finds the rest).
    public func pause() {
        intake.async { [self] in
            paused = true
            statusState.withLock { $0.paused = true }
            closeBatchIfReady(force: true)
        }
    }

    public func resume() {
        intake.async { [self] in
            paused = false
            statusState.withLock { $0.paused = false }
            scheduleDrain()
        }
    }

    /// Hands each commit's lines, once durable, to `deliver` while `wants()` is true.
    func observeCommittedLines(wants: @escaping @Sendable () -> Bool, deliver: @escaping @Sendable ([UInt8]) -> Void) {
        lineObserver.withLock { $0 = LineObserver(wants: wants, deliver: deliver) }
    }

    /// Calls `reply` once the intake queue, every chunk being prepared when it asked, and the
    /// commit queue have moved on: proof that the pipeline is not wedged (a parse or a read that
    /// never returns holds its chunk, and so the reply). The watchdog pings only after a reply.
    public func heartbeat(_ reply: @escaping @Sendable () -> Void) {
        intake.async { [self] in
            let answer: @Sendable () -> Void = { [committer, mover, syncer] in
                committer.async { mover.async { syncer.async { reply() } } }
            }
            // Only chunks still being prepared are waited for: one prepared and waiting for room
            // in the batch has come back (and no `chunkPrepared` will follow it).
            if let newest = launched.last(where: { $0.prepared == nil }) {
                heartbeatWaiters.append((afterChunk: newest.number, reply: answer))
            } else {
                answer()
            }
        }
    }

    // MARK: - Inputs

    /// Feeds watcher events into the pipeline, in order, with one hop to the intake queue.
    public func handle(_ events: [InboxWatcher.Event]) {
        let now = Timestamp.monotonicNanoseconds()
        intake.async { [self] in
            for event in events { accept(event, at: now) }
            scheduleDrain()
        }
    }

    /// One watcher event, on `intake`.
    private func accept(_ event: InboxWatcher.Event, at now: UInt64) {
        switch event {
        case .file(let name):
            enqueue(PendingName(name: name, provenClosed: true, queuedAt: now))
        case .rescan(let reason):
            logger.info("rescanning the inbox", metadata: ["reason": "\(reason)"])
            needsRescan = true
        case .inboxLost(let reason):
            logger.error(
                "the inbox is gone; waiting for it to come back",
                metadata: ["reason": "\(reason)", "inbox": "\(config.inbox)"])
            noteError("inbox lost: \(reason)")
        }
    }

    /// Lists the inbox again (start-up, periodic reconcile, an operator's request).
    public func requestRescan(reason: String? = nil) {
        intake.async { [self] in
            if let reason { logger.info("rescanning the inbox", metadata: ["reason": "\(reason)"]) }
            needsRescan = true
            scheduleDrain()
        }
    }

    /// Stops taking files, commits what is in flight, then calls `completion` with the exit code.
    /// In `once` mode the completion is also called when the inbox has been emptied.
    public func onStop(_ completion: @escaping @Sendable (Int32) -> Void) {
        intake.async { [self] in stopCompletion = completion }
    }

    public func stop() {
        intake.async { [self] in
            stopping = true
            deferTimer?.cancel()
            deferTimer = nil
            for item in pending { tracked.remove(item.name) }
            pending.removeAll()
            closeBatchIfReady(force: true)
            finishIfIdle()
        }
    }

    private func enqueue(_ item: PendingName) {
        guard !stopping else { return }
        if once && seenThisRun.contains(item.name) { return }
        guard pending.count < config.maxPending else {
            // Bounded: the listing after the queue drains finds it.
            if !tracked.contains(item.name) { needsRescan = true }
            return
        }
        guard tracked.insert(item.name).inserted else { return }  // already pending or in flight
        if !deferred.isEmpty { deferred[item.name] = nil }
        pending.append(item)
    }

    // MARK: - Intake

    private func scheduleDrain() {
        guard !drainScheduled else { return }
        drainScheduled = true
        intake.async { [self] in
            drainScheduled = false
            drain()
        }
    }

    /// Launches chunks of pending names, and closes the batch when it is full or idle. Chunks are
    /// prepared ahead of the batch, up to a batch's worth (`commit.max_files`, and half of
    /// `commit.max_bytes` of input, and at least `chunksInFlight` chunks): while one batch
    /// commits and the next is full, the cores keep preparing the one after instead of idling
    /// until the commit is done. Past that bound, the rest waits for the commit (backpressure).
    /// A whole batch rather than half of one since the watcher stopped waking the cores for every
    /// event: 2.7% more files/s in a burst (docs/BENCHMARKS.md), 1.5 MiB more at the peak of a
    /// 100,000-file burst.
    private func drain() {
        finishPreparedChunks()
        if paused {
            closeBatchIfReady(force: true)  // the batch already taken still commits
            return
        }
        guard !stopping, !waitingForRetry else { return }
        while launched.count < Self.chunksInFlight
            || (filesAhead < config.commitMaxFiles && bytesAhead < config.commitMaxBytes / 2)
        {
            if batchIsFull { closeBatchIfReady(force: true) }
            if pending.isEmpty && needsRescan { rescan() }
            // A fair share of what is pending and of `commit.max_files`, so that a small burst, a
            // small batch size or a machine with many cores still has every chunk slot busy.
            let share = max(1, (pending.count + Self.chunksInFlight - 1) / Self.chunksInFlight)
            let batchShare = max(1, config.commitMaxFiles / Self.chunksInFlight)
            let room = min(Self.chunkFiles, share, batchShare)
            var chunk: [PendingName] = []
            while chunk.count < room, let item = pending.popFirst() { chunk.append(item) }
            if chunk.isEmpty { break }
            launch(chunk)
        }
        publishQueueLength()
        guard launched.isEmpty, pending.isEmpty, !needsRescan else { return }
        closeBatchIfReady(force: false)
        finishIfIdle()
    }

    private var batchIsFull: Bool {
        batch.items.count >= config.commitMaxFiles || batch.bytes >= config.commitMaxBytes
    }

    /// What taking one name came to. Computed off the intake queue, in parallel: the file's
    /// reading, hashing, store lookup, parsing and JSON encoding.
    enum Prepared: Sendable {
        /// Not read: vanished, ignored, busy or failed (never `.taken`).
        case notTaken(TakeOutcome)
        case duplicate(bytes: Int)
        case failed(ParseError, bytes: Int)
        case records(ContentKey, PreparedRecords, bytes: Int)

        /// The input's size, if it was read.
        var inputBytes: Int {
            switch self {
            case .notTaken: 0
            case .duplicate(let bytes), .failed(_, let bytes), .records(_, _, let bytes): bytes
            }
        }
    }

    /// An input's records as their duplicate-index fingerprints and JSON lines (encoded in
    /// parallel), index for index. A line is written as it is unless the duplicate check finds a
    /// near duplicate: then `duplicate_of` is set in the line itself, at its offset. The records
    /// themselves are not kept: they are freed on the thread that made them.
    struct PreparedRecords: Sendable {
        var fingerprints: [DuplicateIndex.Fingerprint]
        var lines: [[UInt8]]
        /// Where each line's `duplicate_of` value (`null`) starts.
        var duplicateOfOffsets: [Int]
    }

    /// Hands a chunk to `preparer`; its results come back to `chunkPrepared` on `intake`.
    private func launch(_ chunk: [PendingName]) {
        if once {
            for item in chunk { seenThisRun.insert(item.name) }
        }
        let number = nextChunkNumber
        nextChunkNumber += 1
        launched.append(
            LaunchedChunk(
                number: number, items: chunk, startedAt: Timestamp.monotonicNanoseconds(), directory: inboxFD,
                generation: generation, prepared: nil))
        filesAhead += chunk.count
        let work = preparation()
        preparer.async { [self] in
            let prepared = chunk.map(work)
            intake.async { [self] in chunkPrepared(number, prepared) }
        }
    }

    /// Back on `intake`: finishes the chunks at the front of `launched` that are prepared, in
    /// order, then carries on.
    private func chunkPrepared(_ number: Int, _ prepared: [Prepared]) {
        if let index = launched.firstIndex(where: { $0.number == number }) {
            launched[index].prepared = prepared
            bytesAhead += prepared.reduce(0) { $0 + $1.inputBytes }
        }
        finishPreparedChunks()
        if !heartbeatWaiters.isEmpty {
            // Prepared chunks waiting for room in the batch have come back too.
            let cameBackBelow = launched.first(where: { $0.prepared == nil })?.number ?? nextChunkNumber
            let answered = heartbeatWaiters.filter { $0.afterChunk < cameBackBelow }
            heartbeatWaiters.removeAll { $0.afterChunk < cameBackBelow }
            for waiter in answered { waiter.reply() }
        }
        if stopping {
            closeBatchIfReady(force: true)
            finishIfIdle()
        } else {
            drain()
        }
    }

    /// Moves the results of prepared chunks into the batch, in launch order, item by item. A full
    /// batch is sealed when the committer is free; when it is busy, the rest stays in `launched`
    /// until the append completes (`appended` calls this again).
    private func finishPreparedChunks() {
        while let chunk = launched.first, let results = chunk.prepared {
            // After a store failure dropped the batch, chunks launched before it go too (their
            // duplicate checks were against fingerprints since rolled back); a rescan finds them.
            let current = chunk.generation == generation
            var next = chunk.finished
            while next < chunk.items.count {
                if current && batchIsFull {
                    closeBatchIfReady(force: true)
                    if batchIsFull { break }  // the committer is busy
                }
                let item = chunk.items[next]
                filesAhead -= 1
                bytesAhead -= results[next].inputBytes
                if current {
                    // The name stays tracked if it joins the batch (`finish` lets it go if not).
                    finish(item, prepared: results[next], started: chunk.startedAt, directory: chunk.directory)
                } else {
                    tracked.remove(item.name)
                }
                next += 1
            }
            if next < chunk.items.count {
                launched[launched.startIndex].finished = next
                return
            }
            launched.removeFirst()
        }
    }

    /// What preparing one name takes, captured on `intake` (the configuration and inbox descriptor
    /// may change while the chunk is prepared).
    private func preparation() -> @Sendable (PendingName) -> Prepared {
        let receivedAt = Timestamp.iso8601(Timestamp.now())
        let builder = self.builder
        let store = self.store
        let inboxFD = self.inboxFD
        let maxBytes = config.maxFileBytes
        let settleSeconds = config.settleSeconds
        return { item in
            let outcome = FileIntake.take(
                item.name, inboxFD: inboxFD, maxBytes: maxBytes, provenClosed: item.provenClosed,
                settleSeconds: settleSeconds)
            guard case .taken(let file) = outcome else { return .notTaken(outcome) }
            let bytes = file.bytes
            let digest = RecordBuilder.sha256(bytes)
            let key = ContentKey(digest)
            if store.contains(key) { return .duplicate(bytes: bytes.count) }
            switch builder.build(bytes: bytes, digest: digest, fileName: item.name.escaped, receivedAt: receivedAt) {
            case .failure(let error):
                return .failed(error, bytes: bytes.count)
            case .success(let output):
                var prepared = PreparedRecords(fingerprints: output.fingerprints, lines: [], duplicateOfOffsets: [])
                prepared.lines.reserveCapacity(output.records.count)
                prepared.duplicateOfOffsets.reserveCapacity(output.records.count)
                // Encoded in place (through the buffer: an array subscript copies the record here).
                output.records.withUnsafeBufferPointer { records in
                    for record in records {
                        var line: [UInt8] = []
                        line.reserveCapacity(record.body.utf8.count + 2048)
                        prepared.duplicateOfOffsets.append(record.appendJSONLine(to: &line))
                        prepared.lines.append(line)
                    }
                }
                return .records(key, prepared, bytes: bytes.count)
            }
        }
    }

    /// Outcomes, duplicate checks and batching, in order, on the intake queue.
    private func finish(_ item: PendingName, prepared: Prepared, started: UInt64, directory: Int32) {
        // An outcome that joins the batch (`add`) keeps the name tracked until the batch is done;
        // the others let it go here.
        switch prepared {
        case .notTaken(.vanished):
            tracked.remove(item.name)
            logger.info(
                "file vanished before it could be opened",
                metadata: ["file": "\(item.name.escaped)", "outcome": "vanished"])
        case .notTaken(.ignored), .notTaken(.taken):
            tracked.remove(item.name)
        case .notTaken(.busy(let retryAfter)):
            tracked.remove(item.name)
            if once {
                logger.warning(
                    "file is still being written; left in the inbox", metadata: ["file": "\(item.name.escaped)"])
            } else {
                logger.debug(
                    "file is still being written; will look again", metadata: ["file": "\(item.name.escaped)"])
                deferName(item.name, seconds: retryAfter)
            }
        case .notTaken(.failed(let reason)):
            let facts = FailureFacts(
                bytes: nil, sha256: nil, parser: builder.parser.name, parserVersion: builder.parser.version)
            add(
                BatchItem(
                    name: item.name, outcome: .failed(reason, facts), takenAt: started, queuedAt: item.queuedAt,
                    directory: directory),
                bytes: 0)
        case .duplicate:
            add(
                BatchItem(
                    name: item.name, outcome: .duplicate, takenAt: started, queuedAt: item.queuedAt,
                    directory: directory), bytes: 0)
        case .failed(let error, let bytes):
            let facts = FailureFacts(
                bytes: bytes, sha256: nil, parser: builder.parser.name, parserVersion: builder.parser.version)
            let reason = FailureReason(code: error.reason, message: error.message)
            add(
                BatchItem(
                    name: item.name, outcome: .failed(reason, facts), takenAt: started, queuedAt: item.queuedAt,
                    directory: directory),
                bytes: 0)
        case .records(let key, let prepared, _):
            var lines: [UInt8] = []
            var stored = 0
            for index in prepared.lines.indices {
                let (keep, nearDuplicateOf) = duplicateCheck(prepared.fingerprints[index])
                guard keep else { continue }
                if let nearDuplicateOf {
                    if lines.isEmpty { lines.reserveCapacity(prepared.lines.reduce(0) { $0 + $1.count + 64 }) }
                    lines += ArticleRecord.settingDuplicateOf(
                        nearDuplicateOf, inLine: prepared.lines[index], valueAt: prepared.duplicateOfOffsets[index])
                } else if lines.isEmpty {
                    lines = prepared.lines[index]  // the usual single record: its line as encoded, not copied
                } else {
                    lines += prepared.lines[index]
                }
                stored += 1
            }
            let entry = StoreEntry(key: key, lines: lines, recordCount: stored)
            add(
                BatchItem(
                    name: item.name, outcome: .records(entry), takenAt: started, queuedAt: item.queuedAt,
                    directory: directory),
                bytes: lines.count)
        }
    }

    /// Checks an article against every stored body: an exact duplicate is dropped, a near one is
    /// kept with `duplicate_of` (or dropped, by config). Kept articles join the index. Returns
    /// whether to keep it, and the id it nearly duplicates.
    private func duplicateCheck(_ fingerprint: DuplicateIndex.Fingerprint) -> (keep: Bool, nearDuplicateOf: String?) {
        var nearDuplicateOf: String? = nil
        switch duplicates.match(fingerprint) {
        case .exact:
            statusState.withLock { $0.articlesDuplicate += 1 }
            return (false, nil)
        case .near(let first):
            statusState.withLock { $0.articlesNearDuplicate += 1 }
            if config.nearDuplicateAction == .skip { return (false, nil) }
            nearDuplicateOf = first
        case nil:
            break
        }
        duplicates.add(fingerprint)
        batch.fingerprints += 1
        return (true, nearDuplicateOf)
    }

    /// Adds an item to the batch. Its name is tracked since it was queued, and stays so until the
    /// batch is done.
    private func add(_ item: BatchItem, bytes: Int) {
        if batch.items.isEmpty { batch.firstAt = Timestamp.monotonicNanoseconds() }
        batch.items.append(item)
        batch.bytes += bytes
    }

    private func deferName(_ name: FileName, seconds: Double) {
        deferred[name] = Timestamp.monotonicNanoseconds() + UInt64(seconds * 1e9)
        guard deferTimer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: intake)
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        timer.setEventHandler { [weak self] in self?.recheckDeferred() }
        deferTimer = timer
        timer.resume()
    }

    private func recheckDeferred() {
        let now = Timestamp.monotonicNanoseconds()
        for (name, due) in deferred where due <= now {
            deferred[name] = nil
            enqueue(PendingName(name: name, provenClosed: false, queuedAt: now))
        }
        if deferred.isEmpty {
            deferTimer?.cancel()
            deferTimer = nil
        }
        scheduleDrain()
    }

    private func rescan() {
        needsRescan = false
        reopenInboxIfReplaced()
        let room = config.maxPending - pending.count
        guard room > 0 else {
            needsRescan = true
            return
        }
        let excluded = { (name: FileName) -> Bool in
            self.tracked.contains(name) || self.deferred[name] != nil
                || (self.once && self.seenThisRun.contains(name))
        }
        guard let listing = InboxScanner.scan(config.inbox, limit: room, excluding: excluded) else {
            logger.warning(
                "cannot list the inbox", metadata: ["inbox": "\(config.inbox)", "errno": "\(POSIX.errnoName(errno))"])
            return
        }
        let now = Timestamp.monotonicNanoseconds()
        for name in listing.names { enqueue(PendingName(name: name, provenClosed: false, queuedAt: now)) }
        if !listing.complete { needsRescan = true }
    }

    /// The inbox descriptor must name the directory at the inbox path (it may have been replaced).
    private func reopenInboxIfReplaced() {
        var current = stat()
        var held = stat()
        guard stat(config.inbox, &current) == 0 else { return }
        if inboxFD >= 0, fstat(inboxFD, &held) == 0, held.st_dev == current.st_dev, held.st_ino == current.st_ino {
            return
        }
        let fd = open(config.inbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        if inboxFD >= 0 { retiredInboxFDs.append(inboxFD) }
        inboxFD = fd
        logger.notice("opened the inbox again", metadata: ["inbox": "\(config.inbox)"])
    }

    // MARK: - Commit

    /// Appended batches whose inputs are not yet moved and synced, at most (one being synced, one
    /// being moved, one waiting for the mover): past it, the next batch waits to be sealed.
    static let maxBatchesMoving = 3

    private func closeBatchIfReady(force: Bool) {
        guard !batch.items.isEmpty, !appendBusy, batchesMoving < Self.maxBatchesMoving else { return }
        if !force && !batchIsFull {
            let waited = Double(Timestamp.monotonicNanoseconds() - batch.firstAt) / 1e6
            if waited < config.commitMaxDelayMilliseconds {
                armBatchTimer(milliseconds: config.commitMaxDelayMilliseconds - waited)
                return
            }
        }
        batchTimer?.cancel()
        batchTimer = nil
        var sealed = batch
        sealed.processedAction = config.processedAction
        sealed.inboxPath = config.inbox
        sealed.sealedAt = Timestamp.monotonicNanoseconds()
        batch = Batch()
        appendBusy = true
        for directory in Set(sealed.items.map(\.directory)) { sealedDirectoryUses[directory, default: 0] += 1 }
        let toCommit = sealed
        committer.async { [self] in
            let result = append(toCommit)
            intake.async { [self] in appended(toCommit, result) }
            if case .appended(let skipped) = result { handToMover(toCommit, skippedItems: skipped) }
        }
    }

    /// On `committer`, once a batch's records are durable: frees its lines (the moves need only
    /// the names), and has `mover` move its inputs, then `syncer` sync the directories.
    private func handToMover(_ batch: Batch, skippedItems: Set<Int>) {
        var durable = batch
        durable.appendedAt = Timestamp.monotonicNanoseconds()
        durable.dropLines()
        let moving = durable
        mover.async { [self] in
            let moved = move(moving, skippedItems: skippedItems)
            syncer.async { [self] in
                let durableAt = syncMoves(moving, moved)
                intake.async { [self] in completed(moving, moved, durableAt: durableAt) }
            }
        }
    }

    private func armBatchTimer(milliseconds: Double) {
        guard batchTimer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: intake)
        timer.schedule(deadline: .now() + .microseconds(Int(milliseconds * 1000) + 1))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.batchTimer = nil
            self.closeBatchIfReady(force: true)
        }
        batchTimer = timer
        timer.resume()
    }

    enum AppendResult {
        /// The batch's records are durable; the positions of its items skipped as duplicates.
        case appended(skippedItems: Set<Int>)
        case storeFailed(StoreError)
    }

    struct MoveResult {
        var moveErrors: [FileName: Int32]
        var duplicates: Set<FileName>
        var movedProcessed: Bool
        var movedFailed: Bool
    }

    /// Runs on `committer`: appends the batch's records durably and persists its fingerprints.
    private func append(_ batch: Batch) -> AppendResult {
        var entries: [StoreEntry] = []
        var entryItems: [Int] = []  // batch item of each entry
        for (position, item) in batch.items.enumerated() {
            if case .records(let entry) = item.outcome {
                entries.append(entry)
                entryItems.append(position)
            }
        }
        let skippedEntries: [Int]
        do { skippedEntries = try store.append(entries) } catch { return .storeFailed(error) }
        do {
            try duplicates.commit(count: batch.fingerprints, inputsCovered: store.stats.files)
        } catch {
            // The records are durable; the index catches up from the store at the next start.
            logger.error("cannot persist article fingerprints", metadata: ["error": "\(error)"])
        }
        let skippedItems = Set(skippedEntries.map { entryItems[$0] })
        if let observer = lineObserver.withLock({ $0 }), observer.wants() {
            var lines: [UInt8] = []
            for (index, entry) in entries.enumerated() where !skippedItems.contains(entryItems[index]) {
                lines += entry.lines
            }
            if !lines.isEmpty { observer.deliver(lines) }
        }
        return .appended(skippedItems: skippedItems)
    }

    /// Runs on `mover`, once the batch's records are durable: moves the inputs out of the inbox.
    private func move(_ batch: Batch, skippedItems: Set<Int>) -> MoveResult {
        var moveErrors: [FileName: Int32] = [:]
        var duplicates = Set<FileName>()
        var movedProcessed = false
        var movedFailed = false
        for (position, item) in batch.items.enumerated() {
            switch item.outcome {
            case .records:
                if skippedItems.contains(position) { duplicates.insert(item.name) }
                fallthrough
            case .duplicate:
                if case .duplicate = item.outcome { duplicates.insert(item.name) }
                if let error = lifecycle.finishProcessed(
                    item.name, inboxFD: item.directory, action: batch.processedAction)
                {
                    moveErrors[item.name] = error
                } else {
                    movedProcessed = true
                }
            case .failed(let reason, let facts):
                if let error = lifecycle.finishFailed(item.name, inboxFD: item.directory, reason: reason, facts: facts)
                {
                    moveErrors[item.name] = error
                } else {
                    movedFailed = true
                }
            }
        }
        return MoveResult(
            moveErrors: moveErrors, duplicates: duplicates, movedProcessed: movedProcessed, movedFailed: movedFailed)
    }

    /// Runs on `syncer`, after `move`: makes the moves durable. Returns when they were.
    private func syncMoves(_ batch: Batch, _ moved: MoveResult) -> UInt64 {
        let directories = Array(Set(batch.items.map(\.directory)))
        for (index, directory) in directories.enumerated() {
            // The processed/ and failed/ directories once; every inbox directory read from.
            if let error = lifecycle.syncDirectories(
                inboxFD: directory, inboxPath: batch.inboxPath,
                movedProcessed: index == 0 && moved.movedProcessed && batch.processedAction == .move,
                movedFailed: index == 0 && moved.movedFailed)
            {
                logger.error("cannot sync directories after moving inputs", metadata: ["error": "\(error)"])
            }
        }
        return Timestamp.monotonicNanoseconds()
    }

    /// Back on `intake` after an append: on success the next batch may be sealed while this one's
    /// inputs are moved; on failure nothing of the batch is acknowledged.
    private func appended(_ batch: Batch, _ result: AppendResult) {
        appendBusy = false
        switch result {
        case .storeFailed(let error):
            batchDone(batch)
            storeFailed(error, batch: batch)
        case .appended:
            batchesMoving += 1
            if retryDelay > 0 {
                retryDelay = 0
                logger.notice("the store is writable again")
                statusState.withLock { $0.degraded = nil }
            }
        }
        carryOn()
    }

    /// Back on `intake` once a batch's inputs are moved: account for it, log one line per input.
    private func completed(_ batch: Batch, _ moved: MoveResult, durableAt: UInt64) {
        batchesMoving -= 1
        batchDone(batch)
        // One line per input, written together (one system call per batch on stderr).
        LineWriter.standardError.batched {
            logCommitted(batch, moveErrors: moved.moveErrors, duplicates: moved.duplicates, durableAt: durableAt)
        }
        carryOn()
    }

    /// A sealed batch is done with (moved, or not stored): its names may be queued again, and
    /// replaced inbox descriptors no batch reads from any more are closed.
    private func batchDone(_ batch: Batch) {
        for item in batch.items { tracked.remove(item.name) }
        for directory in Set(batch.items.map(\.directory)) {
            let uses = (sealedDirectoryUses[directory] ?? 1) - 1
            sealedDirectoryUses[directory] = uses > 0 ? uses : nil
        }
        if !retiredInboxFDs.isEmpty && sealedDirectoryUses.keys.allSatisfy({ $0 == inboxFD })
            && !self.batch.items.contains(where: { $0.directory != inboxFD })
            && !launched.contains(where: { $0.directory != inboxFD })
        {
            for fd in retiredInboxFDs { close(fd) }  // no batch reads from a replaced inbox any more
            retiredInboxFDs.removeAll()
        }
    }

    /// After a stage of a commit: the prepared chunks that waited for it, then the next batch.
    private func carryOn() {
        finishPreparedChunks()  // those that waited for the committer (or, after a failure, drops them)
        if stopping {
            closeBatchIfReady(force: true)
            finishIfIdle()
        } else {
            scheduleDrain()
        }
    }

    private func logCommitted(
        _ batch: Batch, moveErrors: [FileName: Int32], duplicates: Set<FileName>, durableAt: UInt64
    ) {
        var processed = 0, failed = 0, duplicate = 0, records = 0
        var latencies: [Double] = []
        latencies.reserveCapacity(batch.items.count)
        for item in batch.items {
            let ms = Double(durableAt - item.takenAt) / 1e6
            if case .failed = item.outcome {} else { latencies.append(Double(durableAt - item.queuedAt) / 1e6) }
            var metadata = Logger.Metadata(minimumCapacity: 8)  // one line per file: no regrowth
            metadata["file"] = .string(item.name.escaped)
            metadata["ms"] = .string(Self.format(ms))
            var message: Logger.Message
            switch item.outcome {
            case .records(let entry) where !duplicates.contains(item.name):
                processed += 1
                records += entry.recordCount
                metadata["outcome"] = "processed"
                metadata["records"] = .string(String(entry.recordCount))
                message = "ingested"
            case .records, .duplicate:
                duplicate += 1
                metadata["outcome"] = "duplicate"
                metadata["records"] = "0"
                message = "duplicate content; already in the store"
            case .failed(let reason, _):
                failed += 1
                metadata["outcome"] = "failed"
                metadata["records"] = "0"
                metadata["reason"] = "\(reason.code)"
                metadata["detail"] = "\(reason.message)"
                if let code = reason.errno {
                    metadata["errno"] = "\(POSIX.errnoName(code))"
                    metadata["errno_code"] = "\(code)"
                }
                message = "failed"
            }
            if let code = moveErrors[item.name] {
                metadata["errno"] = "\(POSIX.errnoName(code))"
                metadata["errno_code"] = "\(code)"
                logger.error("\(message), but it could not be moved out of the inbox", metadata: metadata)
            } else if case .failed = item.outcome {
                logger.warning(message, metadata: metadata)
            } else {
                logger.info(message, metadata: metadata)
            }
        }
        let now = Timestamp.iso8601(Timestamp.now())
        let committedAt = Timestamp.monotonicNanoseconds()
        metrics.recordCommit(
            files: processed + duplicate + failed, records: records, latenciesMilliseconds: latencies, now: committedAt)
        logger.debug(
            "batch committed",
            metadata: [
                "files": "\(batch.items.count)", "records": "\(records)", "bytes": "\(batch.bytes)",
                "commit_ms": .string(Self.format(Double(durableAt - batch.sealedAt) / 1e6)),
                "append_ms": .string(Self.format(Double(batch.appendedAt - batch.sealedAt) / 1e6)),
            ])
        statusState.withLock {
            $0.lastCommitNanoseconds = committedAt
            $0.filesProcessed += processed
            $0.filesFailed += failed
            $0.filesDuplicate += duplicate
            $0.recordsWritten += records
            $0.lastFileAt = now
        }
    }

    private func storeFailed(_ error: StoreError, batch: Batch) {
        // Nothing of this batch is acknowledged; its files stay in the inbox. The batch filling
        // behind it may hold duplicates of it, so it goes too, and both are taken again later.
        for item in self.batch.items { tracked.remove(item.name) }
        self.batch = Batch()
        generation += 1  // chunks being prepared are dropped when they come back
        duplicates.rollback()  // both batches' articles will be taken again
        batchTimer?.cancel()
        batchTimer = nil
        retryDelay = min(max(retryDelay * 2, 0.1), 30)
        let reason = "store cannot write: \(error)"
        logger.error(
            "store write failed; nothing acknowledged, will retry",
            metadata: [
                "error": "\(error)", "errno": "\(error.errnoName ?? "none")",
                "retry_in_s": "\(Self.format(retryDelay))",
                "files": "\(batch.items.count)",
            ])
        statusState.withLock { $0.degraded = reason }
        noteError(reason)
        if once {
            onceFailed = true
            stopping = true
            finishIfIdle()
            return
        }
        waitingForRetry = true
        intake.asyncAfter(deadline: .now() + retryDelay) { [self] in
            waitingForRetry = false
            needsRescan = true
            scheduleDrain()
        }
    }

    private func finishIfIdle() {
        guard !appendBusy, batchesMoving == 0, batch.items.isEmpty, launched.isEmpty else { return }
        if !stopping {
            guard once, pending.isEmpty, !needsRescan else { return }
        }
        guard let completion = stopCompletion else { return }
        stopCompletion = nil
        completion(onceFailed ? 1 : 0)
    }

    private func noteError(_ text: String) {
        let entry = Timestamp.iso8601(Timestamp.now()) + " " + text
        statusState.withLock { $0.lastError = entry }
    }

    private func publishQueueLength() {
        let queued = pending.count
        statusState.withLock { $0.queued = queued }
    }

    static func format(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        return String(scaled)
    }
}
