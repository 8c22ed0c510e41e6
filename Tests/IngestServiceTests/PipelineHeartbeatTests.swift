import Dispatch
import Foundation
import InboxWatcher
import Testing

@testable import IngestService

/// The watchdog's heartbeat goes through the intake and commit queues; it must be answered even
/// when every chunk in flight has been prepared and waits for room in a batch.
@Suite("pipeline heartbeat")
struct PipelineHeartbeatTests {
    @Test("a heartbeat asked while prepared chunks wait for a busy committer is answered once it is free")
    func heartbeatWithPreparedChunksWaiting() throws {
        let test = try TestPipeline("h", files: 8, commitMaxFiles: 2)
        defer { test.removeFiles() }
        let pipeline = test.pipeline
        // The first batch of two is sealed and held; the second fills; the other four files are
        // prepared and wait for room. Nothing else is pending.
        pipeline.committer.suspend()
        pipeline.handle(test.names.map { .file(FileName($0)) })
        usleep(500_000)
        let answered = DispatchSemaphore(value: 0)
        pipeline.heartbeat { answered.signal() }
        pipeline.committer.resume()
        #expect(answered.wait(timeout: .now() + 10) == .success, "the heartbeat was never answered")

        let processed = test.config.processedDirectory
        test.wait { test.names(in: processed).count == test.names.count }
        #expect(test.names(in: processed) == test.names.sorted())
        #expect(test.stop().wait(timeout: .now() + 10) == .success)
    }
}
