import DaemonSupport
import Foundation
import Logging
import Testing

@Suite("log handlers")
struct LoggingTests {
    @Test("journal entries carry MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, INGEST_* fields and ERRNO")
    func journalFields() {
        let handler = JournalLogHandler(
            levels: LogLevelSwitch(.info), identifier: "ingestd", fieldPrefix: "INGEST_", errnoKey: "errno_code")
        let fields = handler.journalFields(
            level: .warning, message: "failed",
            metadata: [
                "file": "a\nb.txt", "outcome": "failed", "records": "0", "ms": "1.5", "errno_code": "28",
                "errno": "ENOSPC", "move-errno": "x",
            ])
        #expect(fields.prefix(3) == ["MESSAGE=failed", "PRIORITY=4", "SYSLOG_IDENTIFIER=ingestd"])
        #expect(fields.contains("INGEST_FILE=a\nb.txt"))  // journal fields may hold newlines: no escaping needed
        #expect(fields.contains("INGEST_OUTCOME=failed"))
        #expect(fields.contains("INGEST_RECORDS=0"))
        #expect(fields.contains("INGEST_MS=1.5"))
        #expect(fields.contains("ERRNO=28"))
        #expect(fields.contains("INGEST_ERRNO=ENOSPC"))
        #expect(fields.contains("INGEST_MOVE_ERRNO=x"))
    }

    @Test("stderr counts as the journal only when JOURNAL_STREAM names its device and inode")
    func journalStreamDetection() {
        var st = stat()
        #expect(fstat(STDERR_FILENO, &st) == 0)
        let previous = getenv("JOURNAL_STREAM").map { String(cString: $0) }
        defer {
            if let previous { setenv("JOURNAL_STREAM", previous, 1) } else { unsetenv("JOURNAL_STREAM") }
        }
        unsetenv("JOURNAL_STREAM")
        #expect(!JournalLogHandler.stderrIsJournal())
        setenv("JOURNAL_STREAM", "\(st.st_dev):\(st.st_ino)", 1)
        #expect(JournalLogHandler.stderrIsJournal())
        setenv("JOURNAL_STREAM", "\(st.st_dev):\(st.st_ino + 1)", 1)
        #expect(!JournalLogHandler.stderrIsJournal())
    }

    @Test("the level switch changes every handler's level at once")
    func levelSwitch() {
        let levels = LogLevelSwitch(.info)
        let line = LineLogHandler(levels: levels)
        let journal = JournalLogHandler(levels: levels, identifier: "x", fieldPrefix: "X_", errnoKey: "e")
        #expect(line.logLevel == .info && journal.logLevel == .info)
        levels.level = .debug
        #expect(line.logLevel == .debug && journal.logLevel == .debug)
    }

    @Test("systemd notifications are silent no-ops outside systemd")
    func notifierOutsideSystemd() {
        let previous = getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        unsetenv("NOTIFY_SOCKET")
        defer { if let previous { setenv("NOTIFY_SOCKET", previous, 1) } }
        let notifier = SystemdNotifier()
        #expect(!notifier.isActive)
        #expect(!notifier.send("READY=1"))
        #expect(SystemdNotifier.watchdogInterval() == nil)
    }
}

@Suite("logfmt lines")
struct LogLineTests {
    @Test("a line is time, level, message, then the metadata sorted by key, values quoted when needed")
    func lineLayout() throws {
        let line = LineLogHandler.line(
            level: .info, message: "ingested",
            metadata: ["records": "3", "file": "a b.txt", "ms": "1.25", "outcome": "processed", "empty": ""])
        let parts = line.split(separator: " ", maxSplits: 2)
        try #require(parts.count == 3)
        #expect(parts[0].count == 24 && parts[0].hasSuffix("Z") && parts[0].dropFirst(10).first == "T")
        #expect(parts[1] == "info")
        #expect(parts[2] == #"ingested empty="" file="a b.txt" ms=1.25 outcome=processed records=3"# + "\n")
    }

    @Test("names with quotes, backslashes, newlines and control bytes are escaped; UTF-8 is kept")
    func escaping() {
        #expect(LineLogHandler.quote("plain-name.txt") == "plain-name.txt")
        #expect(LineLogHandler.quote("grüße.txt") == "grüße.txt")
        #expect(LineLogHandler.quote("a=b") == #""a=b""#)
        #expect(LineLogHandler.quote("say \"hi\"") == #""say \"hi\"""#)
        #expect(LineLogHandler.quote("back\\slash") == #""back\\slash""#)
        #expect(LineLogHandler.quote("two\nlines\tand\r") == #""two\nlines\tand\r""#)
        #expect(LineLogHandler.quote("bell\u{07}del\u{7F}") == #""bell\x07del\x7f""#)
        #expect(LineLogHandler.quote("é \u{01}") == "\"é \\x01\"")
    }

    @Test("timestamps are ISO 8601 UTC with milliseconds")
    func timestamps() {
        #expect(Timestamp.iso8601(timespec(tv_sec: 0, tv_nsec: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.iso8601(timespec(tv_sec: 1_795_000_000, tv_nsec: 987_654_321)) == "2026-11-18T11:06:40.987Z")
        #expect(Timestamp.iso8601(timespec(tv_sec: 951_782_400, tv_nsec: 5_000_000)) == "2000-02-29T00:00:00.005Z")
    }
}

@Suite("malloc arenas")
struct MallocArenaTests {
    @Test("the arena cap is set through mallopt, unless MALLOC_ARENA_MAX is set")
    func arenaCap() {
        let previous = getenv("MALLOC_ARENA_MAX").map { String(cString: $0) }
        defer {
            if let previous { setenv("MALLOC_ARENA_MAX", previous, 1) } else { unsetenv("MALLOC_ARENA_MAX") }
        }
        setenv("MALLOC_ARENA_MAX", "4", 1)
        #expect(!MallocArenas.limit(to: 2))
        unsetenv("MALLOC_ARENA_MAX")
        #expect(MallocArenas.limit(to: 8))
    }

    @Test("the default cap gives each parallel worker, the intake and the commit queue an arena")
    func pipelineDefault() {
        let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        #expect(cores >= 1)
        #expect(MallocArenas.pipelineDefault == Int32(cores + 2))
    }
}

@Suite("line writer")
struct LineWriterTests {
    /// Everything readable from the pipe now, without blocking.
    private func drain(_ descriptor: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buffer[..<n]
        }
        return out
    }

    /// Runs `body` with a pipe (read end, write end); reads return at once when it is empty.
    private func withPipe(_ body: (Int32, Int32) throws -> Void) throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        #expect(fcntl(ends[0], F_SETFL, O_NONBLOCK) == 0)
        try body(ends[0], ends[1])
    }

    @Test("lines logged in a batch are written together at its end, in order; outside one at once")
    func batches() throws {
        try withPipe { readEnd, writeEnd in
            let writer = LineWriter(descriptor: writeEnd)
            writer.write(Array("alone\n".utf8))
            #expect(drain(readEnd) == Array("alone\n".utf8))
            writer.batched {
                writer.write(Array("one\n".utf8))
                writer.batched { writer.write(Array("two\n".utf8)) }
                #expect(drain(readEnd).isEmpty, "an inner batch's end does not flush the outer one")
                writer.write(Array("three\n".utf8))
                #expect(drain(readEnd).isEmpty)
            }
            #expect(drain(readEnd) == Array("one\ntwo\nthree\n".utf8))
        }
    }

    @Test("a batch larger than the flush size is written as it grows, nothing lost")
    func largeBatch() throws {
        try withPipe { readEnd, writeEnd in
            // Room for a whole flush plus the rest (F_SETPIPE_SZ; the default pipe holds 64 KiB).
            #expect(fcntl(writeEnd, 1031, Int32(1 << 20)) >= 1 << 20)
            let writer = LineWriter(descriptor: writeEnd)
            let line = Array(String(repeating: "x", count: 99).utf8) + [0x0A]
            var received: [UInt8] = []
            writer.batched {
                for _ in 0..<(LineWriter.flushBytes / line.count + 10) { writer.write(line) }
                received = drain(readEnd)
                #expect(received.count >= LineWriter.flushBytes)
            }
            received += drain(readEnd)
            #expect(received.count == (LineWriter.flushBytes / line.count + 10) * line.count)
            #expect(received.allSatisfy { $0 == UInt8(ascii: "x") || $0 == 0x0A })
        }
    }
}
