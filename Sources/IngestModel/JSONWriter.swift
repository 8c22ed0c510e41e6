internal import CByteScan

/// Appends compact JSON to a byte buffer, with keys in the order they are written.
///
/// Strings are escaped per RFC 8259: `"` and `\`, control characters, and also U+2028/U+2029 so a
/// line is safe to embed in JavaScript. The writer never emits a raw newline, so one value is one line.
public struct JSONWriter: Sendable {
    /// The JSON text written so far, as UTF-8.
    public private(set) var bytes: [UInt8]
    /// How many objects and arrays are open.
    private var depth = 0
    /// Bit `level` is set once the container open at `level` holds a value (so the next one
    /// needs a comma), for the outermost 64 levels; deeper levels are kept in `deepLevelHasValue`.
    private var levelHasValue: UInt64 = 0
    private var deepLevelHasValue: [Bool] = []
    private var pendingValueAfterKey = false

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A writer that appends to `buffer`, which it takes over (leaving it empty) until
    /// `takeBytes()` hands it back; with room for `extraCapacity` more bytes.
    init(continuing buffer: inout [UInt8], extraCapacity: Int) {
        bytes = []
        swap(&bytes, &buffer)
        let needed = bytes.count + extraCapacity
        if bytes.capacity < needed { bytes.reserveCapacity(Swift.max(needed, 2 * bytes.capacity)) }
    }

    /// The bytes written, leaving the writer empty.
    mutating func takeBytes() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        return taken
    }

    /// Starts an object (as a value: call `key` first when nested in an object).
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        openLevel()
    }

    public mutating func endObject() {
        closeLevel()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        openLevel()
    }

    public mutating func endArray() {
        closeLevel()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes an object key; the next call writes its value.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        pendingValueAfterKey = true
    }

    public mutating func string(_ value: String) {
        separate()
        JSONWriter.appendEscaped(value, to: &bytes)
    }

    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// Writes `value` in decimal, as `String(value)` does.
    public mutating func int(_ value: Int) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the 20 digits of UInt64.max
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    public mutating func int(_ value: Int?) {
        if let value { int(value) } else { null() }
    }

    public mutating func bool(_ value: Bool) {
        separate()
        (value ? "true" as StaticString : "false").withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func null() {
        separate()
        ("null" as StaticString).withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    private mutating func openLevel() {
        if depth < 64 {
            levelHasValue &= ~(1 << UInt64(depth))
        } else {
            deepLevelHasValue.append(false)
        }
        depth += 1
    }

    private mutating func closeLevel() {
        precondition(depth > 0, "no object or array is open")
        depth -= 1
        if depth >= 64 { deepLevelHasValue.removeLast() }
    }

    /// Writes the comma before a value, unless it is the first in its container or follows a key.
    private mutating func separate() {
        if pendingValueAfterKey {
            pendingValueAfterKey = false
            return
        }
        guard depth > 0 else { return }
        let level = depth - 1
        let hasValue: Bool
        if level < 64 {
            hasValue = levelHasValue >> UInt64(level) & 1 == 1
            levelHasValue |= 1 << UInt64(level)
        } else {
            hasValue = deepLevelHasValue[level - 64]
            deepLevelHasValue[level - 64] = true
        }
        if hasValue { bytes.append(UInt8(ascii: ",")) }
    }

    /// Appends `value` as a quoted, escaped JSON string.
    ///
    /// Runs of bytes that need no escaping are found sixteen bytes at a time and copied whole; only
    /// the bytes the scan stops at (`byte_scan_json_stop`: `"`, `\`, a byte below 0x20, or 0xE2, the
    /// lead byte of U+2028/U+2029) go through the byte-by-byte rules.
    public static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            let count = utf8.count
            // Room for the common case of no escapes, grown geometrically so that many short strings
            // appended to one buffer still cost amortized O(1) each.
            let needed = out.count + count + 2
            if out.capacity < needed { out.reserveCapacity(Swift.max(needed, 2 * out.capacity)) }
            out.append(UInt8(ascii: "\""))
            guard let base = utf8.baseAddress else { return }
            var runStart = 0
            var index = 0
            while true {
                index = byte_scan_json_stop(base, index, count)
                guard index < count else { break }
                let byte = base[index]
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
                where index + 2 < count && base[index + 1] == 0x80
                    && (base[index + 2] == 0xA8 || base[index + 2] == 0xA9):
                    width = 3  // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
                default:
                    index += 1  // another E2-led character (’ “ ” — …): part of the run
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: index - runStart))
                if let (a, b) = escape {
                    out.append(a)
                    out.append(b)
                } else {
                    let scalar: UInt32 = width == 3 ? 0x2000 | UInt32(base[index + 2] - 0x80) : UInt32(byte)
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "u"))
                    for shift in stride(from: 12, through: 0, by: -4) {
                        out.append(hexDigit(UInt8(truncatingIfNeeded: scalar >> UInt32(shift)) & 0xF))
                    }
                }
                index += width
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: count - runStart))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The lowercase hex digit for a value in 0...15.
    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
    }
}
