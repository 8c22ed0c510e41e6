import Dispatch
import Foundation
import InboxWatcher
import Logging
import RecordStore
import Testing

@testable import IngestService

/// A batch's commit runs in stages: the committer appends its records, then the mover moves its
/// inputs out of the inbox while the committer goes on with the next batch.
@Suite("pipeline commit stages")
struct PipelineStagesTests {
    @Test(
        "later batches are appended while earlier inputs wait to be moved; none leaves the inbox before its records are durable"
    )
    func appendsOverlapMoves() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("stages-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        var config = IngestConfig()
        config.inbox = root + "/inbox"
        config.stateDirectory = root + "/state"
        config.commitMaxFiles = 2
        config.commitMaxDelayMilliseconds = 0
        try Daemon.prepareDirectories(config)
        let store = try RecordStore(directory: config.storeDirectory)
        let pipeline = try IngestPipeline(
            config: config, store: store, builder: RecordBuilder(), logger: Logger(label: "test"), once: false)
        let names = (0..<12).map { "s\($0).txt" }
        for name in names {
            try "Heading \(name)\n\nThe body of \(name), a paragraph of its own.\n".write(
                toFile: config.inbox + "/" + name, atomically: false, encoding: .utf8)
        }
        let inbox = { (try? FileManager.default.contentsOfDirectory(atPath: config.inbox).count) ?? -1 }
        let processed = {
            (try? FileManager.default.contentsOfDirectory(atPath: config.processedDirectory).count) ?? -1
        }

        // Moves held back: batches of two are appended until `maxBatchesMoving` of them wait for
        // the mover, and then no more.
        pipeline.mover.suspend()
        pipeline.handle(names.map { .file(FileName($0)) })
        let bound = IngestPipeline.maxBatchesMoving * config.commitMaxFiles
        let deadline = Date().addingTimeInterval(10)
        while store.stats.files < bound && Date() < deadline { usleep(10_000) }
        usleep(300_000)  // time for more appends, if the bound did not hold
        #expect(
            store.stats.files == bound, "appended while \(IngestPipeline.maxBatchesMoving) batches wait to be moved")
        #expect(inbox() == names.count, "an input left the inbox before the mover ran")
        #expect(processed() == 0)

        pipeline.mover.resume()
        let done = Date().addingTimeInterval(10)
        while processed() < names.count && Date() < done { usleep(10_000) }
        #expect(processed() == names.count)
        #expect(inbox() == 0)
        #expect(store.stats.files == names.count)
        #expect(pipeline.status.filesProcessed == names.count)
        let stopped = DispatchSemaphore(value: 0)
        pipeline.onStop { _ in stopped.signal() }
        pipeline.stop()
        #expect(stopped.wait(timeout: .now() + 10) == .success)
    }

    @Test("stop waits for the inputs of appended batches to be moved")
    func stopWaitsForMoves() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("stages-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        var config = IngestConfig()
        config.inbox = root + "/inbox"
        config.stateDirectory = root + "/state"
        config.commitMaxFiles = 2
        config.commitMaxDelayMilliseconds = 0
        try Daemon.prepareDirectories(config)
        let store = try RecordStore(directory: config.storeDirectory)
        let pipeline = try IngestPipeline(
            config: config, store: store, builder: RecordBuilder(), logger: Logger(label: "test"), once: false)
        let names = (0..<4).map { "t\($0).txt" }
        for name in names {
            try "Heading \(name)\n\nThe body of \(name), a paragraph of its own.\n".write(
                toFile: config.inbox + "/" + name, atomically: false, encoding: .utf8)
        }
        pipeline.mover.suspend()
        pipeline.handle(names.map { .file(FileName($0)) })
        let deadline = Date().addingTimeInterval(10)
        while store.stats.files < names.count && Date() < deadline { usleep(10_000) }
        #expect(store.stats.files == names.count)

        let stopped = DispatchSemaphore(value: 0)
        pipeline.onStop { _ in stopped.signal() }
        pipeline.stop()
        #expect(stopped.wait(timeout: .now() + 0.3) == .timedOut, "stopped with inputs still to be moved")
        pipeline.mover.resume()
        #expect(stopped.wait(timeout: .now() + 10) == .success)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: config.processedDirectory).sorted() == names.sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: config.inbox).isEmpty)
    }
}
