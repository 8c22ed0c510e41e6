import Dispatch
import Foundation
import Logging
import RecordStore

@testable import IngestService

/// A pipeline on fresh directories under a temporary root, with small plain-text files in its
/// inbox that no event has reported yet. Batches close at `commitMaxFiles` files, or at once when
/// nothing else is pending.
struct TestPipeline {
    let root: String
    let config: IngestConfig
    let store: RecordStore
    let pipeline: IngestPipeline
    /// The inbox files, in the order they were written.
    let names: [String]

    init(_ label: String, files: Int, commitMaxFiles: Int) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        var config = IngestConfig()
        config.inbox = root + "/inbox"
        config.stateDirectory = root + "/state"
        config.commitMaxFiles = commitMaxFiles
        config.commitMaxDelayMilliseconds = 0
        try Daemon.prepareDirectories(config)
        self.config = config
        store = try RecordStore(directory: config.storeDirectory)
        pipeline = try IngestPipeline(
            config: config, store: store, builder: RecordBuilder(), logger: Logger(label: "test"), once: false)
        names = (0..<files).map { "\(label)\($0).txt" }
        for name in names {
            try "Heading \(name)\n\nThe body of \(name), a paragraph of its own.\n".write(
                toFile: config.inbox + "/" + name, atomically: false, encoding: .utf8)
        }
    }

    func removeFiles() { try? FileManager.default.removeItem(atPath: root) }

    /// The names in `directory`, sorted; empty when it cannot be listed.
    func names(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Waits up to `seconds` for `condition`; returns whether it held.
    @discardableResult
    func wait(seconds: Double = 10, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { usleep(10_000) }
        return condition()
    }

    /// Asks the pipeline to stop and returns the semaphore signalled when it has.
    func stop() -> DispatchSemaphore {
        let stopped = DispatchSemaphore(value: 0)
        pipeline.onStop { _ in stopped.signal() }
        pipeline.stop()
        return stopped
    }
}
