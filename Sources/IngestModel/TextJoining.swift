internal import CByteScan

/// Joining strings with one allocation: the standard library's `joined(separator:)` appends part
/// by part and grows its result as it goes.
public enum TextJoining {
    /// `parts` joined by `separator`, written once into a string of the exact size.
    public static func join(_ parts: [String], separator: [UInt8]) -> String {
        if parts.count == 1 { return parts[0] }
        var total = separator.count * max(0, parts.count - 1)
        for part in parts { total += part.utf8.count }
        // Valid strings joined by whole bytes of a valid separator: valid UTF-8, not checked again.
        return trustedUTF8(capacity: total) { buffer in
            var offset = 0
            for (index, part) in parts.enumerated() {
                if index > 0 {
                    for byte in separator {
                        buffer[offset] = byte
                        offset += 1
                    }
                }
                var part = part
                part.withUTF8 { bytes in
                    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
                    UnsafeMutableRawPointer(buffer.baseAddress! + offset).copyMemory(
                        from: source, byteCount: bytes.count)
                    offset += bytes.count
                }
            }
            return offset
        }
    }

    /// A string of the up to `capacity` bytes that `initializer` writes (it returns how many),
    /// which the caller guarantees are valid UTF-8 (pieces of valid strings joined at character
    /// boundaries): the standard library's validation pass is skipped, only ASCII-ness is looked
    /// up. Invalid UTF-8 here would break the string's invariants: never pass bytes from outside
    /// (visible to this package's modules only).
    package static func trustedUTF8(capacity: Int, _ initializer: (UnsafeMutableBufferPointer<UInt8>) -> Int) -> String
    {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(capacity, 1)) { buffer in
            let count = initializer(buffer)
            let written = UnsafeBufferPointer(rebasing: buffer[..<count])
            let isASCII = byte_scan_is_ascii(written.baseAddress, count) != 0
            return String(copying: UTF8Span(unchecked: written.span, isKnownASCII: isASCII))
        }
    }
}
