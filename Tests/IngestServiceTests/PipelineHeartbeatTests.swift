import Dispatch
import Foundation
import InboxWatcher
import Logging
import RecordStore
import Testing

@testable import IngestService

/// The watchdog's heartbeat goes through the intake and commit queues; it must be answered even
/// when every chunk in flight has been prepared and waits for room in a batch.
@Suite("pipeline heartbeat")
struct PipelineHeartbeatTests {
    @Test("a heartbeat asked while prepared chunks wait for a busy committer is answered once it is free")
    func heartbeatWithPreparedChunksWaiting() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("heartbeat-\(UUID().uuidString)").path
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
        let names = (0..<8).map { "h\($0).txt" }
        for name in names {
            try "Heading \(name)\n\nThe body of \(name), a paragraph of its own.\n".write(
                toFile: config.inbox + "/" + name, atomically: false, encoding: .utf8)
        }
        // The first batch of two is sealed and held; the second fills; the other four files are
        // prepared and wait for room. Nothing else is pending.
        pipeline.committer.suspend()
        pipeline.handle(names.map { .file(FileName($0)) })
        usleep(500_000)
        let answered = DispatchSemaphore(value: 0)
        pipeline.heartbeat { answered.signal() }
        pipeline.committer.resume()
        #expect(answered.wait(timeout: .now() + 10) == .success, "the heartbeat was never answered")

        let processed = config.processedDirectory
        let deadline = Date().addingTimeInterval(10)
        while (try? FileManager.default.contentsOfDirectory(atPath: processed).count) ?? 0 < names.count
            && Date() < deadline
        {
            usleep(10_000)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: processed).sorted() == names.sorted())
        let stopped = DispatchSemaphore(value: 0)
        pipeline.onStop { _ in stopped.signal() }
        pipeline.stop()
        #expect(stopped.wait(timeout: .now() + 10) == .success)
    }
}
