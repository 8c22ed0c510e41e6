/// One cleaned, non-blank line of a page and the facts the line tests start from, computed once.
struct PageLine: Sendable {
    var text: String
    /// Index of the block (run of non-blank lines) the line belongs to.
    var block: Int
    var byteCount: Int
    /// Space-separated words.
    var wordCount: Int
    var hasDigit: Bool
    /// Folded bytes of the whole line when it is at most `wholeLimit` bytes, else of its first
    /// `headLength` bytes.
    var head: [UInt8]
    /// First character after opening quotes is an uppercase letter or a digit.
    var startsCapitalized: Bool
    /// Last character before closing quotes and brackets.
    var lastMeaningful: Unicode.Scalar?

    static let wholeLimit = 200
    static let headLength = 64
    static let tailLength = 72

    /// `head` holds the whole line.
    var isShort: Bool { byteCount <= Self.wholeLimit }

    init(_ text: String, block: Int = 0) {
        var text = text
        let (words, hasDigit) = text.withUTF8 { Self.countWords($0) }
        self.init(cleaned: text, block: block, words: words, hasDigit: hasDigit)
    }

    /// A line whose word count and digit flag are already known.
    init(cleaned text: String, block: Int, words: Int, hasDigit: Bool) {
        var text = text
        self.block = block
        var byteCount = 0
        var head: [UInt8] = []
        var firstByte: UInt8 = 0
        var lastByte: UInt8 = 0
        text.withUTF8 { bytes in
            byteCount = bytes.count
            head = Folding.fold(bytes, 0..<(bytes.count <= Self.wholeLimit ? bytes.count : Self.headLength))
            if let first = bytes.first, let last = bytes.last {
                firstByte = first
                lastByte = last
            }
        }
        self.text = text
        self.byteCount = byteCount
        self.wordCount = words
        self.hasDigit = hasDigit
        self.head = head
        // ASCII ends (the usual case) are decided on the bytes; the rest on Unicode scalars.
        let first: Unicode.Scalar?
        if firstByte < 0x80 && !LineText.isOpener(Unicode.Scalar(firstByte)) {
            first = byteCount > 0 ? Unicode.Scalar(firstByte) : nil
        } else {
            first = text.unicodeScalars.first { !LineText.isOpener($0) }
        }
        startsCapitalized =
            first.map { first in
                first.isASCII
                    ? (first.value >= 0x41 && first.value <= 0x5A) || (first.value >= 0x30 && first.value <= 0x39)
                    : first.properties.isUppercase
            } ?? false
        if lastByte < 0x80 && !LineText.isCloser(Unicode.Scalar(lastByte)) {
            lastMeaningful = byteCount > 0 ? Unicode.Scalar(lastByte) : nil
        } else {
            lastMeaningful = text.unicodeScalars.last { !LineText.isCloser($0) }
        }
    }

    /// Space-separated words and whether there is a digit; eight bytes at a time where ASCII.
    private static func countWords(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Bool) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return (0, false) }
        var spaces = 0
        var digit = false
        var index = 0
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 == 0 {
                let flipped = word ^ 0x2020_2020_2020_2020  // zero where a space was
                let zero =
                    ~(((flipped & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | flipped | 0x7F7F_7F7F_7F7F_7F7F)
                spaces &+= Int(truncatingIfNeeded: ((zero >> 7) &* 0x0101_0101_0101_0101) >> 56)
                if !digit {
                    digit =
                        (word &+ 0x5050_5050_5050_5050) & ~(word &+ 0x4646_4646_4646_4646) & 0x8080_8080_8080_8080 != 0
                }
            } else {
                for offset in 0..<8 {
                    let byte = base[index + offset]
                    if byte == 0x20 { spaces += 1 } else if byte &- 0x30 < 10 { digit = true }
                }
            }
            index += 8
        }
        while index < bytes.count {
            let byte = base[index]
            if byte == 0x20 { spaces += 1 } else if byte &- 0x30 < 10 { digit = true }
            index += 1
        }
        return (spaces + 1, digit)
    }

    /// Folded bytes of the line's last (at most) `tailLength` bytes, starting on a character.
    func foldedTail() -> [UInt8] {
        if byteCount <= Self.tailLength && isShort { return head }
        var text = text
        return text.withUTF8 { bytes in
            var start = max(0, bytes.count - Self.tailLength)
            while start < bytes.count && bytes[start] & 0xC0 == 0x80 { start += 1 }
            return Folding.fold(bytes, start..<bytes.count)
        }
    }

    /// Offset of `byte` in the first `limit` bytes.
    func offset(of byte: UInt8, within limit: Int) -> Int? {
        Folding.firstIndex(of: byte, in: head, limit: limit)
    }
}

/// A page as cleaned lines grouped into blocks: a block is a run of non-blank lines, and blocks are
/// separated by one or more blank lines. Line endings may be LF, CRLF or CR.
///
/// One pass over the bytes finds the line ends and, for each line, whether it is already clean
/// (see `TextNormalizer.isClean`), how many spaces it has and whether it holds a digit; printable
/// ASCII goes eight bytes at a time. Clean lines are copied as they are; the others go through
/// `TextNormalizer.cleanLine`.
struct PageLines: Sendable {
    private(set) var lines: [PageLine] = []

    init(_ text: String) {
        var text = text
        text.makeContiguousUTF8()
        let utf8 = text.utf8
        var scan = LineScan()
        utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress else { return }
            let count = bytes.count
            var index = 0
            while index < count {
                if index + 8 <= count {
                    let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                    if scan.absorbPrintableASCII(word) {
                        index += 8
                        continue
                    }
                }
                let byte = base[index]
                if byte == 0x0A || byte == 0x0D {
                    finishLine(&scan, bytes, end: index, utf8)
                    if byte == 0x0D && index + 1 < count && base[index + 1] == 0x0A { index += 1 }
                    index += 1
                    scan.start(at: index)
                    continue
                }
                if byte < 0x80 {
                    scan.absorb(byte)
                    index += 1
                } else {
                    let (scalar, width) = TextNormalizer.decode(bytes, at: index)
                    scan.absorb(scalar: scalar)
                    index += width
                }
            }
            finishLine(&scan, bytes, end: count, utf8)
        }
    }

    private mutating func finishLine(
        _ scan: inout LineScan, _ bytes: UnsafeBufferPointer<UInt8>, end: Int, _ utf8: String.UTF8View
    ) {
        let start = scan.lineStart
        if start < end && (bytes[start] == 0x20 || bytes[end - 1] == 0x20) { scan.clean = false }
        var line: PageLine? = nil
        if scan.clean {
            if end > start {
                // Already clean: copy the bytes.
                line = PageLine(
                    cleaned: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self),
                    block: scan.block, words: scan.spaces + 1, hasDigit: scan.digit)
            }
        } else {
            let cleaned = TextNormalizer.cleanLine(utf8: UnsafeBufferPointer(rebasing: bytes[start..<end]))
            if !cleaned.isEmpty { line = PageLine(cleaned, block: scan.block) }
        }
        if let line {
            lines.append(line)
            scan.blockHasLines = true
        } else if scan.blockHasLines {
            scan.block += 1
            scan.blockHasLines = false
        }
    }

    var isEmpty: Bool { lines.isEmpty }
    var count: Int { lines.count }
    subscript(index: Int) -> PageLine { lines[index] }
}

/// What the single pass of `PageLines` knows about the line it is in.
private struct LineScan {
    var lineStart = 0
    var spaces = 0
    var digit = false
    var clean = true
    var previousWasSpace = false
    var block = 0
    var blockHasLines = false

    mutating func start(at index: Int) {
        lineStart = index
        spaces = 0
        digit = false
        clean = true
        previousWasSpace = false
    }

    /// Takes eight bytes if they are all printable ASCII (no line end, no control character).
    @inline(__always)
    mutating func absorbPrintableASCII(_ word: UInt64) -> Bool {
        let low7 = 0x7F7F_7F7F_7F7F_7F7F as UInt64
        let high = 0x8080_8080_8080_8080 as UInt64
        guard word & high == 0, (word &- 0x2020_2020_2020_2020) & ~word & high == 0,
            (word &+ 0x0101_0101_0101_0101) & high == 0
        else { return false }
        let flipped = word ^ 0x2020_2020_2020_2020
        let space = ~(((flipped & low7) &+ low7) | flipped | low7)  // exactly the bytes that are spaces
        spaces &+= Int(truncatingIfNeeded: ((space >> 7) &* 0x0101_0101_0101_0101) >> 56)  // bytes set
        if space & (space << 8) != 0 || (previousWasSpace && space & 0x80 != 0) { clean = false }
        previousWasSpace = space & 0x8000_0000_0000_0000 != 0
        if !digit { digit = (word &+ 0x5050_5050_5050_5050) & ~(word &+ 0x4646_4646_4646_4646) & high != 0 }
        return true
    }

    @inline(__always)
    mutating func absorb(_ byte: UInt8) {
        if byte == 0x20 {
            if previousWasSpace { clean = false }
            spaces += 1
            previousWasSpace = true
            return
        }
        previousWasSpace = false
        if byte < 0x20 || byte == 0x7F {
            clean = false
        } else if byte &- 0x30 < 10 {
            digit = true
        }
    }

    mutating func absorb(scalar: UInt32) {
        previousWasSpace = false
        switch scalar {
        case 0x80...0xA0, 0xAD, 0x180E, 0x2000...0x200F, 0x2028...0x202F, 0x205F...0x2060, 0x3000, 0xFEFF, 0xFFFD:
            clean = false
        default:
            if scalar >= 0x300 && NFCQuickCheck.mayChange(scalar) { clean = false }
        }
    }
}
