/// The burst: every input dropped into the inbox as fast as renames go.
enum BurstDrop {
    static func run(_ session: DaemonSession) throws -> SessionOutcome {
        try session.run { dropper, names in try names.map(dropper.drop) }
    }
}

/// The trickle: inputs dropped at a steady rate, each renamed at its scheduled time.
enum TrickleDrop {
    static func run(_ session: DaemonSession, filesPerSecond rate: Double) throws -> SessionOutcome {
        try session.run { dropper, names in
            let interval = 1e9 / rate
            let start = MonotonicClock.now() + 10_000_000
            var times: [UInt64] = []
            times.reserveCapacity(names.count)
            for (index, name) in names.enumerated() {
                MonotonicClock.sleep(until: start + UInt64(Double(index) * interval))
                times.append(try dropper.drop(name))
            }
            return times
        }
    }
}
