#if canImport(Glibc)
    import Glibc
#endif

/// A failure that stops the bench, with a message for the person running it.
struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }

    /// `what: strerror(errno)` for the current errno.
    static func system(_ what: String, errno code: Int32 = errno) -> BenchError {
        BenchError("\(what): \(String(cString: strerror(code)))")
    }
}
