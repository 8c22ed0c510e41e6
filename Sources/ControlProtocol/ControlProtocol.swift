import Foundation

/// The control protocol: newline-delimited JSON over a Unix stream socket. Each request is one
/// JSON object on one line; each response is one JSON object on one line. `tail` answers with a
/// response line and then streams records (one JSON object per line) until the client leaves.
/// Documented in docs/CONTROL_PROTOCOL.md.
public enum ControlProtocol {
    /// The protocol version this build speaks.
    public static let version = 1
    /// Requests longer than this (including the newline) are refused.
    public static let defaultMaxRequestBytes = 64 * 1024
}

/// The commands, and whether each may change anything (and so needs privilege).
public enum ControlCommand: String, Codable, Sendable, CaseIterable {
    case status, pause, resume, rescan, reload
    case retryFailed = "retry-failed"
    case verify, tail

    /// Read-only commands are open to anyone who can connect.
    public var changesState: Bool {
        switch self {
        case .status, .verify, .tail: false
        case .pause, .resume, .rescan, .reload, .retryFailed: true
        }
    }
}

/// One request line.
public struct ControlRequest: Codable, Sendable, Equatable {
    public var version: Int
    public var command: String
    /// Echoed in the response, so a client can match them.
    public var id: String?

    public init(command: ControlCommand, id: String? = nil) {
        self.version = ControlProtocol.version
        self.command = command.rawValue
        self.id = id
    }
}

/// Machine-readable error codes of failed responses.
public enum ControlErrorCode: String, Codable, Sendable {
    case badRequest = "bad_request"
    case tooLarge = "too_large"
    case timeout
    case busy
    case unknownCommand = "unknown_command"
    case unsupportedVersion = "unsupported_version"
    case permissionDenied = "permission_denied"
    case failed
}

public struct ControlError: Codable, Sendable, Equatable, Error {
    public var code: ControlErrorCode
    public var message: String

    public init(_ code: ControlErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// One response line: `ok` with a `result`, or not `ok` with an `error`; `notice` lines may follow
/// a streaming response (e.g. when a slow `tail` reader is dropped).
public struct ControlResponse: Codable, Sendable, Equatable {
    public var version: Int = ControlProtocol.version
    public var ok: Bool
    public var id: String?
    public var result: JSONValue?
    public var error: ControlError?
    public var notice: String?

    public init(
        ok: Bool, id: String? = nil, result: JSONValue? = nil, error: ControlError? = nil, notice: String? = nil
    ) {
        self.ok = ok
        self.id = id
        self.result = result
        self.error = error
        self.notice = notice
    }

    public static func success(_ result: JSONValue, id: String? = nil) -> ControlResponse {
        ControlResponse(ok: true, id: id, result: result)
    }

    public static func failure(_ code: ControlErrorCode, _ message: String, id: String? = nil) -> ControlResponse {
        ControlResponse(ok: false, id: id, error: ControlError(code, message))
    }

    public static func notice(_ text: String) -> ControlResponse {
        ControlResponse(ok: true, notice: text)
    }

    /// The response as one line of JSON with its newline.
    public func encodedLine() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = (try? encoder.encode(self)).map { Array($0) } ?? Array(#"{"ok":false,"version":1}"#.utf8)
        bytes.append(0x0A)
        return bytes
    }
}

/// A JSON value, for results whose shape depends on the command.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var number: Double? { if case .number(let value) = self { value } else { nil } }
    public var int: Int? { number.map { Int($0) } }
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var array: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

/// Decodes request lines, enforcing the protocol's rules.
public enum RequestDecoder {
    /// Decodes one request line (without its newline).
    public static func decode(_ line: ArraySlice<UInt8>) -> Result<(ControlCommand, ControlRequest), ControlError> {
        guard line.count < ControlProtocol.defaultMaxRequestBytes else {
            return .failure(
                ControlError(.tooLarge, "request longer than \(ControlProtocol.defaultMaxRequestBytes) bytes"))
        }
        let request: ControlRequest
        do {
            request = try JSONDecoder().decode(ControlRequest.self, from: Data(line))
        } catch {
            return .failure(
                ControlError(
                    .badRequest, "not a request: expected one JSON object like {\"version\":1,\"command\":\"status\"}"))
        }
        guard request.version == ControlProtocol.version else {
            return .failure(
                ControlError(
                    .unsupportedVersion,
                    "protocol version \(request.version) is not supported; this daemon speaks \(ControlProtocol.version)"
                ))
        }
        guard let command = ControlCommand(rawValue: request.command) else {
            let known = ControlCommand.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(ControlError(.unknownCommand, "unknown command '\(request.command)'; known: \(known)"))
        }
        return .success((command, request))
    }
}
