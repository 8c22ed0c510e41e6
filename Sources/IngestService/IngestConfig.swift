import Yams

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's configuration: a YAML file (config/ingestd.yaml documents every key), then
/// command-line overrides. Unknown keys and values of the wrong type are errors, never ignored.
public struct IngestConfig: Sendable, Equatable {
    /// What happens to an input once its records are durable.
    public enum ProcessedAction: String, Sendable {
        case move, delete
    }

    /// What happens to an article whose body nearly matches one already stored.
    public enum NearDuplicateAction: String, Sendable {
        /// Stored, with `duplicate_of` naming the first such article.
        case keep
        /// Not stored (counted).
        case skip
    }

    public var inbox = "/srv/ingest/inbox"
    /// Holds `store/`, `processed/` and `failed/`.
    public var stateDirectory = "/var/lib/ingestd"
    public var socketPath = "/run/ingestd/control.sock"
    public var processedAction = ProcessedAction.move
    /// Inputs larger than this go to failed/.
    public var maxFileBytes = 64 << 20
    /// A full rescan of the inbox runs this often (seconds; 0 turns it off).
    public var reconcileIntervalSeconds = 60.0
    /// A file found by a scan whose writer cannot be ruled out must be unchanged this long.
    public var settleSeconds = 2.0
    /// Group commit: at most this many inputs share one sync…
    public var commitMaxFiles = 256
    /// …or this many bytes of records…
    public var commitMaxBytes = 16 << 20
    /// …and an input waits at most this long for companions when nothing else is pending.
    public var commitMaxDelayMilliseconds = 2.0
    public var segmentMaxBytes = 64 << 20
    /// Names waiting to be taken, at most; past it the inbox is rescanned once the queue drains.
    public var maxPending = 4096
    /// trace, debug, info, notice, warning, error or critical.
    public var logLevel = "info"
    /// Members of this group may use the control commands that change anything (besides root and
    /// the daemon's own user).
    public var controlAdminGroup: String?
    public var nearDuplicateAction = NearDuplicateAction.keep
    /// SimHash bits two bodies may differ in and still be near duplicates (0...3).
    public var nearDuplicateDistance = 3
    public var controlMaxConnections = 64
    public var controlMaxRequestBytes = 64 * 1024
    public var controlReadTimeoutSeconds = 5.0
    /// The file this configuration was read from, if any.
    public var sourcePath: String?

    public init() {}

    public var storeDirectory: String { stateDirectory + "/store" }
    public var processedDirectory: String { stateDirectory + "/processed" }
    public var failedDirectory: String { stateDirectory + "/failed" }

    /// Reads a configuration file; keys it does not set keep their defaults.
    public static func load(path: String) throws(ConfigError) -> IngestConfig {
        guard let text = ParseCommand.readFile(path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw ConfigError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        var config = try parse(text, origin: path)
        config.sourcePath = path
        return config
    }

    /// Parses YAML text (`origin` names it in error messages).
    public static func parse(_ text: String, origin: String = "config") throws(ConfigError) -> IngestConfig {
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch { throw ConfigError("\(origin): not valid YAML: \(error)") }
        var config = IngestConfig()
        guard let loaded else { return config }
        guard let root = loaded as? [String: Any] else {
            throw ConfigError("\(origin): the top level must be a mapping")
        }
        var reader = KeyReader(origin: origin)
        try reader.read(root, "", into: &config)
        return config
    }

    /// Makes relative paths absolute against the working directory, and checks values.
    public func validated() throws(ConfigError) -> IngestConfig {
        var config = self
        config.inbox = Self.absolute(inbox)
        config.stateDirectory = Self.absolute(stateDirectory)
        config.socketPath = Self.absolute(socketPath)
        for (name, value) in [
            ("max_file_bytes", maxFileBytes), ("commit.max_files", commitMaxFiles),
            ("commit.max_bytes", commitMaxBytes), ("store.segment_max_bytes", segmentMaxBytes),
            ("max_pending", maxPending),
            ("control.max_connections", controlMaxConnections), ("control.max_request_bytes", controlMaxRequestBytes),
        ] where value <= 0 {
            throw ConfigError("\(name) must be positive (got \(value))")
        }
        if controlReadTimeoutSeconds <= 0 { throw ConfigError("control.read_timeout must be positive") }
        if !(0...3).contains(nearDuplicateDistance) {
            // Four 16-bit blocks find every match within 3 bits, and only those reliably.
            throw ConfigError("duplicates.distance must be 0 to 3 (got \(nearDuplicateDistance))")
        }
        if reconcileIntervalSeconds < 0 || settleSeconds < 0 || commitMaxDelayMilliseconds < 0 {
            throw ConfigError("intervals must not be negative")
        }
        if LogLevelName.parse(logLevel) == nil {
            throw ConfigError("log.level must be one of \(LogLevelName.all.joined(separator: ", ")) (got \(logLevel))")
        }
        if config.inbox == config.stateDirectory || config.inbox.hasPrefix(config.stateDirectory + "/") {
            throw ConfigError("the inbox must not be inside the state directory")
        }
        return config
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return normalized(path) }
        let cwd =
            getcwd(nil, 0).map { pointer in
                defer { free(pointer) }
                return String(cString: pointer)
            } ?? "/"
        return normalized(cwd + "/" + path)
    }

    /// Removes `.` components, duplicate and trailing slashes (not `..`: symlinks make it unsafe).
    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }
}

/// A configuration that cannot be used, with a message for the operator.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// swift-log level names accepted in the configuration.
enum LogLevelName {
    static let all = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    static func parse(_ name: String) -> String? { all.contains(name.lowercased()) ? name.lowercased() : nil }
}

/// Walks the YAML mapping, assigning known keys and rejecting the rest.
private struct KeyReader {
    let origin: String

    mutating func read(_ map: [String: Any], _ prefix: String, into config: inout IngestConfig) throws(ConfigError) {
        for (key, value) in map.sorted(by: { $0.key < $1.key }) {
            let path = prefix + key
            switch path {
            case "inbox": config.inbox = try string(value, path)
            case "state_dir": config.stateDirectory = try string(value, path)
            case "socket": config.socketPath = try string(value, path)
            case "processed_action":
                let text = try string(value, path)
                guard let action = IngestConfig.ProcessedAction(rawValue: text) else {
                    throw ConfigError("\(origin): \(path) must be move or delete (got \(text))")
                }
                config.processedAction = action
            case "max_file_bytes": config.maxFileBytes = try int(value, path)
            case "reconcile_interval": config.reconcileIntervalSeconds = try number(value, path)
            case "settle_seconds": config.settleSeconds = try number(value, path)
            case "max_pending": config.maxPending = try int(value, path)
            case "commit.max_files": config.commitMaxFiles = try int(value, path)
            case "commit.max_bytes": config.commitMaxBytes = try int(value, path)
            case "commit.max_delay_ms": config.commitMaxDelayMilliseconds = try number(value, path)
            case "store.segment_max_bytes": config.segmentMaxBytes = try int(value, path)
            case "log.level": config.logLevel = try string(value, path)
            case "control.admin_group": config.controlAdminGroup = try string(value, path)
            case "duplicates.near":
                let text = try string(value, path)
                guard let action = IngestConfig.NearDuplicateAction(rawValue: text) else {
                    throw ConfigError("\(origin): \(path) must be keep or skip (got \(text))")
                }
                config.nearDuplicateAction = action
            case "duplicates.distance": config.nearDuplicateDistance = try int(value, path)
            case "control.max_connections": config.controlMaxConnections = try int(value, path)
            case "control.max_request_bytes": config.controlMaxRequestBytes = try int(value, path)
            case "control.read_timeout": config.controlReadTimeoutSeconds = try number(value, path)
            case "commit", "store", "log", "control", "duplicates":
                guard let nested = value as? [String: Any] else {
                    throw ConfigError("\(origin): \(path) must be a mapping")
                }
                try read(nested, path + ".", into: &config)
            default:
                throw ConfigError("\(origin): unknown key '\(path)'")
            }
        }
    }

    private func string(_ value: Any, _ path: String) throws(ConfigError) -> String {
        guard let text = value as? String, !text.isEmpty else {
            throw ConfigError("\(origin): \(path) must be a non-empty string")
        }
        return text
    }

    private func int(_ value: Any, _ path: String) throws(ConfigError) -> Int {
        if let number = value as? Int { return number }
        throw ConfigError("\(origin): \(path) must be a whole number (got \(value))")
    }

    private func number(_ value: Any, _ path: String) throws(ConfigError) -> Double {
        if let number = value as? Int { return Double(number) }
        if let number = value as? Double { return number }
        throw ConfigError("\(origin): \(path) must be a number (got \(value))")
    }
}
