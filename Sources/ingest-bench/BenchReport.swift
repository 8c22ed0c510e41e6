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
    var burst: SessionOutcome?
    var floor: FloorResult?
    /// Why the floor was skipped.
    var floorNote: String?
    var trickle: SessionOutcome?
    var startup: StartupResult?
    /// CPU used on the machine during the bench, by the bench and by everything else.
    var cpu: CPUAccounting.Usage?

    var targets: [Target] { Target.all(for: self) }
}
