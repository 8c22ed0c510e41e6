#if canImport(Glibc)
    import Glibc
#endif

/// How much CPU the rest of the machine used while the bench ran: all busy time from /proc/stat
/// minus the bench's own and its children's (ingestd, floor, cc). It includes kernel threads such as
/// writeback and the journal, so it is never zero; a concurrent build shows up as many core-seconds.
struct CPUAccounting {
    private let startedAt: UInt64
    private let busyTicks: Int
    private let ownSeconds: Double

    init() {
        startedAt = MonotonicClock.now()
        busyTicks = Self.machineBusyTicks()
        ownSeconds = Self.ownSeconds()
    }

    /// What happened since `init`.
    struct Usage {
        var wallSeconds: Double
        /// Core-seconds used by everything but the bench and its children.
        var otherSeconds: Double
        /// Core-seconds used by the bench and its (waited-for) children.
        var ownSeconds: Double
    }

    func usage() -> Usage {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let busy = Double(Self.machineBusyTicks() - busyTicks) / ticksPerSecond
        let own = Self.ownSeconds() - ownSeconds
        return Usage(
            wallSeconds: MonotonicClock.seconds(MonotonicClock.now() - startedAt), otherSeconds: max(0, busy - own),
            ownSeconds: own)
    }

    /// The aggregate `cpu` line of /proc/stat: all but idle and iowait.
    private static func machineBusyTicks() -> Int {
        let text = String(decoding: FileSystem.read("/proc/stat") ?? [], as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return 0 }
        let fields = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        // user nice system idle iowait irq softirq steal (guest time is already in user)
        return fields.prefix(8).enumerated().reduce(0) { $0 + ($1.offset == 3 || $1.offset == 4 ? 0 : $1.element) }
    }

    private static func ownSeconds() -> Double {
        func seconds(_ who: __rusage_who) -> Double {
            var usage = rusage()
            getrusage(__rusage_who_t(who.rawValue), &usage)
            return CPUTime(usage).total
        }
        return seconds(RUSAGE_SELF) + seconds(RUSAGE_CHILDREN)
    }
}
