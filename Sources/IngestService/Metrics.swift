import Synchronization

/// Throughput over the last 1, 5 and 15 minutes (per-second buckets) and drop-to-durable latency
/// percentiles (the last 4,096 inputs). Fixed memory; safe from any thread.
final class Metrics: Sendable {
    private struct State {
        var files = [Int](repeating: 0, count: 900)
        var records = [Int](repeating: 0, count: 900)
        var bucketSecond: UInt64 = 0
        var latencies = [Double](repeating: 0, count: 4096)
        var latencyCount = 0
    }
    private let state = Mutex(State())

    /// Counts inputs and records committed at monotonic time `now` (nanoseconds).
    func recordCommit(files: Int, records: Int, latenciesMilliseconds: [Double], now: UInt64) {
        state.withLock { state in
            advance(&state, to: now / 1_000_000_000)
            let slot = Int(state.bucketSecond % 900)
            state.files[slot] += files
            state.records[slot] += records
            for latency in latenciesMilliseconds {
                state.latencies[state.latencyCount % state.latencies.count] = latency
                state.latencyCount += 1
            }
        }
    }

    struct Rates: Equatable {
        /// Inputs per second over the last 1, 5 and 15 minutes.
        var files: [Double]
        var records: [Double]
    }

    func rates(now: UInt64) -> Rates {
        state.withLock { state in
            advance(&state, to: now / 1_000_000_000)
            var files: [Double] = []
            var records: [Double] = []
            for window in [60, 300, 900] {
                var fileSum = 0
                var recordSum = 0
                for back in 0..<window {
                    let slot = Int((state.bucketSecond + 900 - UInt64(back)) % 900)
                    fileSum += state.files[slot]
                    recordSum += state.records[slot]
                }
                files.append(Double(fileSum) / Double(window))
                records.append(Double(recordSum) / Double(window))
            }
            return Rates(files: files, records: records)
        }
    }

    /// The latency at each quantile (0...1) over the recent samples, in milliseconds; nil if none yet.
    func latency(quantiles: [Double]) -> [Double]? {
        let samples = state.withLock { Array($0.latencies.prefix(min($0.latencyCount, $0.latencies.count))) }
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        return quantiles.map { quantile in
            let rank = Int((quantile * Double(sorted.count)).rounded(.up))  // nearest-rank method
            return sorted[min(sorted.count, max(rank, 1)) - 1]
        }
    }

    /// Zeroes the buckets for the seconds that passed since the last update.
    private func advance(_ state: inout State, to second: UInt64) {
        guard second > state.bucketSecond else { return }
        let gap = min(second - state.bucketSecond, 900)
        for step in 1...gap {
            let slot = Int((state.bucketSecond + step) % 900)
            state.files[slot] = 0
            state.records[slot] = 0
        }
        state.bucketSecond = second
    }
}
