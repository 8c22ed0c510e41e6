/// Appends compact JSON to a byte buffer, with keys in the order they are written.
///
/// Strings are escaped per RFC 8259: `"` and `\`, control characters, and also U+2028/U+2029 so a
/// line is safe to embed in JavaScript. The writer never emits a raw newline, so one value is one line.
public struct JSONWriter: Sendable {
    /// The JSON text written so far, as UTF-8.
    public private(set) var bytes: [UInt8]
    private var needsComma: [Bool] = []

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Starts an object (as a value: call `key` first when nested in an object).
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes an object key; the next call writes its value.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        pendingValueAfterKey = true
    }

    public mutating func string(_ value: String) {
        separate()
        JSONWriter.appendEscaped(value, to: &bytes)
    }

    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func int(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func int(_ value: Int?) {
        if let value { int(value) } else { null() }
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    private var pendingValueAfterKey = false

    private mutating func separate() {
        if pendingValueAfterKey {
            pendingValueAfterKey = false
            return
        }
        guard !needsComma.isEmpty else { return }
        if needsComma[needsComma.count - 1] {
            bytes.append(UInt8(ascii: ","))
        } else {
            needsComma[needsComma.count - 1] = true
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `value` as a quoted, escaped JSON string.
    public static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            let count = utf8.count
            while index < count {
                let byte = utf8[index]
                var escape: (UInt8, UInt8)? = nil
                var width = 1
                switch byte {
                case UInt8(ascii: "\""): escape = (UInt8(ascii: "\\"), UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): escape = (UInt8(ascii: "\\"), UInt8(ascii: "\\"))
                case 0x0A: escape = (UInt8(ascii: "\\"), UInt8(ascii: "n"))
                case 0x0D: escape = (UInt8(ascii: "\\"), UInt8(ascii: "r"))
                case 0x09: escape = (UInt8(ascii: "\\"), UInt8(ascii: "t"))
                case 0x00..<0x20: break
                case 0xE2
                where index + 2 < count && utf8[index + 1] == 0x80
                    && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                    width = 3  // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
                default:
                    index += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                if let (a, b) = escape {
                    out.append(a)
                    out.append(b)
                } else {
                    let scalar: UInt32 = width == 3 ? 0x2000 | UInt32(utf8[index + 2] - 0x80) : UInt32(byte)
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
                    for shift in stride(from: 12, through: 0, by: -4) {
                        out.append(hexDigits[Int((scalar >> UInt32(shift)) & 0xF)])
                    }
                }
                index += width
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<count]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
