/// The idempotency key of one input: the sha256 of its bytes.
///
/// The 32 bytes are held inline, as four big-endian words: a store loads one key per committed
/// input at start-up (a million of them for a million inputs), and a key that owned an array
/// cost an allocation to load and a release to drop.
public struct ContentKey: Hashable, Sendable, CustomStringConvertible {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    /// - Precondition: `bytes.count == 32`.
    public init(_ bytes: some Sequence<UInt8>) {
        if let key = bytes.withContiguousStorageIfAvailable({ Self(UnsafeRawBufferPointer($0)) }) {
            self = key
            return
        }
        self.init(Array(bytes))
    }

    /// - Precondition: `bytes.count == 32`.
    public init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { Self($0) }
    }

    /// The key of 32 digest bytes, copied in one go (a per-byte walk through a generic sequence
    /// cost an allocation a byte).
    /// - Precondition: `bytes.count == 32`.
    public init(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 32, "a content key is 32 bytes")
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
        self.words = (words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian)
    }

    /// The 32 digest bytes.
    public var bytes: [UInt8] {
        var raw = (words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian)
        return withUnsafeBytes(of: &raw) { Array($0) }
    }

    /// The first 8 bytes, used as the in-memory lookup key.
    var prefix: UInt64 { words.0 }

    public static func == (left: ContentKey, right: ContentKey) -> Bool {
        left.words.0 == right.words.0 && left.words.1 == right.words.1 && left.words.2 == right.words.2
            && left.words.3 == right.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
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
