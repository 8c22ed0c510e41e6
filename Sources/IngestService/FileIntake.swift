import DaemonSupport
import InboxWatcher
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Why an input goes to failed/: a short code, a sentence, and the errno when there was one.
public struct FailureReason: Sendable, Equatable {
    public var code: String
    public var message: String
    public var errno: Int32?

    public init(code: String, message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }
}

/// A file read from the inbox.
struct TakenFile: Sendable {
    var bytes: [UInt8]
    var modified: timespec
}

/// What taking one inbox entry came to.
enum TakeOutcome: Sendable {
    case taken(TakenFile)
    case failed(FailureReason)
    /// Gone before it could be opened (renamed or deleted by someone else).
    case vanished
    /// Not an input (a directory).
    case ignored
    /// Still being written: look again after this many seconds (or at its close event).
    case busy(retryAfter: Double)
}

/// fcntl commands Glibc only declares under _GNU_SOURCE (linux/fcntl.h: F_LINUX_SPECIFIC_BASE + 0).
private let F_SETLEASE: Int32 = 1024
/// Also _GNU_SOURCE only (asm-generic/fcntl.h; the same on x86-64 and arm64).
private let O_NOATIME: Int32 = 0o1000000

/// Opens inbox entries safely: relative to the inbox descriptor, never following symlinks, never
/// blocking on FIFOs, and only regular files within the size cap.
enum FileIntake {
    /// Inputs are opened with O_NOATIME, so that reading one does not write its inode (a new
    /// file's first read updates its access time even under `relatime`), until an open is refused
    /// for it: the daemon does not own the file. From then on they are opened without it, so that
    /// inputs of another owner do not cost two opens each.
    private static let noAtimeRefused = Atomic<Bool>(false)

    static func take(
        _ name: FileName, inboxFD: Int32, maxBytes: Int, provenClosed: Bool, settleSeconds: Double
    ) -> TakeOutcome {
        // Opened first, then checked on the descriptor: one path lookup, and what is checked is
        // what is read. O_NONBLOCK keeps a FIFO from blocking the open; O_NOFOLLOW refuses symlinks.
        let flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY
        let tryNoAtime = !noAtimeRefused.load(ordering: .relaxed)
        var fd = name.withCString { openat(inboxFD, $0, flags | (tryNoAtime ? O_NOATIME : 0)) }
        var openError = fd < 0 ? errno : 0
        if fd < 0 && openError == EPERM && tryNoAtime {
            // O_NOATIME needs the daemon to own the file (or CAP_FOWNER).
            fd = name.withCString { openat(inboxFD, $0, flags) }
            openError = fd < 0 ? errno : 0
            if fd >= 0 { noAtimeRefused.store(true, ordering: .relaxed) }
        }
        if fd < 0 {
            switch openError {
            case ENOENT: return .vanished
            case ELOOP:
                return .failed(FailureReason(code: "symlink", message: "symbolic links are not followed", errno: ELOOP))
            default:
                // Say what the entry is when that is why (a socket cannot be opened; a directory is
                // ignored even when it cannot be read).
                var st = stat()
                if name.withCString({ fstatat(inboxFD, $0, &st, AT_SYMLINK_NOFOLLOW) }) == 0,
                    let rejected = check(st, maxBytes: maxBytes)
                {
                    return rejected
                }
                if openError == EACCES || openError == EPERM {
                    return .failed(FailureReason(code: "unreadable", message: "permission denied", errno: openError))
                }
                return .failed(FailureReason(code: "unreadable", message: "cannot open the file", errno: openError))
            }
        }
        defer { close(fd) }  // also releases the lease, if one was taken

        // A read lease is granted only when nobody has the file open for writing, and while it is
        // held nobody can open the file for writing or truncate it (they wait for the lease to be
        // released). So the size read after taking it is the size of the whole file.
        let leased = fcntl(fd, F_SETLEASE, F_RDLCK) == 0
        let leaseError = leased ? 0 : errno
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            return .failed(FailureReason(code: "unreadable", message: "cannot stat the open file", errno: errno))
        }
        if let rejected = check(st, maxBytes: maxBytes) { return rejected }
        if !leased {
            if leaseError == EAGAIN || leaseError == EBUSY { return .busy(retryAfter: max(settleSeconds, 0.5)) }
            // Not the owner and no CAP_LEASE: trust the close event, or else the file's age.
            if !provenClosed {
                let age = Self.secondsSince(latest(st.st_mtim, st.st_ctim))
                if age < settleSeconds { return .busy(retryAfter: settleSeconds - age) }
            }
        }

        let expected = Int(st.st_size)
        var bytes = [UInt8](repeating: 0, count: expected + 1)
        var total = 0
        while true {
            if leased && total == expected { break }  // the size cannot change under the lease
            if total == bytes.count {
                if bytes.count > maxBytes { break }
                bytes.append(
                    contentsOf: repeatElement(0, count: min(max(bytes.count, 4096), maxBytes + 1 - bytes.count)))
            }
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { return .busy(retryAfter: max(settleSeconds, 0.5)) }
                return .failed(FailureReason(code: "unreadable", message: "read failed", errno: errno))
            }
            if n == 0 { break }
            total += n
        }
        if total > maxBytes {
            return .failed(
                FailureReason(code: "too_large", message: "the file grew past the size limit of \(maxBytes) bytes"))
        }
        bytes.removeLast(bytes.count - total)
        if total != expected { return .busy(retryAfter: max(settleSeconds, 0.5)) }  // changed while read
        return .taken(TakenFile(bytes: bytes, modified: st.st_mtim))
    }

    private static func check(_ st: stat, maxBytes: Int) -> TakeOutcome? {
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .ignored
        case S_IFLNK: return .failed(FailureReason(code: "symlink", message: "symbolic links are not followed"))
        case S_IFIFO: return .failed(FailureReason(code: "not_regular", message: "a FIFO is not a regular file"))
        case S_IFSOCK: return .failed(FailureReason(code: "not_regular", message: "a socket is not a regular file"))
        case S_IFCHR, S_IFBLK:
            return .failed(FailureReason(code: "not_regular", message: "a device is not a regular file"))
        default: return .failed(FailureReason(code: "not_regular", message: "not a regular file"))
        }
        if st.st_nlink > 1 {
            return .failed(
                FailureReason(
                    code: "hard_link",
                    message:
                        "the file has \(st.st_nlink) hard links; linked inputs are refused so that files from elsewhere cannot be pulled in"
                ))
        }
        if Int(st.st_size) > maxBytes {
            return .failed(
                FailureReason(code: "too_large", message: "\(st.st_size) bytes is over the limit of \(maxBytes) bytes"))
        }
        return nil
    }

    private static func latest(_ a: timespec, _ b: timespec) -> timespec {
        (a.tv_sec, a.tv_nsec) > (b.tv_sec, b.tv_nsec) ? a : b
    }

    static func secondsSince(_ ts: timespec) -> Double {
        let now = Timestamp.now()
        return Double(now.tv_sec - ts.tv_sec) + Double(now.tv_nsec - ts.tv_nsec) / 1e9
    }
}
