import Dispatch
import Foundation
import InboxWatcher
import Synchronization
import Testing

@Suite("inbox watcher")
struct WatcherTests {
    @Test("file names are escaped for logs and JSON; the raw bytes are kept")
    func escaping() {
        #expect(FileName("plain.txt").escaped == "plain.txt")
        #expect(FileName("ünï.txt").escaped == "ünï.txt")
        #expect(FileName("a\nb").escaped == "a\\nb")
        #expect(FileName("back\\slash\t").escaped == "back\\\\slash\\t")
        // Printable ASCII is kept as it is, a backslash too; DEL is not printable.
        #expect(FileName(" ~back\\slash!.txt").escaped == " ~back\\slash!.txt")
        #expect(FileName("a\u{7F}b").escaped == "a\\x7fb")
        #expect(FileName([0x61, 0xFF, 0x62, 0xC3]).escaped == "a\\xffb\\xc3")
        #expect(FileName([0x61, 0xFF]).bytes == [0x61, 0xFF])
    }

    @Test("names are equal and hash alike exactly when their bytes are equal")
    func identity() {
        let names: [[UInt8]] = [
            Array("a.txt".utf8), Array("a.txt ".utf8), Array("a.tx".utf8), [0x61, 0xFF], [0x61, 0xFE], [], [0x00],
            Array("ünï.txt".utf8), Array("new\nline.txt".utf8), Array(repeating: 0x78, count: 255),
        ]
        var set = Set<FileName>()
        for bytes in names { set.insert(FileName(bytes)) }
        #expect(set.count == names.count)
        for bytes in names {
            #expect(set.contains(FileName(bytes)))
            #expect(FileName(bytes) == FileName(Array(bytes)))
            #expect(FileName(bytes).hashValue == FileName(Array(bytes)).hashValue)
        }
        #expect(FileName("a.txt") == FileName(Array("a.txt".utf8)))
        #expect(FileName("a.txt") != FileName("A.txt"))
        #expect(set.remove(FileName("a.txt")) != nil && !set.contains(FileName("a.txt")))
        #expect(set.count == names.count - 1)
    }

    @Test(
        "dotfiles and temporary names are not inputs",
        arguments: [
            (".hidden", false), ("a.tmp", false), ("a.part", false), ("a.partial", false), ("a~", false),
            (".a.swp", false), ("b.swp", false), ("x.crdownload", false), ("news.txt", true), ("tmp.json", true),
            ("part", true),
        ])
    func filter(_ name: String, _ candidate: Bool) {
        #expect(InboxFilter.isCandidate(FileName(name)) == candidate)
    }

    @Test("events: close-write and moved-in files are reported; temporary names are not")
    func events() throws {
        let dir = try makeScratchDirectory("watcher")
        defer { removeScratchDirectory(dir) }
        let seen = Mutex<[InboxWatcher.Event]>([])
        let watcher = InboxWatcher(path: dir, queue: DispatchQueue(label: "test.watch")) { event in
            seen.withLock { $0.append(event) }
        }
        try watcher.start()
        defer { watcher.stop() }
        for name in ["written.txt", "skip.tmp"] {  // one open, write, close each: one close event
            writeAndClose(dir + "/" + name)
        }
        _ = FileManager.default.createFile(atPath: dir + "/../moved-\(UUID().uuidString)", contents: Data("y".utf8))
        let outside = try FileManager.default.contentsOfDirectory(atPath: dir + "/..").first { $0.hasPrefix("moved-") }!
        #expect(rename(dir + "/../" + outside, dir + "/moved.txt") == 0)
        #expect(symlink("/etc/hostname", dir + "/link") == 0)
        let deadline = Date().addingTimeInterval(5)
        while seen.withLock({ $0.count }) < 3 && Date() < deadline { usleep(10_000) }
        usleep(100_000)
        let events = seen.withLock { $0 }
        #expect(events == [.file(FileName("written.txt")), .file(FileName("moved.txt")), .file(FileName("link"))])
    }

    @Test("a batch handler gets the events of one read together, in order")
    func batchedEvents() throws {
        let dir = try makeScratchDirectory("batch")
        defer { removeScratchDirectory(dir) }
        let calls = Mutex<[[InboxWatcher.Event]]>([])
        let queue = DispatchQueue(label: "test.watch.batch")
        let watcher = InboxWatcher(
            path: dir, queue: queue, batchHandler: { events in calls.withLock { $0.append(events) } })
        try watcher.start()
        defer { watcher.stop() }
        queue.suspend()  // the events pile up in the inotify queue and are read at once
        let names = (0..<5).map { "file-\($0).txt" }
        for name in names {
            writeAndClose(dir + "/" + name)
        }
        queue.resume()
        let deadline = Date().addingTimeInterval(5)
        while calls.withLock({ $0.joined().count }) < names.count && Date() < deadline { usleep(10_000) }
        let received = calls.withLock { $0 }
        #expect(received.count == 1, "\(received.count) calls")
        #expect(Array(received.joined()) == names.map { .file(FileName($0)) })
    }

    @Test("in a burst, reads pause a millisecond apart; every file is reported once, in order")
    func burstReadsPause() throws {
        let dir = try makeScratchDirectory("burst")
        defer { removeScratchDirectory(dir) }
        let calls = Mutex<[(at: UInt64, events: [InboxWatcher.Event])]>([])
        let watcher = InboxWatcher(
            path: dir, queue: DispatchQueue(label: "test.watch.burst"),
            batchHandler: { events in
                calls.withLock { $0.append((DispatchTime.now().uptimeNanoseconds, events)) }
            })
        try watcher.start()
        defer { watcher.stop() }
        let names = (0..<3000).map { "burst-\($0).txt" }
        for name in names {
            writeAndClose(dir + "/" + name)
        }
        let deadline = Date().addingTimeInterval(10)
        while calls.withLock({ $0.reduce(0) { $0 + $1.events.count } }) < names.count && Date() < deadline {
            usleep(10_000)
        }
        let received = calls.withLock { $0 }
        #expect(received.flatMap(\.events) == names.map { .file(FileName($0)) })
        // A read less than 1 ms after the one before is a burst read, and the next read waits
        // 1 ms: two gaps in a row under 1 ms mean no pause. Timestamps are taken in the handler,
        // a little before the watcher's own, so the bound is 0.5 ms, and a thread preempted
        // between the two may rarely make one such pair; without the pause there are hundreds.
        let gaps = zip(received.dropFirst(), received).map { Double($0.at - $1.at) / 1e6 }
        let unpaused = zip(gaps.dropFirst(), gaps).filter { $0 < 0.5 && $1 < 0.5 }.count
        #expect(unpaused <= 2, "\(received.count) reads; gaps (ms): \(gaps.prefix(40))")
    }

    @Test("a burst longer than the handler's run of reads: every file is reported, and so is one after it")
    func longBurstThenQuiet() throws {
        let dir = try makeScratchDirectory("long")
        defer { removeScratchDirectory(dir) }
        let seen = Mutex<[InboxWatcher.Event]>([])
        let watcher = InboxWatcher(
            path: dir, queue: DispatchQueue(label: "test.watch.long"),
            batchHandler: { events in seen.withLock { $0 += events } })
        try watcher.start()
        defer { watcher.stop() }
        func waitFor(_ count: Int) {
            let deadline = Date().addingTimeInterval(5)
            while seen.withLock({ $0.count }) < count && Date() < deadline { usleep(5_000) }
        }
        // A file every 0.2 ms for about 300 ms: the handler stops its run of reads several times
        // while files keep coming, and the source must fire again each time.
        var names: [String] = []
        let start = Date()
        while Date().timeIntervalSince(start) < 0.3 {
            names.append("long-\(names.count).txt")
            writeAndClose(dir + "/" + names[names.count - 1])
            usleep(200)
        }
        waitFor(names.count)
        #expect(seen.withLock { $0 } == names.map { .file(FileName($0)) })
        usleep(50_000)  // quiet: the handler has returned and re-armed the source
        writeAndClose(dir + "/after.txt")
        waitFor(names.count + 1)
        #expect(seen.withLock { $0.last } == .file(FileName("after.txt")))
    }
    @Test("scanner lists candidates, skips directories and excluded names, and honours the limit")
    func scanner() throws {
        let dir = try makeScratchDirectory("scan")
        defer { removeScratchDirectory(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        for name in ["a", "b", "c", ".d", "e.tmp"] {
            _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: nil)
        }
        let all = try #require(InboxScanner.scan(dir, limit: 10) { $0 == FileName("b") })
        #expect(Set(all.names) == [FileName("a"), FileName("c")])
        #expect(all.complete)
        let limited = try #require(InboxScanner.scan(dir, limit: 1) { _ in false })
        #expect(limited.names.count == 1)
        #expect(!limited.complete)
        #expect(InboxScanner.scan(dir + "/missing", limit: 1) { _ in false } == nil)
    }
}

/// A new directory under the temporary directory; `removeScratchDirectory` removes it.
private func makeScratchDirectory(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func removeScratchDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// Creates (or truncates) the file, writes one byte and closes it: one IN_CLOSE_WRITE.
private func writeAndClose(_ path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    #expect(write(fd, "x", 1) == 1)
    close(fd)
}
