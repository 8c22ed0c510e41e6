import RecordStore

#if canImport(Glibc)
    import Glibc
#endif

/// Start-up time of ingestd on a store that already holds many records.
struct StartupResult {
    var records: Int
    /// Seconds it took to build the store through `RecordStore.append`.
    var buildSeconds: Double
    /// Spawn-to-ready seconds of each run.
    var runs: [Double]
    /// The record count ingestd reported in its ready line (nil if absent).
    var reportedRecords: Int?
    /// The largest VmHWM (peak RSS so far) seen at the ready line, in KiB.
    var peakRSSKilobytes: Int?
    /// The largest VmRSS seen at the ready line, in KiB: what stays resident after start-up.
    var readyRSSKilobytes: Int?
    var exits: [ExitStatus]

    var median: Double { runs.sorted()[runs.count / 2] }
    /// ingestd saw every record: the timing is of the store that was built.
    var sawAllRecords: Bool { reportedRecords == records }
    /// Runs that did not end with exit 0 after SIGTERM (sent as soon as the ready line arrived).
    var badExits: Int { exits.filter { $0 != .exited(0) }.count }
    var passedChecks: Bool { sawAllRecords && badExits == 0 }
}

/// Builds a store of `records` records, then starts ingestd on it with an empty inbox `runs` times,
/// timing spawn to the ready line.
struct StartupBenchmark {
    let daemon: String
    let directory: String
    let records: Int
    var runs = 3

    func run() throws -> StartupResult {
        let inbox = directory + "/inbox"
        let state = directory + "/state"
        let config = directory + "/ingestd.yaml"
        try FileSystem.makeDirectories(inbox)
        try FileSystem.makeDirectories(state)
        try FileSystem.write("socket: \(directory)/control.sock\n", to: config)
        let started = MonotonicClock.now()
        try SyntheticStore.build(directory: state + "/store", records: records)
        let buildSeconds = MonotonicClock.seconds(MonotonicClock.now() - started)
        sync()

        var result = StartupResult(records: records, buildSeconds: buildSeconds, runs: [], exits: [])
        for _ in 0..<runs {
            let process = try DaemonProcess(executable: daemon, inbox: inbox, stateDirectory: state, config: config)
            let readyAt = try process.waitUntilReady(timeoutSeconds: 300)
            let peak = ProcStatus.kilobytes("VmHWM", pid: process.pid)
            let resident = ProcStatus.kilobytes("VmRSS", pid: process.pid)
            result.exits.append(process.stop(timeoutSeconds: 10))  // an idle daemon stops in milliseconds
            result.runs.append(MonotonicClock.seconds(readyAt - process.spawnedAt))
            result.peakRSSKilobytes = max(result.peakRSSKilobytes ?? 0, peak ?? 0)
            result.readyRSSKilobytes = max(result.readyRSSKilobytes ?? 0, resident ?? 0)
            result.reportedRecords = process.log.snapshot.readyLine.flatMap(Self.recordCount)
        }
        return result
    }

    /// The `records=N` field of the ready line.
    static func recordCount(_ line: String) -> Int? {
        line.split(separator: " ").first { $0.hasPrefix("records=") }.flatMap { Int($0.dropFirst(8)) }
    }
}

/// Fills a store with small synthetic records through the store's own `append`, as ingestd would
/// have committed them: one record per input, distinct content keys, batches of `batch` inputs.
enum SyntheticStore {
    static func build(directory: String, records: Int, batch: Int = 1000) throws {
        let store = try RecordStore(directory: directory)
        var entries: [StoreEntry] = []
        entries.reserveCapacity(batch)
        for number in 0..<records {
            let line = "{\"id\":\"synthetic-\(number)\",\"title\":\"Synthetic record \(number)\",\"body\":\"x\"}\n"
            entries.append(StoreEntry(key: key(number), lines: Array(line.utf8), recordCount: 1))
            if entries.count == batch || number == records - 1 {
                try store.append(entries)
                entries.removeAll(keepingCapacity: true)
            }
        }
    }

    /// 32 sha256-like bytes derived from `number`. The first 8 bytes come from a bijection, so the
    /// store's 8-byte key prefixes never collide.
    static func key(_ number: Int) -> ContentKey {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for lane in UInt64(0)..<4 {
            let word = SplitMix64.mix(UInt64(number) &+ lane &* 0x9E37_79B9_7F4A_7C15)
            withUnsafeBytes(of: word.bigEndian) { bytes += $0 }
        }
        return ContentKey(bytes)
    }
}
