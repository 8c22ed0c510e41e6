import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What ingestd wrote to stderr, read continuously so the pipe never fills: line counts, when the
/// ready line arrived, and the last lines for diagnostics.
final class DaemonLog: Sendable {
    /// The start-up line the daemon logs once it watches the inbox.
    static let readyMarker = "ready: watching the inbox"

    /// A consistent copy of what has been read so far.
    struct Snapshot {
        var lines = 0
        /// Lines logged at warning, error or critical level.
        var problems = 0
        var readyAt: UInt64?
        var readyLine: String?
        var lastProblems: [String] = []
        var tail: [String] = []
    }

    private let state = Mutex(Snapshot())
    private static let kept = 8

    var snapshot: Snapshot { state.withLock { $0 } }

    /// Reads `fd` to its end (the daemon exiting), then closes it. Runs on a background thread.
    func consume(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var partial: [UInt8] = []
        var readyFound = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            let now = MonotonicClock.now()
            var batch = Batch()
            var start = 0
            for index in 0..<n where buffer[index] == 0x0A {
                partial += buffer[start..<index]
                batch.add(partial, at: now, lookForReady: !readyFound)
                readyFound = readyFound || batch.readyAt != nil
                partial.removeAll(keepingCapacity: true)
                start = index + 1
            }
            partial += buffer[start..<n]
            state.withLock { batch.apply(to: &$0) }
        }
        if !partial.isEmpty {
            var batch = Batch()
            batch.add(partial, at: MonotonicClock.now(), lookForReady: !readyFound)
            state.withLock { batch.apply(to: &$0) }
        }
        close(fd)
    }

    /// The lines of one read, gathered before taking the lock once.
    private struct Batch {
        var lines = 0
        var problems: [[UInt8]] = []
        var problemCount = 0
        var tail: [[UInt8]] = []
        var readyAt: UInt64?
        var readyLine: [UInt8]?

        mutating func add(_ line: [UInt8], at time: UInt64, lookForReady: Bool) {
            lines += 1
            tail.append(line)
            if tail.count > DaemonLog.kept { tail.removeFirst() }
            if Self.isProblem(line) {
                problemCount += 1
                problems.append(line)
                if problems.count > DaemonLog.kept { problems.removeFirst() }
            }
            if lookForReady && readyAt == nil && String(decoding: line, as: UTF8.self).contains(DaemonLog.readyMarker) {
                readyAt = time
                readyLine = line
            }
        }

        func apply(to snapshot: inout Snapshot) {
            snapshot.lines += lines
            snapshot.problems += problemCount
            if let readyAt, snapshot.readyAt == nil {
                snapshot.readyAt = readyAt
                snapshot.readyLine = readyLine.map { String(decoding: $0, as: UTF8.self) }
            }
            snapshot.lastProblems = Array((snapshot.lastProblems + problems.map(Self.text)).suffix(DaemonLog.kept))
            snapshot.tail = Array((snapshot.tail + tail.map(Self.text)).suffix(DaemonLog.kept))
        }

        /// The level is the second word of a line: `<timestamp> <level> <message> key=value…`.
        private static func isProblem(_ line: [UInt8]) -> Bool {
            let words = line.prefix(64).split(separator: 0x20, maxSplits: 2)
            guard words.count >= 2 else { return false }
            let level = String(decoding: words[1], as: UTF8.self)
            return level == "warning" || level == "error" || level == "critical"
        }

        private static func text(_ line: [UInt8]) -> String { String(decoding: line, as: UTF8.self) }
    }
}
