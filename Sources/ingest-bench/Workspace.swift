#if canImport(Glibc)
    import Glibc
#endif

/// The bench's scratch space: one fresh subdirectory per phase, each removed when its phase is
/// done (unless kept); a temporary root is removed at the end too.
final class Workspace {
    let root: String
    let keep: Bool
    private let ownsRoot: Bool

    /// Uses `explicit` (created if missing), else a new `/tmp/ingest-bench.XXXXXX`.
    init(explicit: String?, keep: Bool) throws {
        self.keep = keep
        if let explicit {
            try FileSystem.makeDirectories(explicit)
            root = explicit
            ownsRoot = false
        } else {
            var template = Array("/tmp/ingest-bench.XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw BenchError.system("mkdtemp /tmp/ingest-bench.XXXXXX") }
            root = String(cString: made)
            ownsRoot = true
        }
    }

    /// `root/name`, emptied and created.
    func phase(_ name: String) throws -> String {
        let path = root + "/" + name
        FileSystem.removeTree(path)
        try FileSystem.makeDirectories(path)
        return path
    }

    /// Removes a phase's directory, unless kept.
    func discard(_ path: String) {
        if !keep { FileSystem.removeTree(path) }
    }

    /// Removes the temporary root, unless kept or given by the user.
    func finish() {
        if !keep && ownsRoot { FileSystem.removeTree(root) }
    }
}
