public import ControlProtocol
public import ControlServer
import DaemonSupport
import Dispatch
import Foundation
import InboxWatcher
import Logging
import RecordStore

#if canImport(Glibc)
    import Glibc
#endif

/// The control commands. `handle` runs on the socket's queue: everything here either reads
/// thread-safe snapshots or moves to another queue, so serving the socket never waits on ingest.
extension Daemon: ControlHandler {
    public func handle(_ command: ControlCommand, request: ControlRequest, peer: PeerCredentials, reply: ControlReply) {
        let id = request.id
        if command.changesState && !isPrivileged(peer) {
            logger.warning(
                "refused a control command: not permitted",
                metadata: ["command": "\(command.rawValue)", "uid": "\(peer.uid)", "pid": "\(peer.pid)"])
            reply.send(
                .failure(
                    .permissionDenied,
                    "'\(command.rawValue)' changes the daemon's state: it needs root, the daemon's user"
                        + (config.controlAdminGroup.map { " or the group \($0)" } ?? ""), id: id))
            return
        }
        if command.changesState {
            logger.notice(
                "control command",
                metadata: ["command": "\(command.rawValue)", "uid": "\(peer.uid)", "pid": "\(peer.pid)"])
        }
        switch command {
        case .status:
            DispatchQueue.global(qos: .utility).async { reply.send(.success(self.statusReport(), id: id)) }
        case .pause:
            pipeline?.pause()
            reply.send(.success(["state": "paused"], id: id))
        case .resume:
            pipeline?.resume()
            reply.send(.success(["state": "running"], id: id))
        case .rescan:
            pipeline?.requestRescan(reason: "requested by ingestctl")
            reply.send(.success(["rescan": "requested"], id: id))
        case .reload:
            control.async {
                let outcome = self.reload()
                switch outcome {
                case .applied:
                    reply.send(
                        .success(["reloaded": true, "config": .string(self.config.sourcePath ?? "(defaults)")], id: id))
                case .refused(let why): reply.send(.failure(.failed, "reload refused: \(why)", id: id))
                }
            }
        case .retryFailed:
            DispatchQueue.global(qos: .utility).async { reply.send(self.retryFailed(id: id)) }
        case .verify:
            DispatchQueue.global(qos: .background).async { reply.send(self.verifyStore(id: id)) }
        case .tail:
            reply.startStream(.success(["streaming": true, "format": "one record per line, as committed"], id: id))
        }
    }

    /// Root, the daemon's own user, or a member of `control.admin_group`.
    func isPrivileged(_ peer: PeerCredentials) -> Bool {
        if peer.uid == 0 || peer.uid == geteuid() { return true }
        guard let name = config.controlAdminGroup, let group = getgrnam(name) else { return false }
        let gid = group.pointee.gr_gid
        if peer.gid == gid { return true }
        // Supplementary groups of the connecting process.
        guard let status = try? String(contentsOfFile: "/proc/\(peer.pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Groups:") })
        else { return false }
        return line.dropFirst(7).split(separator: " ").contains { UInt32($0) == gid }
    }

    /// The answer to `status`.
    func statusReport() -> JSONValue {
        guard let pipeline, let store else { return ["state": "starting", "version": .string(IngestVersion.current)] }
        let status = pipeline.status
        let stats = store.stats
        let now = Timestamp.monotonicNanoseconds()
        let rates = pipeline.metrics.rates(now: now)
        let latency = pipeline.metrics.latency(quantiles: [0.5, 0.99])
        let settings = control.sync { config }
        let state: String =
            isStopping ? "stopping" : status.degraded != nil ? "degraded" : status.paused ? "paused" : "running"
        let waiting = InboxScanner.scan(settings.inbox, limit: 1_000_000) { _ in false }?.names.count
        func rateObject(_ values: [Double]) -> JSONValue {
            [
                "1m": .number((values[0] * 100).rounded() / 100), "5m": .number((values[1] * 100).rounded() / 100),
                "15m": .number((values[2] * 100).rounded() / 100),
            ]
        }
        return [
            "state": .string(state),
            "version": .string(IngestVersion.current),
            "pid": .number(Double(getpid())),
            "uptime_seconds": .number(Double((now - startedAt) / 1_000_000_000)),
            "config_file": settings.sourcePath.map(JSONValue.string) ?? .null,
            "inbox": .string(settings.inbox),
            "state_dir": .string(settings.stateDirectory),
            "files_waiting": waiting.map { .number(Double($0)) } ?? .null,
            "files_queued": .number(Double(status.queued)),
            "files_processed": .number(Double(status.filesProcessed)),
            "files_failed": .number(Double(status.filesFailed)),
            "duplicates_skipped": .number(Double(status.filesDuplicate)),
            "articles_duplicate_skipped": .number(Double(status.articlesDuplicate)),
            "articles_near_duplicate": .number(Double(status.articlesNearDuplicate)),
            "articles_written": .number(Double(status.recordsWritten)),
            "store": [
                "bytes": .number(Double(stats.bytes)), "segments": .number(Double(stats.segments)),
                "records": .number(Double(stats.records)), "inputs": .number(Double(stats.files)),
            ],
            "throughput_files_per_second": rateObject(rates.files),
            "throughput_articles_per_second": rateObject(rates.records),
            "latency_ms": latency.map {
                ["p50": .number(($0[0] * 100).rounded() / 100), "p99": .number(($0[1] * 100).rounded() / 100)]
            } ?? .null,
            "degraded": status.degraded.map(JSONValue.string) ?? .null,
            "last_error": status.lastError.map(JSONValue.string) ?? .null,
            "store_problems": .array(store.recovery.problems.map(JSONValue.string)),
        ]
    }

    /// Moves failed inputs back into the inbox (each with a sidecar), removing the sidecars.
    func retryFailed(id: String?) -> ControlResponse {
        let settings = control.sync { config }
        let failed = settings.failedDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: failed) else {
            return .failure(.failed, "cannot list \(failed)", id: id)
        }
        let sidecars = Set(names.filter { $0.hasSuffix(".error.json") })
        var moved = 0
        var problems: [JSONValue] = []
        for name in names.sorted() where sidecars.contains(name + ".error.json") {
            let target = freeInboxName(name, inbox: settings.inbox)
            if rename(failed + "/" + name, settings.inbox + "/" + target) == 0 {
                unlink(failed + "/" + name + ".error.json")
                moved += 1
            } else {
                problems.append(.string("\(name): \(String(cString: strerror(errno)))"))
            }
        }
        _ = try? POSIX.syncDirectory(failed)
        logger.notice("moved failed inputs back into the inbox", metadata: ["files": "\(moved)"])
        return .success(["moved": .number(Double(moved)), "problems": .array(problems)], id: id)
    }

    private func freeInboxName(_ name: String, inbox: String) -> String {
        var candidate = name
        var counter = 0
        while access(inbox + "/" + candidate, F_OK) == 0 {
            counter += 1
            candidate = name + ".retry\(counter)"
        }
        return candidate
    }

    /// Checks the store while ingest goes on: checksums and shape of every committed range, every
    /// line a JSON object with an id, no id twice.
    func verifyStore(id: String?) -> ControlResponse {
        guard let store else { return .failure(.failed, "the store is not open", id: id) }
        var ids = Set<String>()
        var lines = 0
        var duplicates = 0
        let problems = store.verify { segment, line, bytes in
            lines += 1
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                return "\(segment) line \(line): not a JSON object"
            }
            guard let recordID = object["id"] as? String else { return "\(segment) line \(line): no id" }
            if !ids.insert(recordID).inserted {
                duplicates += 1
                return "\(segment) line \(line): id \(recordID) appears more than once"
            }
            return nil
        }
        return .success(
            [
                "ok": .bool(problems.isEmpty), "records_checked": .number(Double(lines)),
                "duplicate_ids": .number(Double(duplicates)),
                "problems": .array(problems.prefix(1000).map(JSONValue.string)),
                "problem_count": .number(Double(problems.count)),
            ], id: id)
    }
}
