import ArgumentParser

/// `ingest-bench`: measures ingestd end to end — burst throughput against the bare I/O floor,
/// drop-to-durable latency, daemon memory, and start-up on a large store — and prints a report.
struct IngestBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest-bench",
        abstract: "Measure ingestd: burst throughput against the I/O floor, trickle latency, memory and start-up.",
        discussion: """
            Targets: burst >= 0.5x the floor; trickle p99 < 10 ms at 100 files/s; peak RSS < 64 MiB during a \
            100,000-file burst; start-up < 1 s with 1,000,000 records. Each is reported as PASS or MISS; a miss \
            does not change the exit status, which is non-zero only when the bench itself cannot run.
            """)

    @Option(help: "Files in the burst.")
    var files = 10_000
    @Option(
        help:
            "Burst and floor pairs to run, one after the other; the burst target is then judged on the median ratio (for noisy machines)."
    )
    var rounds = 1
    @Option(help: "Approximate size of each generated file, in bytes.")
    var size = 4096
    @Option(name: .customLong("trickle-rate"), help: "Trickle drop rate, in files per second.")
    var trickleRate = 100.0
    @Option(name: .customLong("trickle-files"), help: "Files in the trickle (0 skips it).")
    var trickleFiles = 1000
    @Option(help: "The ingestd executable (default: the ingestd next to ingest-bench).")
    var daemon: String?
    @Option(
        help:
            "A built floor binary (default: compile $INGEST_FLOOR_C or ../shared/tools/floor.c with cc; skip if absent)."
    )
    var floor: String?
    @Option(help: "Work directory (default: a new temporary directory under /tmp).")
    var workdir: String?
    @Flag(help: "Keep the work directory and what the runs left in it.")
    var keep = false
    @Option(
        name: .customLong("startup-records"), help: "Measure start-up on a store of this many records (0 skips it).")
    var startupRecords = 0
    @Option(help: "Seed of the generated articles.")
    var seed: UInt64 = 1
    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard files > 0 else { throw ValidationError("--files must be positive") }
        guard rounds > 0 else { throw ValidationError("--rounds must be positive") }
        guard size >= 256 else { throw ValidationError("--size must be at least 256 bytes") }
        guard trickleRate > 0 else { throw ValidationError("--trickle-rate must be positive") }
        guard trickleFiles >= 0, startupRecords >= 0 else {
            throw ValidationError("--trickle-files and --startup-records must not be negative")
        }
    }

    func run() throws {
        let cpu = CPUAccounting()
        let daemonPath = try ToolLocator.daemon(explicit: daemon)
        let workspace = try Workspace(explicit: workdir, keep: keep)
        defer { workspace.finish() }
        let generator = ArticleGenerator(seed: seed, targetBytes: size)
        var report = BenchReport(
            settings: BenchSettings(
                files: files, size: size, trickleRate: trickleRate, trickleFiles: trickleFiles,
                startupRecords: startupRecords, seed: seed, daemon: daemonPath),
            machine: MachineInfo.current(workDirectory: workspace.root), workDirectory: workspace.root)

        let floorTool = try ToolLocator.floor(explicit: floor, buildDirectory: workspace.root)
        for round in 1...rounds {
            let burst = try phase("burst", workspace) { directory in
                Progress.note("burst\(roundLabel(round)): \(files) files into \(directory)")
                return try BurstDrop.run(
                    DaemonSession(daemon: daemonPath, directory: directory, generator: generator, numbers: 0..<files))
            }
            var floorResult: FloorResult? = nil
            switch floorTool {
            case .success(let binary):
                floorResult = try phase("floor", workspace) { directory in
                    Progress.note("floor\(roundLabel(round)): \(binary) on the same \(files) files")
                    return try FloorBenchmark(
                        floor: binary, directory: directory, generator: generator, numbers: 0..<files
                    ).run()
                }
            case .failure(let reason):
                report.floorNote = reason.description
                if round == 1 { Progress.note("floor skipped: \(reason)") }
            }
            if round == 1 {
                report.burst = burst
                report.floor = floorResult
            }
            if let rate = burst.filesPerSecond, let floorResult {
                report.rounds.append(
                    BurstRound(
                        burstFilesPerSecond: rate, floorFilesPerSecond: floorResult.filesPerSecond,
                        checksPassed: burst.checks.passed, daemonMicrosecondsPerFile: burst.daemonMicrosecondsPerFile,
                        floorMicrosecondsPerFile: floorResult.cpu?.microseconds(perFile: floorResult.files)))
            }
        }
        if trickleFiles > 0 {
            report.trickle = try phase("trickle", workspace) { directory in
                Progress.note("trickle: \(trickleFiles) files at \(trickleRate) files/s")
                let numbers = 1_000_000_000..<(1_000_000_000 + trickleFiles)  // other articles than the burst's
                return try TrickleDrop.run(
                    DaemonSession(daemon: daemonPath, directory: directory, generator: generator, numbers: numbers),
                    filesPerSecond: trickleRate)
            }
        }
        if startupRecords > 0 {
            report.startup = try phase("startup", workspace) { directory in
                Progress.note("start-up: building a store of \(startupRecords) records")
                return try StartupBenchmark(daemon: daemonPath, directory: directory, records: startupRecords).run()
            }
        }
        report.cpu = cpu.usage()
        print(json ? report.json.rendered : report.text, terminator: json ? "\n" : "")
        if keep { Progress.note("kept \(workspace.root)") }
    }

    private func roundLabel(_ round: Int) -> String { rounds > 1 ? " (round \(round) of \(rounds))" : "" }

    /// Runs one phase in a fresh subdirectory of the workspace, discarded afterwards.
    private func phase<T>(_ name: String, _ workspace: Workspace, _ body: (String) throws -> T) throws -> T {
        let directory = try workspace.phase(name)
        defer { workspace.discard(directory) }
        return try body(directory)
    }
}
