import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One input's records, ready to append: complete JSON lines, each ending in `\n`.
public struct StoreEntry: Sendable {
    public var key: ContentKey
    public var lines: [UInt8]
    public var recordCount: Int

    public init(key: ContentKey, lines: [UInt8], recordCount: Int) {
        self.key = key
        self.lines = lines
        self.recordCount = recordCount
    }
}

/// What opening the store found and repaired.
public struct RecoveryReport: Sendable {
    /// Bytes cut from segment tails that no commit covered (a torn or unacknowledged append).
    public var truncatedBytes = 0
    /// Index bytes cut from a torn index tail.
    public var truncatedIndexBytes = 0
    /// Corruption and loss that recovery could not silently repair: report these loudly.
    public var problems: [String] = []
    /// True when a problem was found in data that had been committed.
    public var corrupt: Bool { !problems.isEmpty }
}

/// Counters describing the store.
public struct StoreStats: Sendable, Equatable {
    public var files = 0
    public var records = 0
    public var segments = 0
    public var bytes = 0
}

/// An append-only store of JSON Lines segments (`articles-NNNNNNNN.jsonl`) with a commit index
/// (`commits.idx`) that makes appends atomic per input and idempotent by content key.
///
/// `append` is for one writer at a time (the committer); `contains` and `stats` may be called from
/// any thread.
public final class RecordStore: @unchecked Sendable {
    public struct Options: Sendable {
        /// A segment is closed and a new one started once it would grow past this size.
        public var segmentMaxBytes: Int

        public init(segmentMaxBytes: Int = 64 << 20) {
            self.segmentMaxBytes = segmentMaxBytes
        }
    }

    public let directory: String
    public let recovery: RecoveryReport
    private let options: Options
    private let lockFD: Int32

    // Committer state (touched by `append` only, after `init`).
    private var indexFD: Int32
    private var indexSize: Int
    private var segmentFD: Int32 = -1
    private var segmentNumber: UInt32
    private var segmentSize: Int
    private var fenced = false

    private struct Shared {
        var keys = KeySet()
        var stats = StoreStats()
        /// What is acknowledged: the index length and the active segment's committed length.
        var committed = CommittedExtent()
    }

    struct CommittedExtent {
        var indexSize = IndexEntry.headerSize
        var segment: UInt32 = 0
        var segmentSize = 0
    }
    private let shared = Mutex(Shared())

    var indexPath: String { directory + "/commits.idx" }

    /// The file name of segment `number`.
    public static func segmentName(_ number: UInt32) -> String {
        let digits = String(number)
        return "articles-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".jsonl"
    }

    /// Segment numbers of the segment files present in `directory`, ascending.
    public static func segmentNumbers(in directory: String) -> [UInt32] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var numbers: [UInt32] = []
        while let entry = readdir(dir) {
            // The name read in place: a record can be shorter than `dirent`, so copying the
            // struct (or its `d_name`) could read past the end of readdir's buffer.
            let name = String(
                cString: UnsafeRawPointer(entry).advanced(by: MemoryLayout<dirent>.offset(of: \.d_name)!)
                    .assumingMemoryBound(to: CChar.self))
            guard name.hasPrefix("articles-"), name.hasSuffix(".jsonl") else { continue }
            if let number = UInt32(name.dropFirst(9).dropLast(6)), segmentName(number) == name {
                numbers.append(number)
            }
        }
        return numbers.sorted()
    }

    /// Opens (creating if needed) the store in `directory`, takes its lock and recovers it.
    public init(directory: String, options: Options = Options()) throws(StoreError) {
        self.directory = directory
        self.options = options
        if mkdir(directory, 0o755) != 0 && errno != EEXIST { throw StoreError("mkdir", path: directory, errno: errno) }
        lockFD = try Self.lock(directory)
        var openIndexFD: Int32 = -1  // closed here if init fails
        do {
            var report = RecoveryReport()
            (indexFD, indexSize) = try Self.openIndex(directory + "/commits.idx", directory: directory)
            openIndexFD = indexFD
            let loaded = try Self.loadIndex(
                fd: indexFD, size: indexSize, path: directory + "/commits.idx", report: &report)
            if loaded.validSize < indexSize {
                report.truncatedIndexBytes += indexSize - loaded.validSize
                try POSIX.truncate(indexFD, to: loaded.validSize, path: directory + "/commits.idx")
                try POSIX.fdatasync(indexFD, path: directory + "/commits.idx")
                indexSize = loaded.validSize
            }
            var entries = loaded.entries
            let numbers = Self.segmentNumbers(in: directory)
            segmentNumber = max(numbers.last ?? 0, entries.last?.segment ?? 0)
            segmentSize = 0
            var stats = StoreStats()
            var lostEntries = false
            var activeExists = false
            let bySegment = SegmentGroups(entries)
            for number in Set(numbers).union(bySegment.numbers).sorted() {
                let isLast = number == segmentNumber
                let repaired = try Self.recoverSegment(
                    number, directory: directory, entries: bySegment[number], active: isLast, report: &report)
                if repaired.lostFrom != nil { lostEntries = true }
                if let lost = repaired.lostFrom {
                    entries.removeAll { $0.segment == number && $0.end > UInt64(lost) }
                }
                stats.segments += repaired.exists ? 1 : 0
                stats.bytes += repaired.size
                if isLast {
                    segmentSize = repaired.size
                    activeExists = repaired.exists
                }
                if isLast && repaired.sealed { fenced = true }  // corruption in the active segment: append elsewhere
            }
            if lostEntries {
                let (newFD, newSize) = try Self.rewriteIndex(
                    entries, path: directory + "/commits.idx", directory: directory)
                close(openIndexFD)
                (indexFD, indexSize) = (newFD, newSize)
                openIndexFD = newFD
            }
            var keys = KeySet()
            keys.reserve(entries.count)
            let fd = indexFD
            let path = directory + "/commits.idx"
            loaded.forEachNumbered(entries) { number, entry in
                keys.insert(entry.key, entry: number) { Self.readKey(fd: fd, entry: $0, path: path) }
                stats.files += 1
                stats.records += Int(entry.records)
            }
            // A missing active segment (its entries were dropped above) is not reopened: the first
            // append rotates to a new one. Open before `recovery` completes initialization, because a
            // throw after that would run deinit and close the descriptors a second time.
            if segmentNumber > 0 && !fenced && activeExists {
                segmentFD = try Self.openSegment(directory, segmentNumber, create: false)
            }
            recovery = report
            let extent = CommittedExtent(indexSize: indexSize, segment: segmentNumber, segmentSize: segmentSize)
            shared.withLock {
                $0.keys = keys
                $0.stats = stats
                $0.committed = extent
            }
        } catch {
            if openIndexFD >= 0 { close(openIndexFD) }
            close(lockFD)
            throw error
        }
    }

    deinit {
        if segmentFD >= 0 { close(segmentFD) }
        if indexFD >= 0 { close(indexFD) }
        close(lockFD)
    }

    /// True when an input with this content key has been committed.
    public func contains(_ key: ContentKey) -> Bool {
        let path = indexPath
        // `unfence` swaps and closes `indexFD` while holding the lock: read it under the lock too.
        return shared.withLock { state in
            let fd = indexFD
            return state.keys.contains(key) { Self.readKey(fd: fd, entry: $0, path: path) }
        }
    }

    public var stats: StoreStats { shared.withLock { $0.stats } }

    /// Appends the entries and makes them durable: when this returns, every line is on disk and
    /// indexed. Entries whose key is already committed, or repeats an earlier entry of the same
    /// call, are skipped: their positions in `entries` are returned.
    /// On error nothing of this call is acknowledged; the next call first repairs the store.
    @discardableResult
    public func append(_ entries: [StoreEntry]) throws(StoreError) -> [Int] {
        if fenced { try unfence() }
        var skipped: [Int] = []
        var fresh: [StoreEntry] = []
        var seen = Set<ContentKey>()
        for (position, entry) in entries.enumerated() {
            if contains(entry.key) || !seen.insert(entry.key).inserted {
                skipped.append(position)
            } else {
                fresh.append(entry)
            }
        }
        guard !fresh.isEmpty else { return skipped }
        let total = fresh.reduce(0) { $0 + $1.lines.count }
        if segmentFD < 0 || (segmentSize > 0 && segmentSize + total > options.segmentMaxBytes) {
            try rotate()
        }
        var data: [UInt8] = []
        data.reserveCapacity(total)
        var index: [UInt8] = []
        index.reserveCapacity(fresh.count * IndexEntry.size)
        var newEntries: [IndexEntry] = []
        for entry in fresh {
            let indexEntry = IndexEntry(
                key: entry.key, segment: segmentNumber, offset: UInt64(segmentSize + data.count),
                length: UInt32(entry.lines.count), records: UInt32(entry.recordCount),
                rangeCRC: CRC32C.checksum(entry.lines))
            data.append(contentsOf: entry.lines)
            indexEntry.encode(into: &index)
            newEntries.append(indexEntry)
        }
        let segmentPath = directory + "/" + Self.segmentName(segmentNumber)
        do {
            try POSIX.writeAll(segmentFD, data, path: segmentPath)
            try POSIX.fdatasync(segmentFD, path: segmentPath)
            try POSIX.writeAll(indexFD, index, path: indexPath)
            try POSIX.fdatasync(indexFD, path: indexPath)
        } catch {
            // Nothing of this call is acknowledged: take its bytes back at once (best effort; the
            // next call repeats it durably) so readers never see records that may vanish again.
            fenced = true
            _ = ftruncate(segmentFD, off_t(segmentSize))
            _ = ftruncate(indexFD, off_t(indexSize))
            throw error
        }
        let firstEntry = UInt32((indexSize - IndexEntry.headerSize) / IndexEntry.size)
        segmentSize += data.count
        indexSize += index.count
        let fd = indexFD
        let path = indexPath
        shared.withLock { state in
            for (offset, entry) in newEntries.enumerated() {
                state.keys.insert(entry.key, entry: firstEntry + UInt32(offset)) {
                    Self.readKey(fd: fd, entry: $0, path: path)
                }
                state.stats.files += 1
                state.stats.records += Int(entry.records)
            }
            state.stats.bytes += data.count
            state.committed = CommittedExtent(indexSize: indexSize, segment: segmentNumber, segmentSize: segmentSize)
        }
        return skipped
    }

    /// Checks every segment against the commit index: each committed range's checksum, each
    /// line's shape, and bytes no commit covers. Read-only; returns the problems found.
    public func verify(inspectLine: ((_ segment: String, _ line: Int, _ bytes: ArraySlice<UInt8>) -> String?)? = nil)
        -> [String]
    {
        // Only what was acknowledged when the check starts: appends may go on meanwhile.
        let extent = shared.withLock { $0.committed }
        var problems: [String] = []
        let indexFD = open(indexPath, O_RDONLY | O_CLOEXEC)
        guard indexFD >= 0 else { return ["cannot open \(indexPath): \(POSIX.errnoName(errno))"] }
        defer { close(indexFD) }
        guard let all = try? POSIX.read(indexFD, offset: 0, count: extent.indexSize, path: indexPath) else {
            return ["cannot read \(indexPath)"]
        }
        var report = RecoveryReport()
        let loaded = all.withUnsafeBytes { Self.decodeEntries($0, report: &report) }
        problems += report.problems
        let bySegment = SegmentGroups(loaded.entries)
        for number in Set(Self.segmentNumbers(in: directory)).union(bySegment.numbers).sorted() {
            let name = Self.segmentName(number)
            let path = directory + "/" + name
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                problems.append("\(name): cannot open: \(POSIX.errnoName(errno))")
                continue
            }
            defer { close(fd) }
            let bytes: [UInt8]?
            if number == extent.segment {
                bytes = try? POSIX.read(fd, offset: 0, count: extent.segmentSize, path: path)
            } else if number > extent.segment {
                continue  // created after the check began
            } else {
                bytes = try? POSIX.readAll(fd, path: path)
            }
            guard let bytes else {
                problems.append("\(name): cannot read")
                continue
            }
            problems += Self.checkRanges(bytes, entries: Array(bySegment[number]), name: name)
            if let inspectLine {
                var start = 0
                var line = 1
                while start < bytes.count {
                    let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                    if let problem = inspectLine(name, line, bytes[start..<end]) { problems.append(problem) }
                    start = end + 1
                    line += 1
                }
            }
        }
        return problems
    }

    /// Calls `body` with the ordinal of the input and each of its committed lines, for the inputs
    /// from ordinal `first` on (0 is the first input ever committed), in commit order. For indexes
    /// kept beside the store that must catch up after a crash or an upgrade. Reads only those
    /// inputs' byte ranges, in chunks of a few MiB, so memory stays bounded whatever the store's size.
    public func forEachCommittedLine(fromInput first: Int, _ body: (Int, ArraySlice<UInt8>) -> Void) {
        let extent = shared.withLock { $0.committed }
        let fd = open(indexPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var reader = CommittedRangeReader(directory: directory)
        defer { reader.close() }
        var ordinal = 0
        var position = IndexEntry.headerSize
        let chunkBytes = 16_384 * IndexEntry.size
        while position + IndexEntry.size <= extent.indexSize {
            let count = min(chunkBytes, (extent.indexSize - position) / IndexEntry.size * IndexEntry.size)
            guard let chunk = try? POSIX.read(fd, offset: position, count: count, path: indexPath),
                chunk.count == count
            else { break }
            chunk.withUnsafeBytes { raw in
                var at = 0
                while at + IndexEntry.size <= raw.count {
                    if let entry = IndexEntry.decode(raw, at: at) {
                        if ordinal >= first && entry.length > 0 { reader.add(entry, input: ordinal, body) }
                        ordinal += 1
                    }
                    at += IndexEntry.size
                }
            }
            position += count
        }
        reader.flush(body)
    }

    /// The committed lines of the inputs from ordinal `first` on, in commit order (all in memory:
    /// for small stores and tests; prefer `forEachCommittedLine`).
    public func committedLines(fromInput first: Int) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        forEachCommittedLine(fromInput: first) { _, line in lines.append(line) }
        return lines
    }

    // MARK: - Recovery

    private static func lock(_ directory: String) throws(StoreError) -> Int32 {
        let path = directory + "/LOCK"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError("open", path: path, errno: errno) }
        // Retry briefly: a process forking at that moment (before its exec closes the descriptor)
        // can hold a lock that is really free, as can a predecessor that is just dying.
        var code: Int32 = 0
        for _ in 0..<50 {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                code = 0
                break
            }
            code = errno
            if code != EWOULDBLOCK { break }
            usleep(20_000)
        }
        if code != 0 {
            let holder = (try? POSIX.readAll(fd, path: path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            close(fd)
            let pid = holder.trimmingSpaces
            throw StoreError(
                "lock", path: path, errno: code,
                detail: "another ingestd\(pid.isEmpty ? "" : " (pid \(pid))") is using this store")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    private static func openIndex(_ path: String, directory: String) throws(StoreError) -> (Int32, Int) {
        var fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)
        if fd < 0 && errno == ENOENT {
            // Create it complete under a temporary name, then rename: a crash never leaves a headerless index.
            let temp = path + ".new"
            let tfd = open(temp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard tfd >= 0 else { throw StoreError("open", path: temp, errno: errno) }
            defer { close(tfd) }
            try POSIX.writeAll(tfd, IndexEntry.header, path: temp)
            try POSIX.fdatasync(tfd, path: temp)
            guard rename(temp, path) == 0 else { throw StoreError("rename", path: temp, errno: errno) }
            try POSIX.syncDirectory(directory)
            fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)
        }
        guard fd >= 0 else { throw StoreError("open", path: path, errno: errno) }
        do { return (fd, try POSIX.fileSize(fd, path: path)) } catch {
            close(fd)
            throw error
        }
    }

    struct LoadedIndex: Equatable {
        var entries: [IndexEntry] = []
        /// Entry number (position in the file) of each entry in `entries`.
        var positions: [UInt32] = []
        /// Bytes of the file up to the end of the last valid entry.
        var validSize = IndexEntry.headerSize

        /// Calls `body` with each surviving entry and its position in the file, without building
        /// the pairs (a million of them at start-up).
        func forEachNumbered(_ surviving: [IndexEntry], _ body: (UInt32, IndexEntry) -> Void) {
            if surviving.count == entries.count {
                for (number, entry) in zip(positions, entries) { body(number, entry) }
            } else {
                // The index was rewritten densely.
                for (offset, entry) in surviving.enumerated() { body(UInt32(offset), entry) }
            }
        }
    }

    /// Index entries decoded per read at start-up: the file is streamed, not held whole.
    static let loadChunkEntries = 65_536

    static func loadIndex(
        fd: Int32, size: Int, path: String, report: inout RecoveryReport, chunkEntries: Int = loadChunkEntries
    ) throws(StoreError) -> LoadedIndex {
        let header = try POSIX.read(fd, offset: 0, count: min(size, IndexEntry.headerSize), path: path)
        guard header == IndexEntry.header else {
            throw StoreError("open", path: path, detail: "not an ingestd commit index (bad header)")
        }
        var decoder = EntryDecoder(expected: (size - IndexEntry.headerSize) / IndexEntry.size)
        var offset = IndexEntry.headerSize
        while offset + IndexEntry.size <= size {
            let count = min(max(1, chunkEntries), (size - offset) / IndexEntry.size) * IndexEntry.size
            let bytes = try POSIX.read(fd, offset: offset, count: count, path: path)
            bytes.withUnsafeBytes { decoder.decode($0, at: offset, report: &report) }
            if bytes.count < count { break }
            offset += count
        }
        return decoder.loaded
    }

    static func decodeEntries(_ bytes: UnsafeRawBufferPointer, report: inout RecoveryReport) -> LoadedIndex {
        let entries = UnsafeRawBufferPointer(rebasing: bytes[min(bytes.count, IndexEntry.headerSize)...])
        var decoder = EntryDecoder(expected: entries.count / IndexEntry.size)
        decoder.decode(entries, at: IndexEntry.headerSize, report: &report)
        return decoder.loaded
    }

    /// Decodes index entries piece by piece; a run of corrupt entries followed by a valid one is
    /// reported, a corrupt tail is not (it is cut off).
    private struct EntryDecoder {
        var loaded = LoadedIndex()
        private var number: UInt32 = 0
        private var badRun: [UInt32] = []

        init(expected: Int) {
            loaded.entries.reserveCapacity(max(0, expected))
            loaded.positions.reserveCapacity(max(0, expected))
        }

        /// Decodes the whole entries of `bytes`, which start at byte `fileOffset` of the index.
        mutating func decode(_ bytes: UnsafeRawBufferPointer, at fileOffset: Int, report: inout RecoveryReport) {
            var position = 0
            while position + IndexEntry.size <= bytes.count {
                if let entry = IndexEntry.decode(bytes, at: position) {
                    if !badRun.isEmpty {
                        report.problems.append(
                            "commits.idx: \(badRun.count) corrupt entr\(badRun.count == 1 ? "y" : "ies") at entry \(badRun[0]) (followed by valid entries)"
                        )
                        badRun.removeAll()
                    }
                    loaded.entries.append(entry)
                    loaded.positions.append(number)
                    loaded.validSize = fileOffset + position + IndexEntry.size
                } else {
                    badRun.append(number)
                }
                position += IndexEntry.size
                number += 1
            }
        }
    }

    private static func readKey(fd: Int32, entry: UInt32, path: String) -> ContentKey? {
        let offset = IndexEntry.headerSize + Int(entry) * IndexEntry.size
        guard let bytes = try? POSIX.read(fd, offset: offset, count: 32, path: path), bytes.count == 32 else {
            return nil
        }
        return ContentKey(bytes)
    }

    private struct SegmentRecovery {
        var exists = false
        var size = 0
        /// Committed data is missing from this offset on: entries ending past it are lost.
        var lostFrom: Int?
        /// The segment holds corruption: leave it as it is and append to a new one.
        var sealed = false
    }

    private static func recoverSegment(
        _ number: UInt32, directory: String, entries: ArraySlice<IndexEntry>, active: Bool,
        report: inout RecoveryReport
    ) throws(StoreError) -> SegmentRecovery {
        let name = segmentName(number)
        let path = directory + "/" + name
        var result = SegmentRecovery()
        let committedEnd = Int(entries.map(\.end).max() ?? 0)
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 {
            guard errno == ENOENT else { throw StoreError("open", path: path, errno: errno) }
            if committedEnd > 0 {
                report.problems.append(
                    "\(name): missing, but the index says \(entries.count) committed inputs are in it")
                result.lostFrom = 0
            }
            return result
        }
        defer { close(fd) }
        result.exists = true
        var size = try POSIX.fileSize(fd, path: path)
        if size < committedEnd {
            // Committed bytes are gone (the file was cut or damaged outside ingestd): keep what is
            // whole, cut back to the last input whose records are complete, and say so.
            let whole = entries.filter { $0.end <= UInt64(size) }.map(\.end).max() ?? 0
            let lost = entries.filter { $0.end > UInt64(size) }
            let lostRecords = lost.reduce(0) { $0 + Int($1.records) }
            report.problems.append(
                "\(name): \(committedEnd - size) committed bytes missing (file is \(size) bytes, index says \(committedEnd)); "
                    + "\(lost.count) inputs with \(lostRecords) records lost; cut back to \(whole) bytes")
            result.lostFrom = Int(whole)
            try POSIX.truncate(fd, to: Int(whole), path: path)
            try POSIX.fdatasync(fd, path: path)
            size = Int(whole)
        } else if size > committedEnd && !active {
            // Only the active segment takes appends, so bytes past the last commit of a closed segment
            // mean index entries were lost (corrupt): they may be committed records, so keep them.
            report.problems.append(
                "\(name): \(size - committedEnd) bytes after the last commit of a closed segment (kept)")
        } else if size > committedEnd {
            // A torn or unacknowledged append: its inputs are still in the inbox and will be redone.
            report.truncatedBytes += size - committedEnd
            try POSIX.truncate(fd, to: committedEnd, path: path)
            try POSIX.fdatasync(fd, path: path)
            size = committedEnd
        }
        result.size = size
        if active && size > 0 {
            let bytes = try POSIX.read(fd, offset: 0, count: size, path: path)
            let problems = checkRanges(bytes, entries: entries.filter { $0.end <= UInt64(size) }, name: name)
            if !problems.isEmpty {
                report.problems += problems
                result.sealed = true
            }
        }
        return result
    }

    /// Compares committed ranges with their checksums and line shape; reports bytes outside any range.
    static func checkRanges(_ bytes: [UInt8], entries: [IndexEntry], name: String) -> [String] {
        var problems: [String] = []
        var covered = 0
        bytes.withUnsafeBytes { buffer in
            for entry in entries.sorted(by: { $0.offset < $1.offset }) {
                let start = Int(entry.offset)
                let end = Int(entry.end)
                if start != covered {
                    problems.append("\(name): bytes \(covered)..<\(start) are not covered by any commit")
                }
                guard end <= buffer.count else {
                    problems.append(
                        "\(name): input \(entry.key.hex.prefix(12)) ends at \(end), past the end of the file (\(buffer.count))"
                    )
                    covered = max(covered, start)
                    continue
                }
                let range = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
                if CRC32C.checksum(range) != entry.rangeCRC {
                    let lineNumber = bytes[0..<start].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
                    problems.append(
                        "\(name): corrupt records at bytes \(start)..<\(end) (line \(lineNumber)): checksum mismatch for input \(entry.key.hex.prefix(12))"
                    )
                } else if !range.isEmpty && (range.last != 0x0A || range.first != UInt8(ascii: "{")) {
                    problems.append("\(name): bytes \(start)..<\(end) are not complete JSON lines")
                }
                covered = end
            }
            if covered < buffer.count {
                problems.append("\(name): \(buffer.count - covered) bytes after the last commit")
            }
        }
        return problems
    }

    /// Replaces the index with `entries`, numbered densely; returns the new descriptor and size. The
    /// caller closes the old descriptor once this succeeds.
    private static func rewriteIndex(
        _ entries: [IndexEntry], path: String, directory: String
    ) throws(StoreError) -> (Int32, Int) {
        var bytes = IndexEntry.header
        for entry in entries { entry.encode(into: &bytes) }
        let temp = path + ".new"
        let tfd = open(temp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard tfd >= 0 else { throw StoreError("open", path: temp, errno: errno) }
        do {
            try POSIX.writeAll(tfd, bytes, path: temp)
            try POSIX.fdatasync(tfd, path: temp)
        } catch {
            close(tfd)
            throw error
        }
        close(tfd)
        guard rename(temp, path) == 0 else { throw StoreError("rename", path: temp, errno: errno) }
        try POSIX.syncDirectory(directory)
        return try openIndex(path, directory: directory)
    }

    private static func openSegment(_ directory: String, _ number: UInt32, create: Bool) throws(StoreError) -> Int32 {
        let path = directory + "/" + segmentName(number)
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw StoreError("open", path: path, errno: errno) }
        if create {
            do { try POSIX.syncDirectory(directory) } catch {
                close(fd)
                unlink(path)  // left in place, every later rotate would fail with EEXIST
                throw error
            }
        }
        return fd
    }

    // MARK: - Appending

    private func rotate() throws(StoreError) {
        let next = segmentNumber + 1
        let fd = try Self.openSegment(directory, next, create: true)
        if segmentFD >= 0 { close(segmentFD) }
        segmentFD = fd
        segmentNumber = next
        segmentSize = 0
        shared.withLock { $0.stats.segments += 1 }
    }

    /// After a failed write or sync nothing about the page cache can be trusted: cut the segment and
    /// the index back to what was acknowledged, make that durable, and move to a fresh segment.
    private func unfence() throws(StoreError) {
        if segmentFD >= 0 {
            let path = directory + "/" + Self.segmentName(segmentNumber)
            try POSIX.truncate(segmentFD, to: segmentSize, path: path)
            try POSIX.fdatasync(segmentFD, path: path)
        }
        try POSIX.truncate(indexFD, to: indexSize, path: indexPath)
        try POSIX.fdatasync(indexFD, path: indexPath)
        let fd = open(indexPath, O_RDWR | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError("open", path: indexPath, errno: errno) }
        // Readers of the old descriptor hold the lock while they use it.
        let old = shared.withLock { _ in
            let old = indexFD
            indexFD = fd
            return old
        }
        close(old)
        // A segment holding acknowledged records is closed for good: pages whose write-back
        // failed may be reported clean later. An empty one has nothing to lose and is reused.
        if segmentFD < 0 || segmentSize > 0 { try rotate() }
        fenced = false
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(unicodeScalars.filter { !$0.properties.isWhitespace })
    }
}

/// Reads the byte ranges of consecutive index entries: adjacent ranges in one segment are read
/// together, up to `chunkLimit` bytes at a time, then split into lines.
private struct CommittedRangeReader {
    let directory: String
    static let chunkLimit = 4 << 20
    private var segment: (number: UInt32, fd: Int32)?
    /// The pending run: its segment, byte range and the input ordinal of each entry's range.
    private var runSegment: UInt32 = 0
    private var runStart: UInt64 = 0
    private var runEnd: UInt64 = 0
    private var runInputs: [(input: Int, end: UInt64)] = []

    init(directory: String) { self.directory = directory }

    mutating func add(_ entry: IndexEntry, input: Int, _ body: (Int, ArraySlice<UInt8>) -> Void) {
        if !runInputs.isEmpty
            && (entry.segment != runSegment || entry.offset != runEnd
                || Int(entry.end - runStart) > Self.chunkLimit)
        {
            flush(body)
        }
        if runInputs.isEmpty {
            runSegment = entry.segment
            runStart = entry.offset
        }
        runEnd = entry.end
        runInputs.append((input, entry.end))
    }

    mutating func flush(_ body: (Int, ArraySlice<UInt8>) -> Void) {
        defer { runInputs.removeAll(keepingCapacity: true) }
        guard !runInputs.isEmpty else { return }
        if segment?.number != runSegment {
            if let open = segment { Glibc.close(open.fd) }
            let fd = Glibc.open(directory + "/" + RecordStore.segmentName(runSegment), O_RDONLY | O_CLOEXEC)
            segment = fd >= 0 ? (runSegment, fd) : nil
        }
        guard let open = segment,
            let bytes = try? POSIX.read(open.fd, offset: Int(runStart), count: Int(runEnd - runStart), path: directory)
        else { return }
        var inputIndex = 0
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            while inputIndex + 1 < runInputs.count && runStart + UInt64(start) >= runInputs[inputIndex].end {
                inputIndex += 1
            }
            if end > start { body(runInputs[inputIndex].input, bytes[start..<end]) }
            start = end + 1
        }
    }

    mutating func close() {
        if let open = segment { Glibc.close(open.fd) }
        segment = nil
    }
}

/// Index entries by segment, each segment's entries in commit order. The store only ever appends
/// to a segment numbered higher than the last, so the entries are normally in segment order
/// already and each segment is a range of them (no copy of a million entries at start-up); in any
/// other order they are sorted first, stably.
struct SegmentGroups {
    private let entries: [IndexEntry]
    private var ranges: [UInt32: Range<Int>] = [:]

    init(_ entries: [IndexEntry]) {
        let inOrder = zip(entries, entries.dropFirst()).allSatisfy { $0.segment <= $1.segment }
        self.entries =
            inOrder
            ? entries
            : entries.enumerated().sorted { ($0.element.segment, $0.offset) < ($1.element.segment, $1.offset) }
                .map(\.element)
        var start = 0
        while start < self.entries.count {
            let segment = self.entries[start].segment
            var end = start + 1
            while end < self.entries.count && self.entries[end].segment == segment { end += 1 }
            ranges[segment] = start..<end
            start = end
        }
    }

    /// The segments that have entries.
    var numbers: Dictionary<UInt32, Range<Int>>.Keys { ranges.keys }

    /// The entries of segment `number`, in commit order (empty when it has none).
    subscript(number: UInt32) -> ArraySlice<IndexEntry> {
        ranges[number].map { entries[$0] } ?? []
    }
}
