#if canImport(Glibc)
    import Glibc
#endif

/// A store operation that failed, with the errno where the system gave one.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32?
    public var detail: String?

    public init(_ operation: String, path: String, errno: Int32? = nil, detail: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    /// The symbolic errno name (ENOSPC, EIO, …) when known.
    public var errnoName: String? { errno.map(POSIX.errnoName) }

    public var description: String {
        var text = "\(operation) \(path)"
        if let errno { text += ": \(POSIX.errnoName(errno)) (\(String(cString: strerror(errno))))" }
        if let detail { text += ": \(detail)" }
        return text
    }
}

/// Thin, checked wrappers over the system calls the store needs.
public enum POSIX {
    public static func errnoName(_ code: Int32) -> String {
        switch code {
        case ENOSPC: "ENOSPC"
        case EIO: "EIO"
        case EFBIG: "EFBIG"
        case EDQUOT: "EDQUOT"
        case EACCES: "EACCES"
        case EPERM: "EPERM"
        case ENOENT: "ENOENT"
        case EEXIST: "EEXIST"
        case EROFS: "EROFS"
        case ELOOP: "ELOOP"
        case ENOTDIR: "ENOTDIR"
        case EISDIR: "EISDIR"
        case EAGAIN: "EAGAIN"
        case EMFILE: "EMFILE"
        case ENFILE: "ENFILE"
        case EXDEV: "EXDEV"
        case EBADF: "EBADF"
        case EINVAL: "EINVAL"
        case ENAMETOOLONG: "ENAMETOOLONG"
        case EWOULDBLOCK: "EWOULDBLOCK"
        default: "errno \(code)"
        }
    }

    /// Writes all of `bytes`, retrying on EINTR and short writes.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError("write", path: path, errno: errno)
            }
            offset += n
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StoreError) {
        let failure: StoreError? = bytes.withUnsafeBytes { buffer in
            do throws(StoreError) { try writeAll(fd, buffer, path: path) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Reads the whole file behind `fd` from offset 0.
    static func readAll(_ fd: Int32, path: String) throws(StoreError) -> [UInt8] {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError("fstat", path: path, errno: errno) }
        return try read(fd, offset: 0, count: Int(st.st_size), path: path)
    }

    /// Up to `count` bytes at `offset` (fewer at the end of the file), retrying interrupted reads.
    public static func read(_ fd: Int32, offset: Int, count: Int, path: String) throws(StoreError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError("read", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        if done < count { buffer.removeLast(count - done) }
        return buffer
    }

    static func fdatasync(_ fd: Int32, path: String) throws(StoreError) {
        while Glibc.fdatasync(fd) != 0 {
            if errno == EINTR { continue }
            throw StoreError("fdatasync", path: path, errno: errno)
        }
    }

    /// fsyncs a directory so that entries created, renamed or removed in it are durable.
    public static func syncDirectory(_ path: String) throws(StoreError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError("open", path: path, errno: errno) }
        defer { close(fd) }
        try syncDirectory(fd: fd, path: path)
    }

    public static func syncDirectory(fd: Int32, path: String) throws(StoreError) {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            // Some file systems refuse fsync on directories; they order metadata themselves.
            if errno == EINVAL || errno == EROFS { return }
            throw StoreError("fsync", path: path, errno: errno)
        }
    }

    static func fileSize(_ fd: Int32, path: String) throws(StoreError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError("fstat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    static func truncate(_ fd: Int32, to size: Int, path: String) throws(StoreError) {
        while ftruncate(fd, off_t(size)) != 0 {
            if errno == EINTR { continue }
            throw StoreError("ftruncate", path: path, errno: errno)
        }
    }
}
