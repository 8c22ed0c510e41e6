#if canImport(Glibc)
    import Glibc
#endif

/// Start-up time of ingestd on a store that already holds many records.
struct StartupResult {
    var records: Int
    /// Seconds it took to build the store through `RecordStore.append`.
    var buildSeconds: Double
    /// Spawn-to-ready seconds of each run; the first is the first start on the store.
    var runs: [Double] = []
    /// VmHWM (peak RSS) and VmRSS at the ready line of each run, in KiB (0 if unreadable).
    var peakRSSKilobytes: [Int] = []
    var readyRSSKilobytes: [Int] = []
    /// The record count ingestd reported in its ready line (nil if absent).
    var reportedRecords: Int?
    var exits: [ExitStatus] = []

    /// The first start: ingestd meets a store it did not write, so its own indexes (such as the
    /// duplicate fingerprints) may first have to catch up with every record.
    var firstStart: Double { runs[0] }
    /// Restarts: what a daemon restarted on its own store costs. The target is judged on their median.
    var restarts: ArraySlice<Double> { runs.dropFirst() }
    var restartMedian: Double { restarts.sorted()[restarts.count / 2] }
    /// ingestd saw every record: the timing is of the store that was built.
    var sawAllRecords: Bool { reportedRecords == records }
    /// Runs that did not end with exit 0 after SIGTERM (sent as soon as the ready line arrived).
    var badExits: Int { exits.filter { $0 != .exited(0) }.count }
    var passedChecks: Bool { sawAllRecords && badExits == 0 }
}

/// Builds a store of `records` records, then starts ingestd on it with an empty inbox `runs` times
/// (one first start, then restarts), timing spawn to the ready line.
struct StartupBenchmark {
    let daemon: String
    let directory: String
    let records: Int
    var runs = 4

    func run() throws -> StartupResult {
        let inbox = directory + "/inbox"
        let state = directory + "/state"
        let config = directory + "/ingestd.yaml"
        try FileSystem.makeDirectories(inbox)
        try FileSystem.makeDirectories(state)
        try FileSystem.write("socket: \(directory)/control.sock\n", to: config)
        let started = MonotonicClock.now()
        try SyntheticStore.build(directory: state + "/store", records: records)
        var result = StartupResult(
            records: records, buildSeconds: MonotonicClock.seconds(MonotonicClock.now() - started))
        sync()

        for _ in 0..<runs {
            let process = try DaemonProcess(executable: daemon, inbox: inbox, stateDirectory: state, config: config)
            let readyAt = try process.waitUntilReady(timeoutSeconds: 600)
            result.peakRSSKilobytes.append(ProcStatus.kilobytes("VmHWM", pid: process.pid) ?? 0)
            result.readyRSSKilobytes.append(ProcStatus.kilobytes("VmRSS", pid: process.pid) ?? 0)
            result.exits.append(process.stop(timeoutSeconds: 10))  // an idle daemon stops in milliseconds
            result.runs.append(MonotonicClock.seconds(readyAt - process.spawnedAt))
            result.reportedRecords = process.log.snapshot.readyLine.flatMap(Self.recordCount)
        }
        return result
    }

    /// The `records=N` field of the ready line.
    static func recordCount(_ line: String) -> Int? {
        line.split(separator: " ").first { $0.hasPrefix("records=") }.flatMap { Int($0.dropFirst(8)) }
    }
}
