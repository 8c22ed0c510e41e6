internal import CEpoll
public import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Watches one inbox directory with inotify on a Dispatch read source.
///
/// Reports files closed after writing or moved in, asks for a rescan when events were lost (queue
/// overflow) or the watch was re-established, and re-establishes the watch when the inbox is
/// deleted, moved away or replaced. All work happens on the queue given at creation.
public final class InboxWatcher: @unchecked Sendable {
    public enum Event: Sendable, Equatable {
        /// A file was closed after writing, or moved into the inbox.
        case file(FileName)
        /// Events may have been lost; list the directory again.
        case rescan(reason: String)
        /// The inbox is gone (deleted or moved away); the watcher retries until it is back.
        case inboxLost(reason: String)
    }

    public struct WatchError: Error, CustomStringConvertible {
        public var operation: String
        public var errno: Int32
        public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
    }

    public let path: String
    private let queue: DispatchQueue
    /// Receives the events of one read of the inotify descriptor together, in order.
    private let handler: @Sendable ([Event]) -> Void
    private let retryInterval: DispatchTimeInterval

    // State below is touched only on `queue`.
    private var inotifyFD: Int32 = -1
    /// An epoll instance that holds only `inotifyFD`, armed one event at a time (EPOLLONESHOT);
    /// the Dispatch source watches it (see `start`).
    private var relayFD: Int32 = -1
    private var source: (any DispatchSourceRead)?
    private var watch: Int32 = -1
    /// A watch on the inbox's parent for the inbox's own name: an open descriptor keeps a deleted
    /// directory's inode alive, so IN_DELETE_SELF alone can come late or never.
    private var parentWatch: Int32 = -1
    private var watchedIdentity: (dev: UInt64, ino: UInt64)?
    private var retryTimer: (any DispatchSourceTimer)?
    private var lostReported = false
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// When a read last found events (monotonic nanoseconds).
    private var lastEventsAt: UInt64 = 0
    /// Reads that find events closer together than this are a burst...
    private static let burstGapNanoseconds: UInt64 = 1_000_000
    /// ...and the handler then reads again after this many microseconds, so that a read carries
    /// a millisecond of events instead of a few,...
    private static let burstPauseMicroseconds: UInt32 = 1000
    /// ...for at most this many reads before it returns (other work on the queue, such as
    /// `stop()`, waits at most that long).
    private static let burstReadLimit = 50

    /// - Parameter retryInterval: how often to look for a missing inbox.
    public convenience init(
        path: String, queue: DispatchQueue, retryInterval: DispatchTimeInterval = .seconds(1),
        handler: @escaping @Sendable (Event) -> Void
    ) {
        self.init(path: path, queue: queue, retryInterval: retryInterval) { events in
            for event in events { handler(event) }
        }
    }

    /// As `init(path:queue:retryInterval:handler:)`, with the events of each read handed over
    /// together (a burst of thousands of files is then a few calls, not one per file).
    public init(
        path: String, queue: DispatchQueue, retryInterval: DispatchTimeInterval = .seconds(1),
        batchHandler: @escaping @Sendable ([Event]) -> Void
    ) {
        self.path = path
        self.queue = queue
        self.retryInterval = retryInterval
        self.handler = batchHandler
    }

    /// Creates the inotify instance and adds the watch. Call before listing the directory, so that
    /// nothing dropped between the listing and the watch is missed.
    public func start() throws(WatchError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw WatchError(operation: "inotify_init1", errno: errno) }
        inotifyFD = fd
        let result: Int32 = queue.sync {
            let parent = Self.parent(of: path)
            let mask = UInt32(IN_DELETE | IN_MOVED_FROM | IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)
            parentWatch = inotify_add_watch(fd, parent, mask)
            return addWatch()
        }
        if result != 0 {
            close(fd)
            inotifyFD = -1
            throw WatchError(operation: "inotify_add_watch \(path)", errno: result)
        }
        // The source watches the inotify descriptor through an epoll instance of our own, armed
        // for one event at a time and re-armed when a handler returns. Dispatch's own epoll entry,
        // when disarmed, keeps a flag that the kernel counts as armed, so every inotify event
        // would wake Dispatch's event thread for nothing: thousands of wake-ups in a burst.
        // Through the relay, events that arrive while the handler runs wake nobody.
        let relay = epoll_create1(Int32(EPOLL_CLOEXEC))
        var interest = epoll_event(events: EPOLLIN.rawValue | EPOLLONESHOT.rawValue, data: epoll_data_t(fd: fd))
        guard relay >= 0, epoll_ctl(relay, EPOLL_CTL_ADD, fd, &interest) == 0 else {
            let code = errno
            if relay >= 0 { close(relay) }
            close(fd)
            inotifyFD = -1
            throw WatchError(operation: "epoll for the inotify descriptor", errno: code)
        }
        relayFD = relay
        let source = DispatchSource.makeReadSource(fileDescriptor: relay, queue: queue)
        source.setEventHandler { [weak self] in self?.readEvents() }
        source.setCancelHandler {
            close(relay)
            close(fd)
        }
        self.source = source
        source.resume()
    }

    /// Stops watching; no events are delivered after the queue has drained.
    public func stop() {
        queue.async {
            self.retryTimer?.cancel()
            self.retryTimer = nil
            self.source?.cancel()
            self.source = nil
        }
    }

    /// Re-establishes the watch if `path` now names another directory than the one watched
    /// (the inbox was replaced while no event said so). Cheap: one stat.
    public func checkIdentity() {
        queue.async {
            guard self.source != nil, self.retryTimer == nil else { return }
            var st = stat()
            let current = stat(self.path, &st) == 0 ? (UInt64(st.st_dev), UInt64(st.st_ino)) : nil
            if current == nil || current! != self.watchedIdentity! {
                self.reestablish(reason: current == nil ? "the inbox is missing" : "the inbox was replaced")
            }
        }
    }

    /// Adds the watch on `path`; returns 0 or the errno.
    private func addWatch() -> Int32 {
        let mask = UInt32(
            IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)
        let wd = inotify_add_watch(inotifyFD, path, mask)
        guard wd >= 0 else { return errno }
        var st = stat()
        guard stat(path, &st) == 0 else {
            let code = errno
            inotify_rm_watch(inotifyFD, wd)
            return code
        }
        watch = wd
        watchedIdentity = (UInt64(st.st_dev), UInt64(st.st_ino))
        return 0
    }

    /// Reads the queued events. In a burst (a read finding events within `burstGapNanoseconds`
    /// of the last one that did), the handler keeps reading, one read every
    /// `burstPauseMicroseconds`, while reads find events (up to `burstReadLimit` reads): a read
    /// then carries a millisecond of events instead of a few, and the events that arrive
    /// meanwhile wake nobody, since the source is only re-armed when the handler returns. Events
    /// wait at most that much longer, and a trickle of files is never delayed.
    private func readEvents() {
        var fired = epoll_event()
        _ = epoll_wait(relayFD, &fired, 1, 0)  // takes the relay's event; its entry is now disarmed
        defer { rearmRelay() }
        var reads = 0
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            guard let filledBuffer = readBuffer() else { return }
            let inBurst = reads > 0 || now &- lastEventsAt < Self.burstGapNanoseconds
            lastEventsAt = now
            reads += 1
            guard inBurst, reads < Self.burstReadLimit, source != nil, watch >= 0 else { return }
            if !filledBuffer { usleep(Self.burstPauseMicroseconds) }
        }
    }

    /// Arms the relay for the next event. Events already queued make it ready at once.
    private func rearmRelay() {
        var interest = epoll_event(
            events: EPOLLIN.rawValue | EPOLLONESHOT.rawValue, data: epoll_data_t(fd: inotifyFD))
        _ = epoll_ctl(relayFD, EPOLL_CTL_MOD, inotifyFD, &interest)
    }

    /// Reads one buffer of events and hands them over. Returns nil when there were none (or the
    /// read failed), else whether the read filled the buffer (more may be queued).
    private func readBuffer() -> Bool? {
        var n: Int
        repeat {
            n = buffer.withUnsafeMutableBytes { read(inotifyFD, $0.baseAddress, $0.count) }
        } while n < 0 && errno == EINTR
        guard n > 0 else { return nil }  // EAGAIN: nothing queued
        var offset = 0
        var events: [Event] = []
        var lost: String?
        buffer.withUnsafeBytes { raw in
            while offset + 16 <= n {
                let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                let nameBytes = raw[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                offset += 16 + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    events.append(.rescan(reason: "inotify event queue overflowed"))
                    continue
                }
                if wd == parentWatch && wd != watch {
                    guard Array(nameBytes) == Array(self.baseName.utf8) else { continue }
                    if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
                        lost = mask & UInt32(IN_DELETE) != 0 ? "the inbox was deleted" : "the inbox was moved away"
                    } else if mask & UInt32(IN_ISDIR) != 0 {
                        lost = "a new inbox directory appeared"
                    }
                    continue
                }
                guard wd == watch else { continue }  // a watch we already left
                if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT) != 0 {
                    lost = mask & UInt32(IN_MOVE_SELF) != 0 ? "the inbox was moved away" : "the inbox was deleted"
                    continue
                }
                if mask & UInt32(IN_ISDIR) != 0 || nameBytes.isEmpty { continue }
                let name = FileName(Array(nameBytes))
                guard InboxFilter.isCandidate(name) else { continue }
                // A created entry is reported only if no close event will follow it: symlinks,
                // FIFOs, sockets, devices and hard links. A new regular file waits for its close.
                if mask & UInt32(IN_CREATE) != 0 && !self.isFinishedOnCreate(name) { continue }
                events.append(.file(name))
            }
        }
        if !events.isEmpty { handler(events) }
        if let lost { reestablish(reason: lost) }
        return n + 16 + Int(NAME_MAX) + 1 > buffer.count
    }

    private var baseName: String { String(path.split(separator: "/").last ?? "") }

    static func parent(of path: String) -> String {
        let components = path.split(separator: "/").dropLast()
        return "/" + components.joined(separator: "/")
    }

    private func isFinishedOnCreate(_ name: FileName) -> Bool {
        var st = stat()
        let full = FileName(Array(path.utf8) + [UInt8(ascii: "/")] + name.bytes)
        guard full.withCString({ lstat($0, &st) }) == 0 else { return false }
        return st.st_mode & S_IFMT != S_IFREG || st.st_nlink > 1
    }

    private func reestablish(reason: String) {
        if watch >= 0 {
            inotify_rm_watch(inotifyFD, watch)
            watch = -1
        }
        if addWatch() == 0 {
            lostReported = false
            retryTimer?.cancel()
            retryTimer = nil
            handler([.rescan(reason: "\(reason); watching the inbox again")])
            return
        }
        if !lostReported {
            lostReported = true
            handler([.inboxLost(reason: reason)])
        }
        guard retryTimer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + retryInterval, repeating: retryInterval)
        timer.setEventHandler { [weak self] in
            guard let self, self.source != nil else { return }
            if self.addWatch() == 0 {
                self.retryTimer?.cancel()
                self.retryTimer = nil
                self.lostReported = false
                self.handler([.rescan(reason: "the inbox is back; watching the inbox again")])
            }
        }
        retryTimer = timer
        timer.resume()
    }
}

/// Lists an inbox directory's candidate files.
public enum InboxScanner {
    /// Up to `limit` candidate names in `path`, skipping directories and names in `excluding`.
    /// Returns the names and whether the listing stopped early at the limit.
    public static func scan(_ path: String, limit: Int, excluding: (FileName) -> Bool) -> (
        names: [FileName], complete: Bool
    )? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [FileName] = []
        while let entry = readdir(dir) {
            if entry.pointee.d_type == UInt8(DT_DIR) { continue }
            // The name read in place: a record can be shorter than `dirent`, so copying the
            // struct (or its `d_name`) could read past the end of readdir's buffer.
            let name = UnsafeRawPointer(entry).advanced(by: MemoryLayout<dirent>.offset(of: \.d_name)!)
                .withMemoryRebound(to: CChar.self, capacity: 1) {
                    FileName(Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))))
                }
            guard InboxFilter.isCandidate(name), !excluding(name) else { continue }
            if names.count == limit { return (names, false) }
            names.append(name)
        }
        return (names, true)
    }
}
