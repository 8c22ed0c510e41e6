import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Reads memory figures of a process from `/proc/PID/status`.
enum ProcStatus {
    /// The value of a `kB` field such as `VmRSS` or `VmHWM` (peak RSS), in KiB; nil if unreadable.
    static func kilobytes(_ field: String, pid: pid_t) -> Int? {
        guard let bytes = FileSystem.read("/proc/\(pid)/status") else { return nil }
        for line in bytes.split(separator: 0x0A) {
            let parts = line.split(separator: 0x3A, maxSplits: 1)  // "VmRSS:\t   1234 kB"
            guard parts.count == 2, parts[0].elementsEqual(field.utf8) else { continue }
            let digits = parts[1].filter { $0 >= 0x30 && $0 <= 0x39 }
            return Int(String(decoding: digits, as: UTF8.self))
        }
        return nil
    }
}

/// Samples a process's VmRSS every `interval` on a background thread and keeps the largest.
final class MemorySampler {
    /// The largest sample and how many samples were taken.
    struct Peak {
        var kilobytes = 0
        var samples = 0
    }

    private let core: Core
    private let thread: BackgroundThread

    init(pid: pid_t, intervalMilliseconds: Int = 50) {
        let core = Core(pid: pid, interval: intervalMilliseconds)
        self.core = core
        thread = BackgroundThread { core.run() }
    }

    /// Stops sampling and returns the peak.
    func finish() -> Peak {
        core.stopping.store(true, ordering: .releasing)
        thread.join()
        return core.peak.withLock { $0 }
    }

    private final class Core: Sendable {
        let pid: pid_t
        let interval: Int
        let stopping = Atomic<Bool>(false)
        let peak = Mutex(Peak())

        init(pid: pid_t, interval: Int) {
            self.pid = pid
            self.interval = interval
        }

        func run() {
            var next = MonotonicClock.now()
            while !stopping.load(ordering: .acquiring) {
                if let rss = ProcStatus.kilobytes("VmRSS", pid: pid) {
                    peak.withLock {
                        $0.kilobytes = max($0.kilobytes, rss)
                        $0.samples += 1
                    }
                }
                next += UInt64(interval) * 1_000_000
                MonotonicClock.sleep(until: next)
            }
        }
    }
}
