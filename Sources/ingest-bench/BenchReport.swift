/// What the bench was asked to do.
struct BenchSettings {
    var files: Int
    var size: Int
    var trickleRate: Double
    var trickleFiles: Int
    var startupRecords: Int
    var seed: UInt64
    var daemon: String
}

/// Everything one bench run measured, rendered as text or JSON.
struct BenchReport {
    var settings: BenchSettings
    var machine: MachineInfo
    var workDirectory: String
    /// The first round's burst and floor, in full.
    var burst: SessionOutcome?
    var floor: FloorResult?
    /// Every round's burst and floor rates, in order (one round unless `--rounds`).
    var rounds: [BurstRound] = []
    /// Why the floor was skipped.
    var floorNote: String?
    var trickle: SessionOutcome?
    var startup: StartupResult?
    /// CPU used on the machine during the bench, by the bench and by everything else.
    var cpu: CPUAccounting.Usage?

    var targets: [Target] { Target.all(for: self) }
}

/// One burst and the floor run right after it, on the same files.
struct BurstRound {
    var burstFilesPerSecond: Double
    var floorFilesPerSecond: Double
    var checksPassed: Bool

    var ratio: Double { burstFilesPerSecond / floorFilesPerSecond }
}

extension [BurstRound] {
    /// The middle ratio (the mean of the two middle ones for an even count).
    var medianRatio: Double? {
        let ratios = map(\.ratio).sorted()
        guard !ratios.isEmpty else { return nil }
        let middle = ratios.count / 2
        return ratios.count % 2 == 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2
    }
}
