/// Percentiles (nearest rank) of a set of durations, in milliseconds.
struct LatencySummary {
    let count: Int
    let p50: Double
    let p90: Double
    let p99: Double
    let max: Double

    /// Nil when there are no samples.
    init?(nanoseconds samples: [UInt64]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func rank(_ percentile: Double) -> Double {
            let index = Int((percentile / 100 * Double(sorted.count)).rounded(.up)) - 1
            return Double(sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]) / 1e6
        }
        count = sorted.count
        p50 = rank(50)
        p90 = rank(90)
        p99 = rank(99)
        max = Double(sorted[sorted.count - 1]) / 1e6
    }
}
