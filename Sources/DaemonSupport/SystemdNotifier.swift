import CSystemd

#if canImport(Glibc)
    import Glibc
#endif

/// Tells the service manager about the daemon's state through `sd_notify`. Outside systemd (no
/// `NOTIFY_SOCKET`) every call is a silent no-op.
public struct SystemdNotifier: Sendable {
    /// True when a service manager listens (`NOTIFY_SOCKET` is set).
    public let isActive: Bool

    public init() {
        isActive = getenv("NOTIFY_SOCKET") != nil
    }

    /// Sends newline-separated `KEY=VALUE` assignments. Returns false if the manager was not told.
    @discardableResult
    public func send(_ assignments: String) -> Bool {
        guard isActive else { return false }
        return sd_notify(0, assignments) > 0
    }

    /// READY=1 (with a status line): the daemon can serve.
    public func ready(status: String) { send("READY=1\nSTATUS=\(Self.oneLine(status))") }

    public func status(_ text: String) { send("STATUS=\(Self.oneLine(text))") }

    /// RELOADING=1 with the monotonic timestamp systemd uses to match the reload to its request.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        send("RELOADING=1\nMONOTONIC_USEC=\(usec)\nSTATUS=reloading the configuration")
    }

    public func stopping() { send("STOPPING=1\nSTATUS=stopping: committing the batch in flight") }

    /// WATCHDOG=1: the daemon is alive.
    public func watchdog() { send("WATCHDOG=1") }

    /// Asks for more start-up (or stop) time: `EXTEND_TIMEOUT_USEC`.
    public func extendTimeout(seconds: Double) { send("EXTEND_TIMEOUT_USEC=\(UInt64(seconds * 1_000_000))") }

    /// The watchdog interval systemd expects pings within, if it set one for this process.
    public static func watchdogInterval() -> Double? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return Double(usec) / 1_000_000
    }

    /// Status text must be one line.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
