import ArgumentParser
import DaemonSupport
import IngestService

#if canImport(Glibc)
    import Glibc
#endif

/// `ingestd`: the watch-folder ingest daemon.
struct Ingestd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingestd",
        abstract: "Turns news pages dropped into an inbox directory into durable JSON Lines article records.",
        version: IngestVersion.current,
        subcommands: [Run.self, Parse.self],
        defaultSubcommand: Run.self
    )
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon (the default).")

    @Option(
        name: .long,
        help: "Configuration file (YAML). Default: $INGESTD_CONFIG, else /etc/ingestd/ingestd.yaml if present.")
    var config: String?
    @Option(name: .long, help: "Inbox directory to watch (overrides the config).")
    var inbox: String?
    @Option(
        name: .customLong("state-dir"),
        help: "State directory holding store/, processed/, failed/ (overrides the config).")
    var stateDir: String?
    @Option(name: .long, help: "Control socket path (overrides the config).")
    var socket: String?
    @Flag(name: .long, help: "Ingest what is in the inbox, then exit 0 (for back-fills and cron).")
    var once = false
    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (overrides the config).")
    var logLevel: String?

    func run() throws {
        MallocArenas.limit(to: MallocArenas.pipelineDefault)
        let settings: IngestConfig
        do {
            settings = try load()
        } catch {
            FileHandleWriter.stderr("ingestd: configuration error: \(error)\n")
            throw ExitCode(78)  // EX_CONFIG: systemd should not restart into the same mistake
        }
        let levels = Daemon.bootstrapLogging(level: settings.logLevel)
        let command = self
        let daemon = Daemon(config: settings, levels: levels, once: once) { () throws(ConfigError) in try command.load()
        }
        let code = daemon.run()
        if code != 0 { throw ExitCode(code) }
    }

    /// The configuration file with this command line's overrides, validated.
    func load() throws(ConfigError) -> IngestConfig {
        var settings = try ConfigLocator.load(explicit: config)
        if let inbox { settings.inbox = inbox }
        if let stateDir { settings.stateDirectory = stateDir }
        if let socket { settings.socketPath = socket }
        if let logLevel { settings.logLevel = logLevel }
        return try settings.validated()
    }
}

struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the records the parser makes of FILEs as JSON Lines; touches no store.")

    @Argument(help: "Input files.")
    var files: [String]

    func run() throws {
        let failures = ParseCommand.run(files: files)
        if failures > 0 { throw ExitCode(1) }
    }
}

Ingestd.main()
