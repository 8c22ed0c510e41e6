#if canImport(Glibc)
    import Glibc
#endif

/// What the floor program (the bare syscalls of the job, no parsing) achieved.
struct FloorResult {
    var filesPerSecond: Double
    var megabytesPerSecond: Double?
    var files: Int
    var batch: Int
    /// The line the floor printed.
    var summary: String
    /// CPU time of the whole floor run (its set-up is a directory listing: nearly all of it is the job).
    var cpu: CPUTime? = nil
}

/// Runs the floor program on a fresh copy of the same inputs: inbox, done and store on one file system.
struct FloorBenchmark {
    let floor: String
    let directory: String
    let generator: ArticleGenerator
    let numbers: Range<Int>
    var batch = 256

    func run() throws -> FloorResult {
        let staging = directory + "/staging"
        let inbox = directory + "/inbox"
        let done = directory + "/done"
        for path in [staging, inbox, done] { try FileSystem.makeDirectories(path) }
        let corpus = try Corpus.generate(generator, numbers: numbers, into: staging)
        let dropper = try Dropper(staging: staging, inbox: inbox)
        for name in corpus.names { _ = try dropper.drop(name) }
        sync()
        let (status, output, cpu) = try ChildProcess.run(
            floor, [inbox, done, directory + "/store.jsonl", String(batch)])
        guard status == .exited(0), var result = Self.parse(output, batch: batch) else {
            throw BenchError("the floor program failed (\(status)): \(output)")
        }
        let moved = FileSystem.names(in: done).count
        guard moved == corpus.names.count else {
            throw BenchError("the floor program moved \(moved) of \(corpus.names.count) files: \(output)")
        }
        result.cpu = cpu
        return result
    }

    /// Reads `floor: N files X MB in T s = F files/s M MB/s (batch B)`.
    static func parse(_ output: String, batch: Int) -> FloorResult? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("files/s") }) else { return nil }
        let words = line.split(separator: " ")
        func number(before unit: String) -> Double? {
            guard let index = words.firstIndex(where: { $0 == unit }), index > 0 else { return nil }
            return Double(words[index - 1])
        }
        guard let rate = number(before: "files/s"), let equals = words.firstIndex(of: "="), equals > 3,
            let files = Int(words[1])
        else { return nil }
        return FloorResult(
            filesPerSecond: rate, megabytesPerSecond: number(before: "MB/s"), files: files, batch: batch,
            summary: String(line))
    }
}
