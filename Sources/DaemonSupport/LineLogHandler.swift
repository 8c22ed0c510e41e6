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
        let merged: Logger.Metadata
        if metadata.isEmpty {
            merged = event.metadata ?? [:]
        } else {
            merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        }
        Self.write(Self.lineBytes(level: event.level, message: event.message.description, metadata: merged))
    }

    /// `TIME LEVEL MESSAGE key=value …` with a trailing newline.
    public static func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        String(decoding: lineBytes(level: level, message: message, metadata: metadata), as: UTF8.self)
    }

    /// The line as UTF-8: `TIME LEVEL message key=value ...` (keys sorted), built byte by byte
    /// because ingestd logs one line per file.
    public static func lineBytes(level: Logger.Level, message: String, metadata: Logger.Metadata) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + message.utf8.count)
        Timestamp.appendISO8601(Timestamp.now(), to: &out)
        out.append(0x20)
        out.append(contentsOf: level.rawValue.utf8)
        out.append(0x20)
        out.append(contentsOf: message.utf8)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            out.append(0x20)
            out.append(contentsOf: key.utf8)
            out.append(UInt8(ascii: "="))
            appendQuoted(value.description, to: &out)
        }
        out.append(0x0A)
        return out
    }

    static func write(_ bytes: [UInt8]) { LineWriter.standardError.write(bytes) }

    /// A logfmt value: bare if it holds no space, quote, `=`, backslash or control character;
    /// otherwise quoted, with `\"`, `\\`, `\n`, `\t`, `\r` and `\xHH` escapes.
    public static func quote(_ value: String) -> String {
        var out: [UInt8] = []
        appendQuoted(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        var value = value
        let needsQuotes = value.withUTF8 { utf8 in
            guard !utf8.isEmpty else { return true }
            for byte in utf8 where Self.isSpecial(byte) { return true }
            out.append(contentsOf: utf8)
            return false
        }
        guard needsQuotes else { return }
        let utf8 = value.utf8
        out.append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0..<0x20, 0x7F:
                let digits = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "x"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)],
                ])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\\")
            || byte < 0x20 || byte == 0x7F
    }
}

/// Writes whole lines to a descriptor, one line per write, or, inside `batched`, all the lines of
/// the batch in one write at its end: ingestd logs one line per file, and a commit of 256 files
/// then costs one system call instead of 256. Lines that other threads log meanwhile join the
/// batch in order, so they wait at most as long as the batch (the logging of one commit).
public final class LineWriter: Sendable {
    /// Standard error, which every `LineLogHandler` writes to.
    public static let standardError = LineWriter(descriptor: STDERR_FILENO)

    private struct State {
        var depth = 0
        var pending: [UInt8] = []
    }

    private let descriptor: Int32
    private let state = Mutex(State())
    /// A batch that grows past this is written at once.
    public static let flushBytes = 64 * 1024

    public init(descriptor: Int32) { self.descriptor = descriptor }

    /// Writes `bytes` now, or at the end of the batch in progress.
    public func write(_ bytes: [UInt8]) {
        state.withLock { state in
            if state.depth == 0 {
                writeAll(bytes)
                return
            }
            state.pending += bytes
            if state.pending.count >= Self.flushBytes {
                writeAll(state.pending)
                state.pending.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Runs `body`, writing the lines logged meanwhile together at its end. Batches nest.
    public func batched<T>(_ body: () throws -> T) rethrows -> T {
        state.withLock { $0.depth += 1 }
        defer {
            state.withLock { state in
                state.depth -= 1
                if state.depth == 0 && !state.pending.isEmpty {
                    writeAll(state.pending)
                    state.pending.removeAll(keepingCapacity: true)
                }
            }
        }
        return try body()
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

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
        var out: [UInt8] = []
        appendISO8601(ts, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `iso8601(ts)` as UTF-8.
    public static func appendISO8601(_ ts: timespec, to out: inout [UInt8]) {
        var seconds = ts.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) {
            var value = Int(value)
            if value < 0 {
                out.append(UInt8(ascii: "-"))
                value = -value
            }
            // Most significant digit first, without a temporary array (one line per file).
            var divisor = 1
            var count = 1
            while divisor <= value / 10 {
                divisor *= 10
                count += 1
            }
            for _ in count..<max(width, count) { out.append(UInt8(ascii: "0")) }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4)
        out.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2)
        out.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2)
        out.append(UInt8(ascii: "T"))
        digits(parts.tm_hour, 2)
        out.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2)
        out.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2)
        out.append(UInt8(ascii: "."))
        digits(Int32(ts.tv_nsec / 1_000_000), 3)
        out.append(UInt8(ascii: "Z"))
    }
}
