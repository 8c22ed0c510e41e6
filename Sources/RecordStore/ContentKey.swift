/// The idempotency key of one input: the sha256 of its bytes.
public struct ContentKey: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// - Precondition: `bytes.count == 32`.
    public init(_ bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
        precondition(self.bytes.count == 32, "a content key is 32 bytes")
    }

    /// The first 8 bytes, used as the in-memory lookup key.
    var prefix: UInt64 {
        var value: UInt64 = 0
        for byte in bytes[0..<8] { value = value << 8 | UInt64(byte) }
        return value
    }

    /// Lowercase hex.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}
