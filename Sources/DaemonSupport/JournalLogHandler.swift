import CSystemd
public import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler that writes structured entries to the systemd journal with
/// `sd_journal_sendv`: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, and each metadata key as a field of its
/// own (`file` becomes `INGEST_FILE`; the key named `errnoKey` becomes the standard `ERRNO`), so
/// that `journalctl -u ingestd INGEST_OUTCOME=failed` works. If the journal refuses an entry, the
/// line goes to stderr instead.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    private let levels: LogLevelSwitch
    private let identifier: String
    private let fieldPrefix: String
    private let errnoKey: String

    public init(levels: LogLevelSwitch, identifier: String, fieldPrefix: String, errnoKey: String) {
        self.levels = levels
        self.identifier = identifier
        self.fieldPrefix = fieldPrefix
        self.errnoKey = errnoKey
    }

    public var logLevel: Logger.Level {
        get { levels.level }
        set { levels.level = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// True when stderr is connected to the journal: `$JOURNAL_STREAM` names stderr's device and inode.
    public static func stderrIsJournal() -> Bool {
        guard let raw = getenv("JOURNAL_STREAM") else { return false }
        let parts = String(cString: raw).split(separator: ":")
        var st = stat()
        guard parts.count == 2, fstat(STDERR_FILENO, &st) == 0 else { return false }
        return parts[0] == String(st.st_dev) && parts[1] == String(st.st_ino)
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = journalFields(level: event.level, message: event.message.description, metadata: merged)
        if !Self.send(fields) {
            LineLogHandler.write(
                LineLogHandler.lineBytes(level: event.level, message: event.message.description, metadata: merged))
        }
    }

    /// The journal fields of one entry, as `NAME=value` strings.
    public func journalFields(level: Logger.Level, message: String, metadata: Logger.Metadata) -> [String] {
        var fields = [
            "MESSAGE=" + message, "PRIORITY=\(Self.priority(level))", "SYSLOG_IDENTIFIER=" + identifier,
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let name = key == errnoKey ? "ERRNO" : fieldPrefix + Self.fieldName(key)
            fields.append(name + "=" + value.description)
        }
        return fields
    }

    /// syslog priority: 7 debug … 2 critical.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Journal field names are upper-case letters, digits and underscores, not starting with `_`.
    static func fieldName(_ key: String) -> String {
        let mapped = key.uppercased().unicodeScalars.map { scalar -> Character in
            ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "_"
        }
        return String(mapped)
    }

    /// Sends one entry; false if the journal did not take it.
    static func send(_ fields: [String]) -> Bool {
        let buffers = fields.map { Array($0.utf8) }
        var vectors: [iovec] = []
        vectors.reserveCapacity(buffers.count)
        return buffers.withUnsafeBufferPointers { pointers in
            for pointer in pointers {
                vectors.append(
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: pointer.baseAddress), iov_len: pointer.count))
            }
            return sd_journal_sendv(vectors, Int32(vectors.count)) == 0
        }
    }
}

extension Array where Element == [UInt8] {
    /// Calls `body` with stable pointers to every element's bytes at once.
    fileprivate func withUnsafeBufferPointers<R>(_ body: ([UnsafeBufferPointer<UInt8>]) -> R) -> R {
        func recurse(_ index: Int, _ collected: [UnsafeBufferPointer<UInt8>]) -> R {
            if index == count { return body(collected) }
            return self[index].withUnsafeBufferPointer { recurse(index + 1, collected + [$0]) }
        }
        return recurse(0, [])
    }
}
