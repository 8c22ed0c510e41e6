#if canImport(Glibc)
    import Glibc
#endif

/// Progress notes on stderr, so that stdout carries only the report.
enum Progress {
    static func note(_ text: String) {
        let bytes = Array("ingest-bench: \(text)\n".utf8)
        bytes.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
