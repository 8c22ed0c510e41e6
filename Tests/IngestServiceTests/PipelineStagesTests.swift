import Dispatch
import Foundation
import InboxWatcher
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
        let test = try TestPipeline("s", files: 12, commitMaxFiles: 2)
        defer { test.removeFiles() }
        let (pipeline, store, config) = (test.pipeline, test.store, test.config)

        // Moves held back: batches of two are appended until `maxBatchesMoving` of them wait for
        // the mover, and then no more.
        pipeline.mover.suspend()
        pipeline.handle(test.names.map { .file(FileName($0)) })
        let bound = IngestPipeline.maxBatchesMoving * config.commitMaxFiles
        test.wait { store.stats.files >= bound }
        usleep(300_000)  // time for more appends, if the bound did not hold
        #expect(
            store.stats.files == bound, "appended while \(IngestPipeline.maxBatchesMoving) batches wait to be moved")
        #expect(test.names(in: config.inbox) == test.names.sorted(), "an input left the inbox before the mover ran")
        #expect(test.names(in: config.processedDirectory).isEmpty)

        pipeline.mover.resume()
        test.wait { test.names(in: config.processedDirectory).count == test.names.count }
        #expect(test.names(in: config.processedDirectory) == test.names.sorted())
        #expect(test.names(in: config.inbox).isEmpty)
        #expect(store.stats.files == test.names.count)
        #expect(pipeline.status.filesProcessed == test.names.count)
        #expect(test.stop().wait(timeout: .now() + 10) == .success)
    }

    @Test("stop waits for the inputs of appended batches to be moved")
    func stopWaitsForMoves() throws {
        let test = try TestPipeline("t", files: 4, commitMaxFiles: 2)
        defer { test.removeFiles() }
        let (pipeline, store, config) = (test.pipeline, test.store, test.config)
        pipeline.mover.suspend()
        pipeline.handle(test.names.map { .file(FileName($0)) })
        test.wait { store.stats.files == test.names.count }
        #expect(store.stats.files == test.names.count)

        let stopped = test.stop()
        #expect(stopped.wait(timeout: .now() + 0.3) == .timedOut, "stopped with inputs still to be moved")
        pipeline.mover.resume()
        #expect(stopped.wait(timeout: .now() + 10) == .success)
        #expect(test.names(in: config.processedDirectory) == test.names.sorted())
        #expect(test.names(in: config.inbox).isEmpty)
    }
}
