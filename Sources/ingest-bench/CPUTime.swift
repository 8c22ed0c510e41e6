#if canImport(Glibc)
    import Glibc
#endif

/// RUSAGE_THREAD, which Glibc only declares under _GNU_SOURCE (<bits/resource.h>).
private let rusageThread: Int32 = 1

/// CPU time used (user and system, in seconds), by a process or a thread.
///
/// The burst's files/s depend on how fast the machine's cores run at the time, and a shared VM
/// varies a lot; CPU time per file says how much work each file took, which varies much less.
struct CPUTime: Equatable {
    var user: Double
    var system: Double

    var total: Double { user + system }

    /// Microseconds of CPU per file.
    func microseconds(perFile files: Int) -> Double? {
        files > 0 ? total * 1e6 / Double(files) : nil
    }

    static func - (later: CPUTime, earlier: CPUTime) -> CPUTime {
        CPUTime(user: later.user - earlier.user, system: later.system - earlier.system)
    }

    init(user: Double, system: Double) {
        self.user = user
        self.system = system
    }

    init(_ usage: rusage) {
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        self.init(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }

    /// All threads of the running process `pid` so far, from `/proc/<pid>/stat` (clock ticks, so
    /// to the 100th of a second); nil when it cannot be read.
    static func of(pid: pid_t) -> CPUTime? {
        guard let bytes = FileSystem.read("/proc/\(pid)/stat") else { return nil }
        return parseProcStat(
            String(decoding: bytes, as: UTF8.self), ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// utime and stime are fields 14 and 15 of `/proc/<pid>/stat`; the command name (field 2) is
    /// in parentheses and may hold spaces, so fields are counted after its closing parenthesis.
    static func parseProcStat(_ text: String, ticksPerSecond: Double) -> CPUTime? {
        guard let close = text.lastIndex(of: ")"), ticksPerSecond > 0 else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (the state), so field n is fields[n - 3].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return CPUTime(user: user / ticksPerSecond, system: system / ticksPerSecond)
    }

    /// The calling thread so far.
    static func currentThread() -> CPUTime {
        var usage = rusage()
        getrusage(__rusage_who_t(rusageThread), &usage)
        return CPUTime(usage)
    }
}
