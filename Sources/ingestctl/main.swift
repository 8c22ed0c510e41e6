import ArgumentParser
import ControlProtocol
import Foundation
import IngestService
import RecordStore

#if canImport(Glibc)
    import Glibc
#endif

/// `ingestctl`: the operator's tool for a running ingestd, over its control socket.
struct Ingestctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingestctl",
        abstract: "Inspect and operate a running ingestd.",
        discussion: """
            Exit codes: 0 ok; 1 the daemon reported an error; 2 usage; 3 cannot connect to the daemon; \
            4 permission denied by the daemon.
            """,
        version: IngestVersion.current,
        subcommands: [
            Status.self, Pause.self, Resume.self, Rescan.self, Reload.self, RetryFailed.self, Verify.self, Tail.self,
            VerifyStore.self,
        ]
    )
}

/// Where to find the daemon, and how to print.
struct ClientOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Control socket (default: $INGESTCTL_SOCKET, else the socket in --config, else /run/ingestd/control.sock).")
    var socket: String?
    @Option(name: .long, help: "Read the socket path from this ingestd configuration file.")
    var config: String?
    @Flag(name: .long, help: "Print the daemon's answer as JSON.")
    var json = false

    func socketPath() throws(ClientFailure) -> String {
        if let socket { return socket }
        if let env = ProcessInfo.processInfo.environment["INGESTCTL_SOCKET"], !env.isEmpty { return env }
        if let config {
            do {
                return try IngestConfig.load(path: config).validated().socketPath
            } catch {
                throw ClientFailure(message: "\(error)", status: ExitStatus.usage)
            }
        }
        return IngestConfig().socketPath
    }

    /// Sends one command and returns the result, or fails with the right exit code.
    func call(_ command: ControlCommand, timeout: Double = 30) throws(ClientFailure) -> JSONValue {
        let client = try ControlClient(path: try socketPath())
        let response = try client.request(command, timeout: timeout)
        if let error = response.error { throw ClientFailure(error) }
        return response.result ?? .null
    }

    func printJSON(_ value: JSONValue) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
    }
}

/// Runs `body`, turning a ClientFailure into its message and exit code.
func runClient(_ body: () throws(ClientFailure) -> Void) throws {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data(("ingestctl: " + error.message + "\n").utf8))
        throw ExitCode(error.status)
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show state, counters, throughput, latency and the last error.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        try runClient { () throws(ClientFailure) in
            let result = try options.call(.status)
            if options.json { options.printJSON(result) } else { print(StatusFormatter.render(result)) }
        }
    }
}

/// A command that changes state and prints a one-line confirmation.
protocol SimpleCommand: ParsableCommand {
    static var command: ControlCommand { get }
    var options: ClientOptions { get }
    func describe(_ result: JSONValue) -> String
}

extension SimpleCommand {
    func run() throws {
        try runClient { () throws(ClientFailure) in
            let result = try options.call(Self.command, timeout: Self.command == .reload ? 60 : 30)
            if options.json { options.printJSON(result) } else { print(describe(result)) }
        }
    }
}

struct Pause: SimpleCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop taking new files (the batch in flight still commits).")
    static let command = ControlCommand.pause
    @OptionGroup var options: ClientOptions
    func describe(_ result: JSONValue) -> String { "paused: new files wait in the inbox until 'ingestctl resume'" }
}

struct Resume: SimpleCommand {
    static let configuration = CommandConfiguration(abstract: "Take files again after a pause.")
    static let command = ControlCommand.resume
    @OptionGroup var options: ClientOptions
    func describe(_ result: JSONValue) -> String { "resumed" }
}

struct Rescan: SimpleCommand {
    static let configuration = CommandConfiguration(abstract: "List the inbox again now.")
    static let command = ControlCommand.rescan
    @OptionGroup var options: ClientOptions
    func describe(_ result: JSONValue) -> String { "rescan requested" }
}

struct Reload: SimpleCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-read the configuration file (like SIGHUP / systemctl reload).")
    static let command = ControlCommand.reload
    @OptionGroup var options: ClientOptions
    func describe(_ result: JSONValue) -> String { "reloaded \(result["config"]?.string ?? "the configuration")" }
}

struct RetryFailed: SimpleCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry-failed", abstract: "Move failed inputs back into the inbox (their sidecars are removed).")
    static let command = ControlCommand.retryFailed
    @OptionGroup var options: ClientOptions
    func describe(_ result: JSONValue) -> String {
        let moved = result["moved"]?.int ?? 0
        var text = "moved \(moved) file\(moved == 1 ? "" : "s") back into the inbox"
        for problem in result["problems"]?.array ?? [] { text += "\n  not moved: \(problem.string ?? "")" }
        return text
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the store's integrity while ingest goes on: checksums, whole JSON lines, unique ids.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        try runClient { () throws(ClientFailure) in
            let result = try options.call(.verify, timeout: 3600)
            if options.json {
                options.printJSON(result)
            } else {
                let checked = result["records_checked"]?.int ?? 0
                let problems = result["problems"]?.array ?? []
                print(
                    "checked \(StatusFormatter.grouped(checked)) records: "
                        + (problems.isEmpty ? "ok" : "\(result["problem_count"]?.int ?? problems.count) problems"))
                for problem in problems { print("  \(problem.string ?? "")") }
            }
            if result["ok"]?.bool != true {
                throw ClientFailure(message: "the store has problems", status: ExitStatus.daemonError)
            }
        }
    }
}

struct Tail: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print records as they are committed, one JSON object per line, until interrupted.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        try runClient { () throws(ClientFailure) in
            let client = try ControlClient(path: try options.socketPath())
            let response = try client.request(.tail, timeout: 30)
            if let error = response.error { throw ClientFailure(error) }
            while let line = try client.readLine(timeout: nil) {
                if line.starts(with: Array(#"{"notice""#.utf8)) || line.starts(with: Array(#"{"ok""#.utf8)),
                    let notice = try? JSONDecoder().decode(ControlResponse.self, from: Data(line)),
                    let text = notice.notice
                {
                    throw ClientFailure(message: text, status: ExitStatus.daemonError)
                }
                FileHandle.standardOutput.write(Data(line + [0x0A]))
            }
        }
    }
}

/// Checks a store offline: exits 0 when clean, 1 when problems were found, 3 when it cannot open it.
struct VerifyStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-store",
        abstract: "Check a store directory's integrity with the daemon stopped (no socket needed)."
    )

    @Argument(help: "The store directory (STATE_DIR/store).")
    var directory: String

    func run() throws {
        guard access(directory + "/commits.idx", F_OK) == 0 else {
            print("ingestctl: \(directory) is not an ingestd store (no commits.idx)")
            throw ExitCode(ExitStatus.cannotConnect)
        }
        let store: RecordStore
        do {
            store = try RecordStore(directory: directory)
        } catch {
            print("ingestctl: cannot open the store: \(error)")
            throw ExitCode(ExitStatus.cannotConnect)
        }
        var problems = store.recovery.problems
        problems += store.verify().filter { !problems.contains($0) }
        let stats = store.stats
        print(
            "\(stats.records) records from \(stats.files) inputs in \(stats.segments) segments (\(stats.bytes) bytes)")
        if store.recovery.truncatedBytes > 0 {
            print("repaired: cut \(store.recovery.truncatedBytes) bytes of an unacknowledged tail")
        }
        if problems.isEmpty {
            print("ok: no problems found")
            return
        }
        for problem in problems { print("problem: \(problem)") }
        throw ExitCode(ExitStatus.daemonError)
    }
}

// Usage errors exit 2 (ArgumentParser's default would be 64).
do {
    var command = try Ingestctl.parseAsRoot()
    try command.run()
} catch {
    if Ingestctl.exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((Ingestctl.fullMessage(for: error) + "\n").utf8))
        exit(ExitStatus.usage)
    }
    Ingestctl.exit(withError: error)
}
