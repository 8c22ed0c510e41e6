import DaemonSupport
import InboxWatcher
import IngestModel

#if canImport(Glibc)
    import Glibc
#endif

/// The version of ingestd, reported by `--version` and status.
public enum IngestVersion {
    public static let current = "0.1.0"
}

/// Finds and loads the configuration file.
public enum ConfigLocator {
    public static let systemPath = "/etc/ingestd/ingestd.yaml"

    /// `explicit`, else `$INGESTD_CONFIG`, else the system path if it exists, else the defaults.
    public static func load(explicit: String?) throws(ConfigError) -> IngestConfig {
        if let explicit { return try IngestConfig.load(path: explicit) }
        if let env = getenv("INGESTD_CONFIG"), !String(cString: env).isEmpty {
            return try IngestConfig.load(path: String(cString: env))
        }
        if access(systemPath, F_OK) == 0 { return try IngestConfig.load(path: systemPath) }
        return IngestConfig()
    }
}

/// Unbuffered writes to the standard streams.
public enum FileHandleWriter {
    public static func stderr(_ text: String) { write(fd: STDERR_FILENO, Array(text.utf8)) }
    public static func stdout(_ bytes: [UInt8]) { write(fd: STDOUT_FILENO, bytes) }

    static func write(fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// `ingestd parse FILE...`: what each file will become, without a store.
public enum ParseCommand {
    /// Prints records to stdout and problems to stderr; returns how many files gave no records.
    public static func run(files: [String], builder: RecordBuilder = RecordBuilder()) -> Int {
        var failures = 0
        for path in files {
            let name = FileName(Array((path.split(separator: "/").last.map(String.init) ?? path).utf8))
            guard let bytes = readFile(path) else {
                FileHandleWriter.stderr("ingestd parse: \(path): \(String(cString: strerror(errno)))\n")
                failures += 1
                continue
            }
            switch builder.build(bytes: bytes, fileName: name.escaped, receivedAt: Timestamp.iso8601(Timestamp.now())) {
            case .failure(let error):
                FileHandleWriter.stderr("ingestd parse: \(path): \(error.reason): \(error.message)\n")
                failures += 1
            case .success(let output):
                var lines: [UInt8] = []
                for record in output.records { record.appendJSONLine(to: &lines) }
                FileHandleWriter.stdout(lines)
            }
        }
        return failures
    }

    /// The whole file at `path` (the configuration and `ingestd parse` read files this way).
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
        }
    }
}
