#if canImport(Glibc)
    import Glibc
#endif

/// Finds the programs the bench runs.
enum ToolLocator {
    /// `explicit`, else the `ingestd` next to this executable (found through /proc/self/exe).
    static func daemon(explicit: String?) throws -> String {
        let path = explicit ?? (executableDirectory() ?? ".") + "/ingestd"
        guard FileSystem.isExecutableFile(path) else {
            throw BenchError(
                "no ingestd executable at \(path); build it (swift build -c release --product ingestd) or pass --daemon"
            )
        }
        return path
    }

    /// The floor binary: `explicit`, else floor.c compiled into `buildDirectory` (found through
    /// $INGEST_FLOOR_C or ../shared/tools/floor.c next to the package root) when `cc` is on PATH.
    /// Returns the path, or why the floor is skipped.
    static func floor(explicit: String?, buildDirectory: String) throws -> Result<String, BenchError> {
        if let explicit {
            guard FileSystem.isExecutableFile(explicit) else {
                throw BenchError("--floor \(explicit): not an executable")
            }
            return .success(explicit)
        }
        guard let source = floorSource() else {
            return .failure(
                BenchError("floor.c not found ($INGEST_FLOOR_C, or ../shared/tools/floor.c from the package)"))
        }
        guard let cc = onPath("cc") else { return .failure(BenchError("no cc on PATH to build \(source)")) }
        let binary = buildDirectory + "/floor-bin"
        let (status, output, _) = try ChildProcess.run(cc, ["-O2", "-o", binary, source])
        guard status == .exited(0) else { return .failure(BenchError("cc \(source) failed (\(status)): \(output)")) }
        return .success(binary)
    }

    private static func floorSource() -> String? {
        if let value = getenv("INGEST_FLOOR_C") {
            let path = String(cString: value)
            if FileSystem.exists(path) { return path }
        }
        return packageRoot().map { $0 + "/../shared/tools/floor.c" }.flatMap { FileSystem.exists($0) ? $0 : nil }
    }

    /// The nearest directory holding Package.swift, above the working directory or this executable.
    static func packageRoot() -> String? {
        let starts = [currentDirectory(), executableDirectory()].compactMap { $0 }
        for start in starts {
            var directory = start
            while !directory.isEmpty {
                if FileSystem.exists(directory + "/Package.swift") { return directory }
                directory = parent(directory)
            }
        }
        return nil
    }

    private static func onPath(_ program: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { $0 + "/" + program }.first(where: FileSystem.isExecutableFile)
    }

    private static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return parent(String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    private static func currentDirectory() -> String? {
        guard let pointer = getcwd(nil, 0) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// `/a/b` → `/a`; `/a` → `` (the loop above stops there).
    private static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}
