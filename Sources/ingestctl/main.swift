import ArgumentParser
import RecordStore

#if canImport(Glibc)
import Glibc
#endif

/// `ingestctl`: the operator's tool. The control-socket commands (status, pause, …) talk to a
/// running daemon; `verify` reads a store directly and works with the daemon stopped.
struct Ingestctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingestctl",
        abstract: "Inspect and operate ingestd.",
        version: "0.1.0",
        subcommands: [VerifyStore.self]
    )
}

/// Checks a store offline: every committed range against its checksum, lines whole, no bytes
/// outside a commit. Exits 0 when clean, 1 when problems were found, 3 when it cannot open it.
struct VerifyStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-store",
        abstract: "Check a store directory's integrity (run it while the daemon is stopped)."
    )

    @Argument(help: "The store directory (STATE_DIR/store).")
    var directory: String

    func run() throws {
        guard access(directory + "/commits.idx", F_OK) == 0 else {
            print("ingestctl: \(directory) is not an ingestd store (no commits.idx)")
            throw ExitCode(3)
        }
        let store: RecordStore
        do {
            store = try RecordStore(directory: directory)
        } catch {
            print("ingestctl: cannot open the store: \(error)")
            throw ExitCode(3)
        }
        var problems = store.recovery.problems
        problems += store.verify().filter { !problems.contains($0) }
        let stats = store.stats
        print("\(stats.records) records from \(stats.files) inputs in \(stats.segments) segments (\(stats.bytes) bytes)")
        if store.recovery.truncatedBytes > 0 {
            print("repaired: cut \(store.recovery.truncatedBytes) bytes of an unacknowledged tail")
        }
        if problems.isEmpty {
            print("ok: no problems found")
            return
        }
        for problem in problems { print("problem: \(problem)") }
        throw ExitCode(1)
    }
}

Ingestctl.main()
