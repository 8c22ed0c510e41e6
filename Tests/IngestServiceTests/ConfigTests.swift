import Foundation
import IngestService
import Testing

@Suite("configuration")
struct ConfigTests {
    @Test("every documented key is read; unset keys keep their defaults")
    func fullFile() throws {
        let yaml = """
            inbox: /srv/in
            state_dir: /srv/state
            socket: /run/x.sock
            processed_action: delete
            max_file_bytes: 1000
            reconcile_interval: 2.5
            settle_seconds: 1
            max_pending: 10
            commit:
              max_files: 8
              max_bytes: 4096
              max_delay_ms: 0.5
            store:
              segment_max_bytes: 100000
            log:
              level: debug
            """
        let config = try IngestConfig.parse(yaml)
        #expect(config.inbox == "/srv/in")
        #expect(config.stateDirectory == "/srv/state")
        #expect(config.socketPath == "/run/x.sock")
        #expect(config.processedAction == .delete)
        #expect(config.maxFileBytes == 1000)
        #expect(config.reconcileIntervalSeconds == 2.5)
        #expect(config.settleSeconds == 1)
        #expect(config.maxPending == 10)
        #expect(config.commitMaxFiles == 8)
        #expect(config.commitMaxBytes == 4096)
        #expect(config.commitMaxDelayMilliseconds == 0.5)
        #expect(config.segmentMaxBytes == 100000)
        #expect(config.logLevel == "debug")
        let partial = try IngestConfig.parse("inbox: /a\n")
        var expected = IngestConfig()
        expected.inbox = "/a"
        #expect(partial == expected)
        #expect(try IngestConfig.parse("") == IngestConfig())
    }

    @Test(
        "mistakes are errors naming the key, never silently ignored",
        arguments: [
            ("inboks: /a", "unknown key 'inboks'"), ("commit:\n  max_file: 3", "unknown key 'commit.max_file'"),
            ("max_file_bytes: big", "max_file_bytes must be a whole number"), ("commit: 3", "commit must be a mapping"),
            ("processed_action: keep", "must be move or delete"), ("inbox: [a, b]", "inbox must be a non-empty string"),
            ("- a\n- b", "top level must be a mapping"), ("inbox: \"unterminated", "not valid YAML"),
        ])
    func errors(_ yaml: String, _ message: String) {
        do {
            _ = try IngestConfig.parse(yaml, origin: "test.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test("validation: relative paths become absolute; bad values refused")
    func validation() throws {
        var config = IngestConfig()
        config.inbox = "var/inbox"
        config.stateDirectory = "./var/lib/"
        let valid = try config.validated()
        let cwd = FileManager.default.currentDirectoryPath
        #expect(valid.inbox == cwd + "/var/inbox")
        #expect(valid.stateDirectory == cwd + "/var/lib")
        #expect(valid.storeDirectory == cwd + "/var/lib/store")
        for mutate in [
            { (c: inout IngestConfig) in c.commitMaxFiles = 0 }, { $0.logLevel = "loud" }, { $0.settleSeconds = -1 },
            {
                $0.inbox = "/x/state/inbox"; $0.stateDirectory = "/x/state"
            },
        ] {
            var bad = IngestConfig()
            mutate(&bad)
            #expect(throws: ConfigError.self) { try bad.validated() }
        }
    }

    @Test("the shipped configuration files parse and validate")
    func shippedFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for name in ["ingestd.yaml", "ingestd.dev.yaml"] {
            let config = try IngestConfig.load(path: root.appendingPathComponent("config/" + name).path)
            _ = try config.validated()
        }
    }
}
