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
    /// CPU per input, in microseconds: ingestd's in the burst and the floor's.
    var daemonMicrosecondsPerFile: Double? = nil
    var floorMicrosecondsPerFile: Double? = nil

    var ratio: Double { burstFilesPerSecond / floorFilesPerSecond }
}

extension [BurstRound] {
    /// The middle ratio (the mean of the two middle ones for an even count).
    var medianRatio: Double? { map(\.ratio).median }
}

extension [Double] {
    /// The middle value (the mean of the two middle ones for an even count); nil when empty.
    var median: Double? {
        let sorted = sorted()
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
