/// A performance target and how this run measured against it.
struct Target {
    enum Verdict: String {
        case pass = "PASS"
        case miss = "MISS"
        case notMeasured = "n/a"
    }

    var name: String
    /// The goal, in words.
    var goal: String
    var value: Double?
    /// The measurement, in words.
    var measured: String
    var verdict: Verdict
    /// A caveat, e.g. measured at another scale than the goal names.
    var note: String?

    /// The four targets of ingestd, judged on `report`.
    static func all(for report: BenchReport) -> [Target] {
        [burstVersusFloor(report), trickleLatency(report), burstMemory(report), startup(report)]
    }

    private static func burstVersusFloor(_ report: BenchReport) -> Target {
        var target = Target(
            name: "burst_vs_floor", goal: "burst >= 0.5x floor", measured: "not measured", verdict: .notMeasured)
        guard let burst = report.burst, let rate = burst.filesPerSecond else { return target }
        guard let floor = report.floor else {
            target.note = report.floorNote
            return target
        }
        let rounds = report.rounds
        if rounds.count > 1, let median = rounds.medianRatio {
            let ratios = rounds.map(\.ratio)
            let allPassed = rounds.allSatisfy(\.checksPassed)
            target.value = median
            target.measured =
                "median " + Format.fixed(median, 2) + "x of \(rounds.count) rounds (" + Format.fixed(ratios.min()!, 2)
                + "x to " + Format.fixed(ratios.max()!, 2) + "x)"
            target.verdict = median >= 0.5 && allPassed ? .pass : .miss
            if !allPassed { target.note = "a burst failed its checks" }
            return target
        }
        let ratio = rate / floor.filesPerSecond
        target.value = ratio
        target.measured =
            Format.fixed(ratio, 2) + "x (" + Format.fixed(rate, 0) + " vs " + Format.fixed(floor.filesPerSecond, 0)
            + " files/s)"
        target.verdict = ratio >= 0.5 && burst.checks.passed ? .pass : .miss
        if !burst.checks.passed { target.note = "the burst failed its checks" }
        return target
    }

    private static func trickleLatency(_ report: BenchReport) -> Target {
        var target = Target(
            name: "trickle_p99", goal: "trickle p99 < 10 ms at 100 files/s", measured: "not measured",
            verdict: .notMeasured)
        guard let trickle = report.trickle, let latency = trickle.latencies else {
            target.note = "skipped: --trickle-files 0"
            return target
        }
        target.value = latency.p99
        target.measured = "p99 " + Format.milliseconds(latency.p99)
        target.verdict = latency.p99 < 10 && trickle.checks.passed ? .pass : .miss
        if report.settings.trickleRate != 100 {
            target.note = "measured at " + Format.fixed(report.settings.trickleRate, 1) + " files/s"
        }
        if !trickle.checks.passed { target.note = "the trickle failed its checks" }
        return target
    }

    private static func burstMemory(_ report: BenchReport) -> Target {
        var target = Target(
            name: "burst_peak_rss", goal: "peak RSS < 64 MiB in a 100,000-file burst", measured: "not measured",
            verdict: .notMeasured)
        guard let burst = report.burst, let peak = burst.peakRSSKilobytes else { return target }
        target.value = Double(peak) / 1024
        target.measured = "VmHWM " + Format.mebibytes(peak)
        target.verdict = peak < 64 * 1024 ? .pass : .miss
        if burst.files != 100_000 {
            target.note = "measured on a \(Format.grouped(burst.files))-file burst; run --files 100000 for the target"
        }
        return target
    }

    private static func startup(_ report: BenchReport) -> Target {
        var target = Target(
            name: "startup", goal: "start-up < 1 s with 1,000,000 records", measured: "not measured",
            verdict: .notMeasured)
        guard let startup = report.startup else {
            target.note = "pass --startup-records 1000000 to measure it"
            return target
        }
        target.value = startup.restartMedian
        target.measured = "restart median " + Format.fixed(startup.restartMedian, 3) + " s"
        target.verdict = startup.restartMedian < 1 && startup.sawAllRecords ? .pass : .miss
        var notes = ["first start " + Format.fixed(startup.firstStart, 3) + " s"]
        if startup.records != 1_000_000 { notes.append("measured with \(Format.grouped(startup.records)) records") }
        if !startup.sawAllRecords { notes.append("ingestd did not report every record") }
        if startup.badExits > 0 {
            notes.append("\(startup.badExits) of \(startup.runs.count) runs did not exit 0 on SIGTERM; see the checks")
        }
        target.note = notes.joined(separator: "; ")
        return target
    }
}
