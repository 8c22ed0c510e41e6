import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// When each expected file appeared in a directory.
struct Arrivals {
    /// Monotonic arrival time per expected name (same order as given); 0 if it never arrived.
    var times: [UInt64]
    /// Arrivals found by listing the directory rather than by an event: their time is an upper bound.
    var foundByListing = 0
    /// IN_Q_OVERFLOW events seen (events were lost and the directory was listed).
    var overflows = 0
}

/// Records the moment each expected file is renamed into a directory (for processed/: the moment
/// its records are durable), with inotify IN_MOVED_TO read on a background thread. When events were
/// lost (IN_Q_OVERFLOW), or nothing arrived for a second while files are missing, it lists the
/// directory as a fallback.
///
/// After a read that returned events, the thread sleeps `coalesceMilliseconds` before it looks
/// again: during a burst it would otherwise wake for every few files and take CPU from the daemon
/// it measures (on two cores, 4.6% of the burst's files/s). An arrival is therefore recorded at
/// most that much late, never early.
final class DurableWatcher {
    /// The pause after each read that found events.
    static let coalesceMilliseconds = 1

    private let core: Core
    private let thread: BackgroundThread

    /// Starts watching; call before the first file can arrive.
    init(directory: String, names: [String]) throws {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw BenchError.system("inotify_init1") }
        guard inotify_add_watch(fd, directory, UInt32(IN_MOVED_TO | IN_ONLYDIR)) >= 0 else {
            let code = errno
            close(fd)
            throw BenchError.system("cannot watch \(directory)", errno: code)
        }
        var slots: [String: Int] = [:]
        slots.reserveCapacity(names.count)
        for (slot, name) in names.enumerated() { slots[name] = slot }
        let core = Core(fd: fd, directory: directory, slots: slots)
        self.core = core
        thread = BackgroundThread { core.run() }
    }

    /// How many expected files have arrived so far.
    var arrived: Int { core.arrived.load(ordering: .relaxed) }

    /// Waits until every expected file has arrived. Returns false when none arrived for
    /// `stallSeconds`, or as soon as `abandon` returns true (checked every few milliseconds).
    /// `progress` is called with the count every `progressSeconds`.
    func waitForAll(
        stallSeconds: Double, progressSeconds: Double = 10, progress: (Int) -> Void = { _ in },
        abandon: () -> Bool = { false }
    ) -> Bool {
        let total = core.slots.count
        var last = arrived
        var lastChange = MonotonicClock.now()
        var lastProgress = lastChange
        while last < total {
            MonotonicClock.sleep(milliseconds: 5)
            let now = MonotonicClock.now()
            let count = arrived
            if count != last {
                last = count
                lastChange = now
            } else if MonotonicClock.seconds(now - lastChange) > stallSeconds || abandon() {
                return false
            }
            if MonotonicClock.seconds(now - lastProgress) >= progressSeconds {
                lastProgress = now
                progress(count)
            }
        }
        return true
    }

    /// Stops watching and returns the arrivals.
    func finish() -> Arrivals {
        core.stopping.store(true, ordering: .releasing)
        thread.join()
        return core.result.withLock { $0 }
    }

    /// The state shared with the watching thread.
    private final class Core: Sendable {
        let fd: Int32
        let directory: String
        let slots: [String: Int]
        let stopping = Atomic<Bool>(false)
        let arrived = Atomic<Int>(0)
        let result = Mutex(Arrivals(times: []))

        init(fd: Int32, directory: String, slots: [String: Int]) {
            self.fd = fd
            self.directory = directory
            self.slots = slots
        }

        func run() {
            var arrivals = Arrivals(times: [UInt64](repeating: 0, count: slots.count))
            var count = 0
            var lastArrival = MonotonicClock.now()
            func record(_ name: String, at time: UInt64, listed: Bool) {
                guard let slot = slots[name], arrivals.times[slot] == 0 else { return }
                arrivals.times[slot] = time
                if listed { arrivals.foundByListing += 1 }
                count += 1
                arrived.store(count, ordering: .relaxed)
                lastArrival = time
            }
            var buffer = [UInt8](repeating: 0, count: 256 * 1024)
            while !stopping.load(ordering: .acquiring) {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                var overflowed = false
                if poll(&pfd, 1, 50) > 0 {
                    while true {
                        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                        if n < 0 && errno == EINTR { continue }
                        if n <= 0 { break }
                        let now = MonotonicClock.now()
                        Self.parse(buffer, count: n) { name, overflow in
                            if overflow { overflowed = true } else { record(name, at: now, listed: false) }
                        }
                    }
                    MonotonicClock.sleep(milliseconds: DurableWatcher.coalesceMilliseconds)
                }
                let idle = count < slots.count && MonotonicClock.seconds(MonotonicClock.now() - lastArrival) > 1
                if overflowed || idle {
                    if overflowed { arrivals.overflows += 1 }
                    let now = MonotonicClock.now()
                    for name in FileSystem.names(in: directory) { record(name, at: now, listed: true) }
                    lastArrival = now
                }
            }
            close(fd)
            result.withLock { $0 = arrivals }
        }

        /// Calls `body` with each event's name, or with `overflow` true for IN_Q_OVERFLOW.
        private static func parse(_ buffer: [UInt8], count: Int, _ body: (String, _ overflow: Bool) -> Void) {
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset + 16 <= count {
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let name = raw[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                    offset += 16 + length
                    if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        body("", true)
                    } else if !name.isEmpty {
                        body(String(decoding: name, as: UTF8.self), false)
                    }
                }
            }
        }
    }
}
