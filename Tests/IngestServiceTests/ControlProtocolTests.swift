import ControlProtocol
import Foundation
import Testing

@Suite("control protocol")
struct ControlProtocolTests {
    @Test("a request round-trips; the decoder returns the command")
    func requestRoundTrip() throws {
        let request = ControlRequest(command: .retryFailed, id: "42")
        let line = try JSONEncoder().encode(request)
        #expect(String(decoding: line, as: UTF8.self).contains(#""command":"retry-failed""#))
        guard case .success(let (command, decoded)) = RequestDecoder.decode(Array(line)[...]) else {
            Issue.record("not decoded")
            return
        }
        #expect(command == .retryFailed)
        #expect(decoded == request)
    }

    @Test(
        "bad requests map to their error codes",
        arguments: [
            ("not json", ControlErrorCode.badRequest), ("[1,2]", .badRequest), (#"{"command":"status"}"#, .badRequest),
            (#"{"version":2,"command":"status"}"#, .unsupportedVersion),
            (#"{"version":1,"command":"format-disk"}"#, .unknownCommand), ("", .badRequest),
            (String(repeating: "[", count: 60_000), .badRequest),
        ])
    func badRequests(_ text: String, _ code: ControlErrorCode) {
        guard case .failure(let error) = RequestDecoder.decode(Array(text.utf8)[...]) else {
            Issue.record("accepted: \(text.prefix(40))")
            return
        }
        #expect(error.code == code)
        #expect(!error.message.isEmpty)
    }

    @Test("an over-size request is refused before parsing")
    func tooLarge() {
        let huge = Array(repeating: UInt8(ascii: " "), count: ControlProtocol.defaultMaxRequestBytes + 1)
        guard case .failure(let error) = RequestDecoder.decode(huge[...]) else {
            Issue.record("accepted")
            return
        }
        #expect(error.code == .tooLarge)
    }

    @Test("responses are one line, decode back, and carry the version")
    func responses() throws {
        let success = ControlResponse.success(
            ["state": "running", "files": 3, "rates": [1.5, 2], "none": nil], id: "x")
        let line = success.encodedLine()
        #expect(line.last == 0x0A)
        #expect(!line.dropLast().contains(0x0A))
        let decoded = try JSONDecoder().decode(ControlResponse.self, from: Data(line))
        #expect(decoded == success)
        #expect(decoded.version == ControlProtocol.version)
        #expect(decoded.result?["files"]?.int == 3)
        let failure = ControlResponse.failure(.permissionDenied, "no\nway")
        let failureLine = failure.encodedLine()
        #expect(!failureLine.dropLast().contains(0x0A))
        #expect(
            try JSONDecoder().decode(ControlResponse.self, from: Data(failureLine)).error?.code == .permissionDenied)
    }

    @Test("only state-changing commands need privilege")
    func privilege() {
        #expect(
            ControlCommand.allCases.filter(\.changesState).map(\.rawValue).sorted()
                == ["pause", "reload", "rescan", "resume", "retry-failed"])
    }
}
