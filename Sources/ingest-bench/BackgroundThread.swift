#if canImport(Glibc)
    import Glibc
#endif

/// A joinable POSIX thread running one closure. For loops that block (pipe reads, inotify, sleeps),
/// which should not sit on Dispatch's shared pool.
final class BackgroundThread {
    private var handle = pthread_t()
    private var joined = false

    init(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        let result = pthread_create(
            &handle, nil,
            { raw in
                Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, box)
        precondition(result == 0, "pthread_create failed: \(String(cString: strerror(result)))")
    }

    /// Waits for the closure to return. Later calls return at once.
    func join() {
        guard !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
