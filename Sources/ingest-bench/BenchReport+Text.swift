/// The human-readable report: one section per benchmark, then the targets.
extension BenchReport {
    var text: String {
        var lines: [String] = []
        lines.append("ingest-bench: ingestd throughput, latency, memory and start-up")
        lines.append(
            row(
                "machine",
                "\(machine.cpus) CPUs (\(machine.cpuModel)), \(machine.kernel), work dir on \(machine.fileSystem)"
                    + " (\(workDirectory))"))
        lines.append(row("load average", machine.loadAverage + " (1, 5, 15 min) at the start"))
        lines.append(row("daemon", settings.daemon))
        if let burst {
            lines.append("")
            lines.append(
                "Burst: \(Format.grouped(burst.files)) files of ~\(Format.grouped(settings.size)) B"
                    + " renamed into the inbox at once")
            lines += session(burst)
        }
        lines.append("")
        if let floor {
            lines.append("Floor: floor.c (bare syscalls, no parsing) on a copy of the same files, batch \(floor.batch)")
            lines.append(row("throughput", rate(floor.filesPerSecond, floor.megabytesPerSecond)))
            if let cpu = floor.cpu { lines.append(row("CPU", cpuText(cpu, files: floor.files) + " (the whole run)")) }
            lines.append(row("its output", floor.summary))
        } else {
            lines.append("Floor: skipped (\(floorNote ?? "not run"))")
        }
        if rounds.count > 1 {
            lines.append("")
            lines.append("Rounds: \(rounds.count) bursts, each followed by the floor (the sections above are round 1)")
            for (index, round) in rounds.enumerated() {
                lines.append(
                    row(
                        "round \(index + 1)",
                        Format.fixed(round.ratio, 2) + "x (" + Format.fixed(round.burstFilesPerSecond, 0) + " vs "
                            + Format.fixed(round.floorFilesPerSecond, 0) + " files/s"
                            + cpuPerFileText(round.daemonMicrosecondsPerFile, round.floorMicrosecondsPerFile) + ")"
                            + (round.checksPassed ? "" : "; the burst failed its checks")))
            }
            if let daemon = rounds.compactMap(\.daemonMicrosecondsPerFile).median,
                let floor = rounds.compactMap(\.floorMicrosecondsPerFile).median
            {
                lines.append(
                    row(
                        "CPU per file",
                        "median ingestd " + Format.fixed(daemon, 0) + " µs, floor " + Format.fixed(floor, 0) + " µs ("
                            + Format.fixed(daemon / floor, 1) + "x the floor's work; files/s vary with the machine's "
                            + "speed at the time, CPU per file much less)"))
            }
        }
        if let trickle {
            lines.append("")
            lines.append(
                "Trickle: \(Format.grouped(trickle.files)) files dropped at "
                    + Format.fixed(settings.trickleRate, 1) + " files/s, evenly spaced")
            lines += session(trickle)
        }
        if let startup {
            lines.append("")
            lines.append("Start-up: ingestd on a store of \(Format.grouped(startup.records)) records, empty inbox")
            lines += self.startup(startup)
        }
        if let cpu {
            lines.append("")
            lines.append(
                row(
                    "other CPU",
                    Format.fixed(cpu.otherSeconds, 1) + " core-s used outside the bench and its children in "
                        + Format.fixed(cpu.wallSeconds, 1)
                        + " s (includes kernel writeback; much more means a busy machine)"))
        }
        lines.append("")
        lines.append("Targets")
        for target in targets {
            var line =
                "  " + Format.padded(target.verdict.rawValue, 6) + Format.padded(target.goal, 44) + target.measured
            if let note = target.note { line += "  (" + note + ")" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func session(_ outcome: SessionOutcome) -> [String] {
        var lines: [String] = []
        let span = outcome.spanSeconds.map { Format.fixed($0, 3) + " s" } ?? "n/a"
        lines.append(
            row(
                "throughput",
                (outcome.filesPerSecond.map { rate($0, outcome.megabytesPerSecond) } ?? "n/a")
                    + "  (first drop to last durable \(span); drops took \(Format.fixed(outcome.dropSeconds, 3)) s;"
                    + " \(Format.fixed(Double(outcome.bytes) / 1e6, 1)) MB in)"))
        if let cpu = outcome.daemonCPU {
            var text = "ingestd " + cpuText(cpu, files: outcome.files) + " from its ready line to the last durable"
            if let drops = outcome.dropCPU { text += "; the bench's drops " + Format.fixed(drops.total, 2) + " core-s" }
            lines.append(row("CPU", text))
        }
        if let latency = outcome.latencies {
            lines.append(
                row(
                    "latency",
                    "p50 \(Format.milliseconds(latency.p50))  p90 \(Format.milliseconds(latency.p90))  "
                        + "p99 \(Format.milliseconds(latency.p99))  max \(Format.milliseconds(latency.max))"
                        + "  (drop to durable, \(Format.grouped(latency.count)) files)"))
        }
        if outcome.arrivals.foundByListing > 0 || outcome.arrivals.overflows > 0 {
            lines.append(
                row(
                    "watch",
                    "\(outcome.arrivals.foundByListing) durable times from listing processed/ (upper bounds); "
                        + "\(outcome.arrivals.overflows) inotify overflows"))
        }
        lines.append(
            row(
                "daemon memory",
                "peak RSS " + (outcome.peakRSSKilobytes.map(Format.mebibytes) ?? "n/a") + " (VmHWM before SIGTERM); "
                    + "max VmRSS sample " + Format.mebibytes(outcome.sampledRSS.kilobytes)
                    + " (\(outcome.sampledRSS.samples) samples, 50 ms apart)"))
        lines.append(row("daemon start", Format.fixed(outcome.startupSeconds, 3) + " s from spawn to the ready line"))
        let log =
            "\(Format.grouped(outcome.log.lines)) log lines, \(outcome.log.problems) at warning or above"
        if outcome.checks.passed && outcome.complete {
            lines.append(
                row(
                    "checks",
                    "OK: exit 0; \(Format.grouped(outcome.checks.processed)) in processed/; 0 in failed/; store "
                        + "\(Format.grouped(outcome.checks.storeLines)) lines; \(log)"))
        } else {
            var problems = outcome.checks.problems
            if !outcome.complete { problems.insert("not every file became durable (stalled)", at: 0) }
            lines.append(row("checks", "FAILED: " + problems.joined(separator: "; ") + "; \(log)"))
        }
        for line in outcome.log.lastProblems { lines.append(row("daemon said", line)) }
        return lines
    }

    private func startup(_ result: StartupResult) -> [String] {
        let restarts = result.restarts.map { Format.fixed($0, 3) }.joined(separator: ", ")
        var lines = [
            row(
                "store built",
                "\(Format.grouped(result.records)) records through RecordStore.append in "
                    + Format.fixed(result.buildSeconds, 1) + " s"),
            row(
                "first start",
                Format.fixed(result.firstStart, 3) + " s spawn to ready; peak RSS "
                    + Format.mebibytes(result.peakRSSKilobytes[0]) + " (the daemon meets a store it did not write)"),
            row(
                "restarts",
                "median " + Format.fixed(result.restartMedian, 3) + " s spawn to ready (runs: " + restarts + " s)"),
            row(
                "daemon memory",
                "at the ready line of a restart: peak RSS "
                    + Format.mebibytes(result.peakRSSKilobytes.dropFirst().max() ?? 0) + " (VmHWM), resident "
                    + Format.mebibytes(result.readyRSSKilobytes.dropFirst().max() ?? 0) + " (VmRSS)"),
        ]
        let reported = result.reportedRecords.map { Format.grouped($0) } ?? "nothing"
        let exits = result.exits.map(\.description).joined(separator: ", ")
        lines.append(
            row(
                "checks",
                (result.passedChecks ? "OK: " : "FAILED: ") + "ready line reported records=\(reported); "
                    + "after SIGTERM at the ready line: \(exits)"))
        return lines
    }

    private func row(_ label: String, _ value: String) -> String { "  " + Format.padded(label, 16) + value }

    private func rate(_ files: Double, _ megabytes: Double?) -> String {
        Format.fixed(files, 0) + " files/s" + (megabytes.map { "  " + Format.fixed($0, 1) + " MB/s" } ?? "")
    }

    /// "1.04 core-s = 104 µs/file (user 0.80 s, sys 0.24 s)".
    private func cpuText(_ cpu: CPUTime, files: Int) -> String {
        Format.fixed(cpu.total, 2) + " core-s"
            + (cpu.microseconds(perFile: files).map { " = " + Format.fixed($0, 0) + " µs/file" } ?? "")
            + " (user " + Format.fixed(cpu.user, 2) + " s, sys " + Format.fixed(cpu.system, 2) + " s)"
    }

    private func cpuPerFileText(_ daemon: Double?, _ floor: Double?) -> String {
        guard let daemon, let floor else { return "" }
        return "; CPU " + Format.fixed(daemon, 0) + " vs " + Format.fixed(floor, 0) + " µs/file"
    }
}
