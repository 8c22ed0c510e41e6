/// A parsed JSON value. Object members keep their order; numbers keep their text.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])
}

/// One member of a JSON object.
struct JSONMember: Sendable, Equatable {
    var key: String
    var value: JSONValue
}

/// Why JSON could not be read, with the byte offset.
struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String
    var offset: Int

    var description: String { "\(message) at byte \(offset)" }
}

/// A pull parser over UTF-8 JSON. It never recurses: containers are tracked on explicit stacks, and
/// nesting deeper than `maxDepth` is an error, so hostile input (100,000 nested `[`) costs nothing
/// but a clear error. Callers can stream the elements of a large top-level array one at a time.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    /// Deepest nesting accepted inside one value.
    static let maxDepth = 64

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var atEnd: Bool { position >= bytes.count }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    mutating func expect(_ byte: UInt8) throws(JSONError) {
        skipWhitespace()
        guard peek == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    /// Consumes `byte` if it comes next (after whitespace).
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard peek == byte else { return false }
        position += 1
        return true
    }

    func error(_ message: String) -> JSONError { JSONError(message: message, offset: position) }

    /// An object key and its colon.
    mutating func parseKey() throws(JSONError) -> String {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw error("expected an object key") }
        let key = try parseString()
        try expect(UInt8(ascii: ":"))
        return key
    }

    private enum Container {
        case array
        case object
    }

    /// One complete value.
    mutating func parseValue() throws(JSONError) -> JSONValue {
        var kinds: [Container] = []
        var arrays: [[JSONValue]] = []
        var objects: [[JSONMember]] = []
        var keys: [String] = []
        while true {
            skipWhitespace()
            guard let byte = peek else { throw error("unexpected end of input") }
            var value: JSONValue
            switch byte {
            case UInt8(ascii: "{"):
                position += 1
                guard kinds.count < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
                if consume(UInt8(ascii: "}")) {
                    value = .object([])
                } else {
                    keys.append(try parseKey())
                    kinds.append(.object)
                    objects.append([])
                    continue
                }
            case UInt8(ascii: "["):
                position += 1
                guard kinds.count < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
                if consume(UInt8(ascii: "]")) {
                    value = .array([])
                } else {
                    kinds.append(.array)
                    arrays.append([])
                    continue
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "t"):
                try literal("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(parseNumber())
            default:
                throw error("unexpected character")
            }
            // Attach the value to its container; close containers that end here.
            attaching: while true {
                guard let kind = kinds.last else { return value }
                switch kind {
                case .array:
                    arrays[arrays.count - 1].append(value)
                    if consume(UInt8(ascii: ",")) { break attaching }
                    guard consume(UInt8(ascii: "]")) else { throw error("expected ',' or ']'") }
                    kinds.removeLast()
                    value = .array(arrays.removeLast())
                case .object:
                    objects[objects.count - 1].append(JSONMember(key: keys.removeLast(), value: value))
                    if consume(UInt8(ascii: ",")) {
                        keys.append(try parseKey())
                        break attaching
                    }
                    guard consume(UInt8(ascii: "}")) else { throw error("expected ',' or '}'") }
                    kinds.removeLast()
                    value = .object(objects.removeLast())
                }
            }
        }
    }

    private mutating func literal(_ word: String) throws(JSONError) {
        let expected = Array(word.utf8)
        guard position + expected.count <= bytes.count else { throw error("unexpected end of input") }
        for (offset, byte) in expected.enumerated() where bytes[position + offset] != byte {
            throw error("invalid literal")
        }
        position += expected.count
    }

    private mutating func parseNumber() -> String {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            guard
                (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
            else { break }
            position += 1
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    /// A string at `position` (which holds the opening quote). Invalid escapes and lone surrogates
    /// become U+FFFD; raw control characters other than a line break are tolerated (they are cleaned
    /// later). A raw line break is an error, which keeps a broken JSON Lines record on its line.
    mutating func parseString() throws(JSONError) -> String {
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte == 0x0A { throw error("line break inside a string") }
            position += 1
        }
        var out = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: out, as: UTF8.self)
            }
            if byte == 0x0A { throw error("line break inside a string") }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                position += 1
                continue
            }
            guard position + 1 < bytes.count else { break }
            let escape = bytes[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"), UInt8(ascii: "f"): out.append(0x20)
            case UInt8(ascii: "u"):
                var scalar = hex4() ?? 0xFFFD
                if (0xD800...0xDBFF).contains(scalar) {
                    if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u")
                    {
                        position += 2
                        if let low = hex4(), (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default: out.append(escape)  // \" \\ \/ and anything else taken literally
            }
        }
        throw error("unterminated string")
    }

    private mutating func hex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[position + offset]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        position += 4
        return value
    }
}
