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
