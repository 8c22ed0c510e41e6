#if canImport(Glibc)
    import Glibc
#endif

/// The machine the numbers were measured on.
struct MachineInfo {
    var cpus: Int
    var cpuModel: String
    var kernel: String
    /// File system type of the work directory and its mount point.
    var fileSystem: String
    /// The 1, 5 and 15 minute load averages when the bench started: other work skews the numbers.
    var loadAverage: String

    static func current(workDirectory: String) -> MachineInfo {
        MachineInfo(
            cpus: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), cpuModel: cpuModel(), kernel: kernel(),
            fileSystem: fileSystem(workDirectory), loadAverage: loadAverage())
    }

    private static func loadAverage() -> String {
        let text = String(decoding: FileSystem.read("/proc/loadavg") ?? [], as: UTF8.self)
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    private static func cpuModel() -> String {
        let text = String(decoding: FileSystem.read("/proc/cpuinfo") ?? [], as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        else { return "unknown" }
        return String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
    }

    private static func kernel() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        let release = withUnsafeBytes(of: names.release) {
            String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        return "Linux " + release
    }

    /// The type of the mount holding `path` (the longest mount point that prefixes it), from /proc/self/mounts.
    private static func fileSystem(_ path: String) -> String {
        let mounts = String(decoding: FileSystem.read("/proc/self/mounts") ?? [], as: UTF8.self)
        var best: (point: Substring, type: Substring)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")  // device mount-point type options dump pass
            guard fields.count >= 3 else { continue }
            let point = fields[1]
            let covers = point == "/" || path == point || path.hasPrefix(point + "/")
            if covers && point.count >= (best?.point.count ?? 0) { best = (point, fields[2]) }
        }
        return best.map { "\($0.type) (mounted at \($0.point))" } ?? "unknown"
    }
}
