/// What one daemon run measured.
struct SessionOutcome {
    var files: Int
    var bytes: Int
    var dropTimes: [UInt64]
    var arrivals: Arrivals
    /// Every input became durable before the stall timeout.
    var complete: Bool
    var startupSeconds: Double
    /// VmHWM just before SIGTERM, in KiB.
    var peakRSSKilobytes: Int?
    var sampledRSS: MemorySampler.Peak
    var log: DaemonLog.Snapshot
    var checks: OutputChecks
    /// CPU time ingestd used from its ready line until the last input was durable (nil if unreadable).
    var daemonCPU: CPUTime? = nil
    /// CPU time the bench's dropping thread used for the drops (it competes with ingestd for the cores).
    var dropCPU: CPUTime? = nil

    /// ingestd's CPU per input, in microseconds.
    var daemonMicrosecondsPerFile: Double? { daemonCPU?.microseconds(perFile: files) }

    /// Drop-to-durable latency of each input that became durable.
    var latencies: LatencySummary? {
        LatencySummary(
            nanoseconds: zip(dropTimes, arrivals.times).compactMap { drop, durable in
                durable == 0 ? nil : durable &- drop
            })
    }

    /// Seconds from the first drop to the last durable input.
    var spanSeconds: Double? {
        guard let first = dropTimes.min(), let last = arrivals.times.max(), last > first else { return nil }
        return MonotonicClock.seconds(last - first)
    }

    /// Seconds the drops took (first to last rename).
    var dropSeconds: Double {
        guard let first = dropTimes.min(), let last = dropTimes.max() else { return 0 }
        return MonotonicClock.seconds(last - first)
    }

    var filesPerSecond: Double? { spanSeconds.map { Double(files) / $0 } }
    var megabytesPerSecond: Double? { spanSeconds.map { Double(bytes) / 1e6 / $0 } }
}

/// What a stopped daemon left behind, compared with what it was given.
struct OutputChecks {
    var expected: Int
    var exit: ExitStatus
    /// Expected names found in processed/.
    var processed: Int
    var failed: Int
    var leftInInbox: Int
    /// Newlines in `store/articles-*.jsonl`: one per record, one record per input here.
    var storeLines: Int

    var passed: Bool {
        exit == .exited(0) && processed == expected && failed == 0 && leftInInbox == 0 && storeLines == expected
    }

    /// The failed checks, in words.
    var problems: [String] {
        var problems: [String] = []
        if exit != .exited(0) { problems.append("ingestd ended with \(exit), expected exit 0") }
        if processed != expected { problems.append("\(processed) of \(expected) inputs in processed/") }
        if failed > 0 { problems.append("\(failed) entries in failed/") }
        if leftInInbox > 0 { problems.append("\(leftInInbox) files left in the inbox") }
        if storeLines != expected { problems.append("the store holds \(storeLines) lines, expected \(expected)") }
        return problems
    }

    static func inspect(state: String, inbox: String, names: [String], exit: ExitStatus) -> OutputChecks {
        let processed = Set(FileSystem.names(in: state + "/processed"))
        let store = state + "/store"
        let lines = FileSystem.names(in: store)
            .filter { $0.hasPrefix("articles-") && $0.hasSuffix(".jsonl") }
            .reduce(0) { $0 + (FileSystem.countNewlines(store + "/" + $1) ?? 0) }
        return OutputChecks(
            expected: names.count, exit: exit, processed: names.filter(processed.contains).count,
            failed: FileSystem.names(in: state + "/failed").count, leftInInbox: FileSystem.names(in: inbox).count,
            storeLines: lines)
    }
}
