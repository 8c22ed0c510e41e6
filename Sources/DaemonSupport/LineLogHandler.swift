public import Logging
import Synchronization

#if canImport(Glibc)
    public import Glibc
#endif

/// The log level shared by every handler, changeable while running (configuration reload).
public final class LogLevelSwitch: Sendable {
    private let raw: Atomic<Int>
    private static let order: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]

    public init(_ level: Logger.Level) { raw = Atomic(Self.order.firstIndex(of: level) ?? 2) }

    public var level: Logger.Level {
        get { Self.order[raw.load(ordering: .relaxed)] }
        set { raw.store(Self.order.firstIndex(of: newValue) ?? 2, ordering: .relaxed) }
    }
}

/// A swift-log handler writing one readable line per event to stderr, with metadata as
/// `key=value` pairs (values quoted and escaped when needed), so that both people and log
/// shippers can read it: `2026-11-22T10:51:40.123Z info file processed file="a.txt" records=3`.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    private let levels: LogLevelSwitch
    private static let writeLock = Mutex(())

    public init(levels: LogLevelSwitch) {
        self.levels = levels
    }

    public var logLevel: Logger.Level {
        get { levels.level }
        set { levels.level = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        Self.write(Self.line(level: event.level, message: event.message.description, metadata: merged))
    }

    /// `TIME LEVEL MESSAGE key=value …` with a trailing newline.
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = Timestamp.nowISO8601() + " " + level.rawValue + " " + message
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " " + key + "=" + quote(value.description)
        }
        return line + "\n"
    }

    static func write(_ line: String) {
        Self.writeLock.withLock { _ in
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return }
                    offset += n
                }
            }
        }
    }

    /// Quotes a value when it is empty or holds spaces, quotes, `=` or control characters.
    static func quote(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains {
                $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F
            }
        guard needsQuotes else { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count == 1 ? "0" : "") + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Wall-clock helpers.
public enum Timestamp {
    /// Now, as `2026-11-22T10:51:40.123Z`.
    public static func nowISO8601() -> String { iso8601(now()) }

    /// Seconds and nanoseconds since the epoch.
    public static func now() -> timespec {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return ts
    }

    /// A monotonic reading in nanoseconds, for durations.
    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// `2026-11-22T10:51:40.123Z`.
    public static func iso8601(_ ts: timespec) -> String {
        var seconds = ts.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "."
            + pad(Int32(ts.tv_nsec / 1_000_000), 3) + "Z"
    }
}
