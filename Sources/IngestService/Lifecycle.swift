import DaemonSupport
import InboxWatcher
import IngestModel
import RecordStore

#if canImport(Glibc)
    import Glibc
#endif

/// Moves inputs out of the inbox once they are dealt with: to processed/ (or deletes them), or to
/// failed/ beside a `<name>.error.json` sidecar. Only one ingestd writes these directories (the
/// store lock guarantees it), so picking a free name and renaming is race-free.
final class Lifecycle {
    let config: IngestConfig
    let processedFD: Int32
    let failedFD: Int32

    init(config: IngestConfig) throws(ServiceError) {
        self.config = config
        processedFD = try Self.openDirectory(config.processedDirectory)
        failedFD = try Self.openDirectory(config.failedDirectory)
    }

    deinit {
        close(processedFD)
        close(failedFD)
    }

    static func openDirectory(_ path: String) throws(ServiceError) -> Int32 {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ServiceError("cannot open \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Moves (or deletes) a processed input. Returns the errno on failure.
    func finishProcessed(_ name: FileName, inboxFD: Int32, action: IngestConfig.ProcessedAction) -> Int32? {
        switch action {
        case .delete:
            return name.withCString { unlinkat(inboxFD, $0, 0) } == 0 ? nil : errno
        case .move:
            // Usually the name is free: one renameat2(RENAME_NOREPLACE) instead of a lookup and a
            // rename. It fails with EEXIST when the name is taken (then a free one is picked), and
            // with EINVAL or ENOSYS where the file system or kernel lacks the flag.
            if let renameNoReplace = Self.renameNoReplace {
                let result = name.withCString {
                    renameNoReplace(inboxFD, $0, processedFD, $0, Self.renameNoReplaceFlag)
                }
                if result == 0 { return nil }
                let error = errno
                if error != EEXIST && error != EINVAL && error != ENOSYS { return error }
            }
            let target = freeName(for: name, in: processedFD)
            let ok =
                name.withCString { from in target.withCString { to in renameat(inboxFD, from, processedFD, to) } } == 0
            return ok ? nil : errno
        }
    }

    /// Writes the sidecar (durably), then moves the input to failed/. Returns the errno on failure.
    func finishFailed(_ name: FileName, inboxFD: Int32, reason: FailureReason, facts: FailureFacts) -> Int32? {
        let target = freeName(for: name, in: failedFD, reserving: Self.sidecarSuffix.count)
        let sidecar = FileName(target.bytes + Array(Self.sidecarSuffix.utf8))
        var json = JSONWriter(capacity: 512)
        json.beginObject()
        json.key("file"); json.string(target.escaped)
        json.key("original_name"); json.string(name.escaped)
        json.key("reason"); json.string(reason.code)
        json.key("message"); json.string(reason.message)
        json.key("errno"); json.string(reason.errno.map(POSIX.errnoName))
        json.key("errno_code"); json.int(reason.errno.map(Int.init))
        json.key("failed_at"); json.string(Timestamp.iso8601(Timestamp.now()))
        json.key("bytes"); json.int(facts.bytes)
        json.key("sha256"); json.string(facts.sha256)
        json.key("parser"); json.string(facts.parser)
        json.key("parser_version"); json.string(facts.parserVersion)
        json.endObject()
        var bytes = json.bytes
        bytes.append(0x0A)
        if let error = writeDurably(bytes, name: sidecar, in: failedFD) { return error }
        let ok = name.withCString { from in target.withCString { to in renameat(inboxFD, from, failedFD, to) } } == 0
        if ok { return nil }
        let code = errno
        _ = sidecar.withCString { unlinkat(failedFD, $0, 0) }
        return code
    }

    static let sidecarSuffix = ".error.json"

    /// `renameat2(2)`, looked up at run time: Swift's Glibc module does not declare it.
    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    static let renameNoReplace: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }
    /// RENAME_NOREPLACE from linux/fs.h.
    static let renameNoReplaceFlag: UInt32 = 1

    /// `name`, or `name.1`, `name.2`, … if taken; shortened to fit NAME_MAX with `reserving` bytes to spare.
    func freeName(for name: FileName, in directoryFD: Int32, reserving: Int = 0) -> FileName {
        let limit = Int(NAME_MAX) - reserving
        func fit(_ bytes: [UInt8], suffix: [UInt8]) -> FileName {
            FileName(Array(bytes.prefix(limit - suffix.count)) + suffix)
        }
        var candidate = fit(name.bytes, suffix: [])
        var counter = 0
        while exists(candidate, in: directoryFD)
            || (reserving > 0 && exists(FileName(candidate.bytes + Array(Self.sidecarSuffix.utf8)), in: directoryFD))
        {
            counter += 1
            candidate = fit(name.bytes, suffix: Array(".\(counter)".utf8))
        }
        return candidate
    }

    private func exists(_ name: FileName, in directoryFD: Int32) -> Bool {
        var st = stat()
        return name.withCString { fstatat(directoryFD, $0, &st, AT_SYMLINK_NOFOLLOW) } == 0
    }

    private func writeDurably(_ bytes: [UInt8], name: FileName, in directoryFD: Int32) -> Int32? {
        let fd = name.withCString {
            openat(directoryFD, $0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640)
        }
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return fdatasync(fd) == 0 ? nil : errno
    }

    /// Makes the renames of a batch durable.
    func syncDirectories(inboxFD: Int32, inboxPath: String, movedProcessed: Bool, movedFailed: Bool) -> StoreError? {
        do {
            if movedProcessed { try POSIX.syncDirectory(fd: processedFD, path: config.processedDirectory) }
            if movedFailed { try POSIX.syncDirectory(fd: failedFD, path: config.failedDirectory) }
            try POSIX.syncDirectory(fd: inboxFD, path: inboxPath)
            return nil
        } catch {
            return error
        }
    }
}

/// What is known about an input that failed, for its sidecar.
struct FailureFacts {
    var bytes: Int?
    var sha256: String?
    var parser: String
    var parserVersion: String
}

/// A start-up or runtime problem of the service, with a message for the operator.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
