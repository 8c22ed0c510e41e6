/// A small JSON reader for the tests: exact value kinds (integers stay apart from fractions, booleans
/// from numbers), which the schema validator needs. Recursive: test inputs are shallow.
enum TestJSON: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([TestJSON])
    case object([(key: String, value: TestJSON)])

    static func == (lhs: TestJSON, rhs: TestJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    subscript(key: String) -> TestJSON? {
        if case .object(let members) = self { return members.first { $0.key == key }?.value }
        return nil
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var arrayValue: [TestJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .array(let values): return "[" + values.map(\.description).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { "\"\($0.key)\":\($0.value.description)" }.joined(separator: ",") + "}"
        }
    }

    struct SyntaxError: Error, CustomStringConvertible {
        var offset: Int
        var description: String { "invalid JSON at byte \(offset)" }
    }

    static func parse(_ text: String) throws -> TestJSON {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw SyntaxError(offset: parser.index) }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func value() throws -> TestJSON {
            skipSpace()
            guard index < bytes.count else { throw SyntaxError(offset: index) }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: String, value: TestJSON)] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(UInt8(ascii: ":"))
                    members.append((key, try value()))
                    skipSpace()
                    if try separatorOrEnd(UInt8(ascii: "}")) { return .object(members) }
                }
            case UInt8(ascii: "["):
                index += 1
                var values: [TestJSON] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(values)
                }
                while true {
                    values.append(try value())
                    skipSpace()
                    if try separatorOrEnd(UInt8(ascii: "]")) { return .array(values) }
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default: return try number()
            }
        }

        mutating func expect(_ byte: UInt8) throws {
            guard index < bytes.count, bytes[index] == byte else { throw SyntaxError(offset: index) }
            index += 1
        }

        /// Consumes "," (false) or `end` (true).
        mutating func separatorOrEnd(_ end: UInt8) throws -> Bool {
            guard index < bytes.count else { throw SyntaxError(offset: index) }
            index += 1
            if bytes[index - 1] == UInt8(ascii: ",") { return false }
            if bytes[index - 1] == end { return true }
            throw SyntaxError(offset: index - 1)
        }

        mutating func literal(_ word: String, _ value: TestJSON) throws -> TestJSON {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw SyntaxError(offset: index)
            }
            index += expected.count
            return value
        }

        mutating func number() throws -> TestJSON {
            let start = index
            while index < bytes.count, "-+.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if let integer = Int(text) { return .integer(integer) }
            if let double = Double(text) { return .number(double) }
            throw SyntaxError(offset: start)
        }

        mutating func string() throws -> String {
            try expect(UInt8(ascii: "\""))
            var scalars = String.UnicodeScalarView()
            var pendingHigh: UInt32? = nil
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return String(scalars)
                }
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count,
                            let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
                        else { throw SyntaxError(offset: index) }
                        index += 4
                        if (0xD800...0xDBFF).contains(code) {
                            pendingHigh = code
                            continue
                        }
                        var value = code
                        if let high = pendingHigh, (0xDC00...0xDFFF).contains(code) {
                            value = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                        }
                        pendingHigh = nil
                        scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                    default: scalars.append(Unicode.Scalar(escape))
                    }
                    continue
                }
                // A raw UTF-8 sequence.
                let width = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                let piece = String(decoding: bytes[index..<min(index + width, bytes.count)], as: UTF8.self)
                scalars.append(contentsOf: piece.unicodeScalars)
                index += width
            }
            throw SyntaxError(offset: index)
        }
    }
}
