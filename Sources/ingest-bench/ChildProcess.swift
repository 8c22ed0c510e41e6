#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended.
enum ExitStatus: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// Decodes a `waitpid` status (the W* macros are not visible to Swift).
    init(waitStatus status: Int32) {
        self = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
    }

    var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}

/// A process started with `posix_spawn`: stdin from /dev/null, stdout and stderr to the given
/// descriptors (or /dev/null), the bench's environment.
struct ChildProcess {
    let pid: pid_t

    static func spawn(_ path: String, _ arguments: [String], stdout: Int32? = nil, stderr: Int32? = nil) throws
        -> ChildProcess
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (target, source) in [(Int32(1), stdout), (Int32(2), stderr)] {
            if let source {
                posix_spawn_file_actions_adddup2(&actions, source, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            }
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard result == 0 else { throw BenchError.system("cannot start \(path)", errno: result) }
        return ChildProcess(pid: pid)
    }

    /// Runs a short-lived tool to completion; returns how it ended, what it printed (stdout and
    /// stderr together) and the CPU time it used.
    static func run(_ path: String, _ arguments: [String]) throws -> (
        status: ExitStatus, output: String, cpu: CPUTime
    ) {
        let pipe = try Pipe()
        let child: ChildProcess
        do { child = try spawn(path, arguments, stdout: pipe.writeEnd, stderr: pipe.writeEnd) } catch {
            pipe.closeRead()
            pipe.closeWrite()
            throw error
        }
        pipe.closeWrite()
        let output = FileSystem.readAll(pipe.readEnd) ?? []
        pipe.closeRead()
        let (status, cpu) = child.waitWithUsage()
        return (status, String(decoding: output, as: UTF8.self), cpu)
    }

    /// Blocks until the process ends.
    func wait() -> ExitStatus { waitWithUsage().status }

    /// Blocks until the process ends; also returns the CPU time it used.
    func waitWithUsage() -> (status: ExitStatus, cpu: CPUTime) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        return (ExitStatus(waitStatus: status), CPUTime(usage))
    }

    /// How the process ended, or nil while it runs. Reaps it: call `wait` no more once this returned a status.
    func poll() -> ExitStatus? {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid ? ExitStatus(waitStatus: status) : nil
    }

    /// Waits up to `seconds` for the process to end.
    func wait(seconds: Double) -> ExitStatus? {
        let deadline = MonotonicClock.now() + UInt64(seconds * 1e9)
        while MonotonicClock.now() < deadline {
            if let status = poll() { return status }
            MonotonicClock.sleep(milliseconds: 5)
        }
        return poll()
    }

    func signal(_ number: Int32) { kill(pid, number) }
}

/// A pipe whose ends are close-on-exec in the bench (a spawned child gets only what it is given).
struct Pipe {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw BenchError.system("pipe") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }  // pipe2 is not visible without _GNU_SOURCE
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    func closeRead() { close(readEnd) }
    func closeWrite() { close(writeEnd) }
}
