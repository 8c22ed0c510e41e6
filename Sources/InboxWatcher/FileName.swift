/// A directory entry's name as the raw bytes the kernel gave: names may hold any byte but `/` and NUL.
public struct FileName: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]
    /// The bytes' hash (the standard library's, seeded per process), taken once: the pipeline
    /// looks every name up in its sets several times.
    private let digest: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        digest = hasher.finalize()
    }

    public init(_ string: String) { self.init(Array(string.utf8)) }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }

    /// Names with different digests differ: most comparisons in a set's probing end there.
    public static func == (left: FileName, right: FileName) -> Bool {
        left.digest == right.digest && left.bytes == right.bytes
    }

    /// The name as text, safe to put in a log line or JSON string: valid UTF-8 is kept, control
    /// characters become `\n`, `\t`, `\xNN`, and bytes that are not UTF-8 become `\xNN`;
    /// a backslash itself is doubled only when the name needed escaping.
    public var escaped: String {
        // The usual name, printable ASCII, is its own text.
        if bytes.allSatisfy({ $0 &- 0x20 < 0x5F }) { return String(decoding: bytes, as: UTF8.self) }
        if let text = String(validating: bytes, as: UTF8.self),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        {
            return text
        }
        var out = ""
        var index = 0
        while index < bytes.count {
            let length = Self.utf8SequenceLength(bytes, at: index)
            if length > 1 {
                out += String(decoding: bytes[index..<index + length], as: UTF8.self)
                index += length
                continue
            }
            let byte = bytes[index]
            switch byte {
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x5C: out += "\\\\"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" : "") + hex
            }
            index += 1
        }
        return out
    }

    public var description: String { escaped }

    /// Length of a valid multi-byte UTF-8 sequence starting at `index`, or 1.
    private static func utf8SequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 1
        }
        guard index + length <= bytes.count,
            String(validating: bytes[index..<index + length], as: UTF8.self) != nil
        else { return 1 }
        return length
    }

    /// Calls `body` with the name as a NUL-terminated C string (copied to the stack for names of
    /// usual length: each input's name is passed to the kernel three times).
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            bytes.withUnsafeBytes { name in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: name)
            }
            buffer[bytes.count] = 0
            return try body(UnsafePointer(buffer.baseAddress!))
        }
    }
}

/// Which inbox entries are inputs: not dotfiles, not temporary names a producer is still writing.
public enum InboxFilter {
    static let temporarySuffixes: [[UInt8]] = [".tmp", ".part", ".partial", "~", ".swp", ".crdownload"].map {
        Array($0.utf8)
    }

    public static func isCandidate(_ name: FileName) -> Bool {
        let bytes = name.bytes
        guard let first = bytes.first, first != UInt8(ascii: ".") else { return false }
        for suffix in temporarySuffixes
        where bytes.count >= suffix.count && bytes.suffix(suffix.count).elementsEqual(suffix) {
            return false
        }
        return true
    }
}
