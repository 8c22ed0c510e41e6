#if canImport(Glibc)
    import Glibc
#endif

/// glibc's malloc gives threads their own arenas (up to eight per core). ingestd reads and parses
/// files on Dispatch worker threads and frees the buffers on its intake and commit queues, so
/// free memory piles up in several arenas: a 100,000-file burst peaked at 68.7 MiB with the
/// default and at 50.1 MiB with one arena (docs/BENCHMARKS.md). Too few arenas cost time instead:
/// threads that share one wait on its lock, and with two arenas for the pipeline's four busy
/// threads a 10,000-file burst took 1.35 times as long as with four.
public enum MallocArenas {
    /// One arena per thread that allocates during a burst: a parallel worker per core, the intake
    /// and the commit queue.
    public static var pipelineDefault: Int32 {
        Int32(clamping: sysconf(Int32(_SC_NPROCESSORS_ONLN)) + 2)
    }

    /// Caps the arenas at `count` unless the operator set `MALLOC_ARENA_MAX` (that wins). Call it
    /// before starting threads. Returns whether the cap was set.
    @discardableResult
    public static func limit(to count: Int32) -> Bool {
        guard getenv("MALLOC_ARENA_MAX") == nil else { return false }
        // mallopt is not in Swift's Glibc module; M_ARENA_MAX is -8 in <malloc.h>.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        return unsafeBitCast(symbol, to: Mallopt.self)(-8, count) == 1
    }
}
