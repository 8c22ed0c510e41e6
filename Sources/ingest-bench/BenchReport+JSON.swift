/// The machine-readable report (`--json`): the same numbers, raw units in the key names.
extension BenchReport {
    var json: JSONValue {
        .object([
            (
                "settings",
                .object([
                    ("files", .integer(settings.files)), ("size", .integer(settings.size)),
                    ("trickle_rate", .number(settings.trickleRate)), ("trickle_files", .integer(settings.trickleFiles)),
                    ("startup_records", .integer(settings.startupRecords)), ("seed", .string(String(settings.seed))),
                    ("daemon", .string(settings.daemon)),
                ])
            ),
            (
                "machine",
                .object([
                    ("cpus", .integer(machine.cpus)), ("cpu_model", .string(machine.cpuModel)),
                    ("kernel", .string(machine.kernel)), ("file_system", .string(machine.fileSystem)),
                    ("load_average", .string(machine.loadAverage)),
                    ("work_directory", .string(workDirectory)),
                ])
            ),
            ("burst", burst.map(Self.json) ?? .null),
            (
                "floor",
                floor.map {
                    .object([
                        ("files_per_second", .number($0.filesPerSecond)),
                        ("megabytes_per_second", .from($0.megabytesPerSecond)), ("files", .integer($0.files)),
                        ("batch", .integer($0.batch)), ("output", .string($0.summary)),
                        ("cpu", Self.json($0.cpu, files: $0.files)),
                    ])
                } ?? .null
            ),
            ("floor_note", .from(floorNote)),
            (
                "rounds",
                .array(
                    rounds.map {
                        .object([
                            ("burst_files_per_second", .number($0.burstFilesPerSecond)),
                            ("floor_files_per_second", .number($0.floorFilesPerSecond)),
                            ("ratio", .number($0.ratio)), ("checks_passed", .bool($0.checksPassed)),
                            ("daemon_cpu_us_per_file", .from($0.daemonMicrosecondsPerFile)),
                            ("floor_cpu_us_per_file", .from($0.floorMicrosecondsPerFile)),
                        ])
                    })
            ),
            ("trickle", trickle.map(Self.json) ?? .null),
            ("startup", startup.map(Self.json) ?? .null),
            (
                "cpu",
                cpu.map {
                    .object([
                        ("wall_seconds", .number($0.wallSeconds)), ("other_core_seconds", .number($0.otherSeconds)),
                        ("own_core_seconds", .number($0.ownSeconds)),
                    ])
                } ?? .null
            ),
            (
                "targets",
                .array(
                    targets.map {
                        .object([
                            ("name", .string($0.name)), ("goal", .string($0.goal)), ("value", .from($0.value)),
                            ("measured", .string($0.measured)), ("verdict", .string($0.verdict.rawValue)),
                            ("note", .from($0.note)),
                        ])
                    })
            ),
        ])
    }

    private static func json(_ outcome: SessionOutcome) -> JSONValue {
        let latency = outcome.latencies
        return .object([
            ("files", .integer(outcome.files)), ("bytes", .integer(outcome.bytes)),
            ("files_per_second", .from(outcome.filesPerSecond)),
            ("megabytes_per_second", .from(outcome.megabytesPerSecond)),
            ("span_seconds", .from(outcome.spanSeconds)), ("drop_seconds", .number(outcome.dropSeconds)),
            (
                "latency_ms",
                .object([
                    ("p50", .from(latency?.p50)), ("p90", .from(latency?.p90)), ("p99", .from(latency?.p99)),
                    ("max", .from(latency?.max)), ("count", .from(latency?.count)),
                ])
            ),
            ("peak_rss_kib", .from(outcome.peakRSSKilobytes)),
            ("max_sampled_rss_kib", .integer(outcome.sampledRSS.kilobytes)),
            ("rss_samples", .integer(outcome.sampledRSS.samples)),
            ("startup_seconds", .number(outcome.startupSeconds)),
            ("found_by_listing", .integer(outcome.arrivals.foundByListing)),
            ("inotify_overflows", .integer(outcome.arrivals.overflows)),
            ("complete", .bool(outcome.complete)), ("checks_passed", .bool(outcome.checks.passed)),
            ("check_problems", .array(outcome.checks.problems.map(JSONValue.string))),
            ("exit", .string(outcome.checks.exit.description)),
            ("processed", .integer(outcome.checks.processed)), ("failed", .integer(outcome.checks.failed)),
            ("store_lines", .integer(outcome.checks.storeLines)), ("log_lines", .integer(outcome.log.lines)),
            ("log_problems", .integer(outcome.log.problems)),
            ("daemon_cpu", json(outcome.daemonCPU, files: outcome.files)),
            ("drop_cpu", json(outcome.dropCPU, files: outcome.files)),
        ])
    }

    private static func json(_ cpu: CPUTime?, files: Int) -> JSONValue {
        guard let cpu else { return .null }
        return .object([
            ("user_seconds", .number(cpu.user)), ("system_seconds", .number(cpu.system)),
            ("us_per_file", .from(cpu.microseconds(perFile: files))),
        ])
    }

    private static func json(_ result: StartupResult) -> JSONValue {
        .object([
            ("records", .integer(result.records)), ("build_seconds", .number(result.buildSeconds)),
            ("first_start_seconds", .number(result.firstStart)),
            ("restart_median_seconds", .number(result.restartMedian)),
            ("runs_seconds", .array(result.runs.map(JSONValue.number))),
            ("reported_records", .from(result.reportedRecords)),
            ("peak_rss_kib", .array(result.peakRSSKilobytes.map(JSONValue.integer))),
            ("ready_rss_kib", .array(result.readyRSSKilobytes.map(JSONValue.integer))),
            ("checks_passed", .bool(result.passedChecks)),
            ("exits", .array(result.exits.map { .string($0.description) })),
        ])
    }
}
