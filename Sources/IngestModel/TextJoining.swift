/// Joining strings with one allocation: the standard library's `joined(separator:)` appends part
/// by part and grows its result as it goes.
public enum TextJoining {
    /// `parts` joined by `separator`, written once into a string of the exact size.
    public static func join(_ parts: [String], separator: [UInt8]) -> String {
        if parts.count == 1 { return parts[0] }
        var total = separator.count * max(0, parts.count - 1)
        for part in parts { total += part.utf8.count }
        return String(unsafeUninitializedCapacity: total) { buffer in
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
}
