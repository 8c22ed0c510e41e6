internal import CByteScan

/// The bytes of a page's lines, owned once for all of them: the cleaned UTF-8 of every line, one
/// after the other, and the folded head of every line followed by the folded tail of lines longer
/// than `PageLine.wholeLimit`. Immutable once built; `PageLine`s are views into it, and the
/// `PageLines` that made them keeps it alive.
final class PageLineStorage: @unchecked Sendable {
    /// The lines' cleaned bytes (the builder wrote them here as it went: no copy at the end).
    let text: UnsafeMutableBufferPointer<UInt8>
    /// Folded heads and tails.
    let folded: UnsafeMutableBufferPointer<UInt8>

    init(text: UnsafeMutableBufferPointer<UInt8>, foldedCount: Int) {
        self.text = text
        folded = .allocate(capacity: max(foldedCount, 1))
    }

    deinit {
        #if DEBUG
            // Lines hold no reference to these bytes: in a debug build (the tests), a line used after
            // its page's lines are gone reads 0xFF (never valid UTF-8) instead of what was there.
            text.initialize(repeating: 0xFF)
            folded.initialize(repeating: 0xFF)
        #endif
        text.deallocate()
        folded.deallocate()
    }
}

/// One cleaned, non-blank line of a page and the facts the line tests start from, computed once.
///
/// The line's bytes live in a `PageLineStorage` shared by all lines of its page, so a page of N
/// lines costs one allocation instead of 2N. A line holds no reference to it, so copying a line
/// (which the line tests do for every line of a page) costs no retain and no release: a line is
/// valid only while the `PageLines` it came from lives (see `PageLine.with` for a line on its own).
struct PageLine: @unchecked Sendable {
    /// The cleaned UTF-8 of the line.
    let utf8: UnsafeBufferPointer<UInt8>
    /// Folded bytes of the whole line when it is at most `wholeLimit` bytes, else of its first
    /// `headLength` bytes.
    let head: UnsafeBufferPointer<UInt8>
    /// Folded bytes of the line's last (at most) `tailLength` bytes, starting on a character.
    private let tail: UnsafeBufferPointer<UInt8>
    /// Index of the block (run of non-blank lines) the line belongs to.
    var block: Int
    var byteCount: Int { utf8.count }
    /// Space-separated words.
    var wordCount: Int
    var hasDigit: Bool
    /// First character after opening quotes is an uppercase letter or a digit.
    var startsCapitalized: Bool
    /// Last character before closing quotes and brackets.
    var lastMeaningful: Unicode.Scalar?

    static let wholeLimit = 200
    static let headLength = 64
    static let tailLength = 72

    /// `head` holds the whole line.
    var isShort: Bool { byteCount <= Self.wholeLimit }

    /// The line as a string (made on each call: keep it out of per-line tests).
    var text: String { String(decoding: utf8, as: UTF8.self) }

    /// Calls `body` with a line on its own (tests and single-line parsers), valid during the call;
    /// `text` must be clean.
    static func with<Result>(_ text: String, block: Int = 0, _ body: (PageLine) throws -> Result) rethrows -> Result {
        var text = text
        let (words, hasDigit) = text.withUTF8 { PageLineLayout.countWords($0) }
        var builder = PageLineBuilder()
        builder.add(utf8: Array(text.utf8), block: block, words: words, hasDigit: hasDigit)
        let (storage, lines) = builder.finish()
        return try withExtendedLifetime(storage) { try body(lines[0]) }
    }

    init(
        utf8: UnsafeBufferPointer<UInt8>, head: UnsafeBufferPointer<UInt8>, tail: UnsafeBufferPointer<UInt8>,
        block: Int, words: Int, hasDigit: Bool
    ) {
        self.utf8 = utf8
        self.head = head
        self.tail = tail
        self.block = block
        self.wordCount = words
        self.hasDigit = hasDigit
        let byteCount = utf8.count
        let firstByte = utf8.first ?? 0
        let lastByte = utf8.last ?? 0
        // ASCII ends (the usual case) are decided on the bytes; the rest on Unicode scalars.
        let first: Unicode.Scalar?
        if firstByte < 0x80 && !LineText.isOpener(Unicode.Scalar(firstByte)) {
            first = byteCount > 0 ? Unicode.Scalar(firstByte) : nil
        } else {
            first = String(decoding: utf8, as: UTF8.self).unicodeScalars.first { !LineText.isOpener($0) }
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
            lastMeaningful = String(decoding: utf8, as: UTF8.self).unicodeScalars.last { !LineText.isCloser($0) }
        }
    }

    /// Folded bytes of the line's last (at most) `tailLength` bytes, starting on a character.
    func foldedTail() -> UnsafeBufferPointer<UInt8> { tail }

    /// Offset of `byte` in the first `limit` bytes.
    func offset(of byte: UInt8, within limit: Int) -> Int? {
        Folding.firstIndex(of: byte, in: head, limit: limit)
    }
}

/// Where a line's head and tail start and end, and how its words are counted.
enum PageLineLayout {
    /// Bytes of the line that its head folds.
    static func headCount(_ byteCount: Int) -> Int {
        byteCount <= PageLine.wholeLimit ? byteCount : PageLine.headLength
    }

    /// Offset of the line's tail: the last `tailLength` bytes, moved forward to a character start.
    static func tailStart(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var start = max(0, bytes.count - PageLine.tailLength)
        while start < bytes.count && bytes[start] & 0xC0 == 0x80 { start += 1 }
        return start
    }

    /// Space-separated words and whether there is a digit; eight bytes at a time where ASCII.
    static func countWords(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Bool) {
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
}

/// Collects cleaned lines into one growing buffer, then folds their heads and tails: the buffer
/// becomes the `PageLineStorage`'s text as it is.
struct PageLineBuilder: ~Copyable {
    private struct Pending {
        var start: Int
        var count: Int
        var block: Int
        var words: Int
        var hasDigit: Bool
    }

    private var text: UnsafeMutableBufferPointer<UInt8>
    private var textCount = 0
    private var pending: [Pending] = []
    /// False once `finish` has handed `text` to the storage.
    private var ownsText = true

    init(expectedBytes: Int = 0) {
        text = .allocate(capacity: max(expectedBytes, 64))
        pending.reserveCapacity(expectedBytes / 48 + 4)  // lines of wrapped prose run 60-80 bytes
    }

    deinit { if ownsText { text.deallocate() } }

    var isEmpty: Bool { pending.isEmpty }

    mutating func add(utf8 bytes: UnsafeBufferPointer<UInt8>, block: Int, words: Int, hasDigit: Bool) {
        pending.append(Pending(start: textCount, count: bytes.count, block: block, words: words, hasDigit: hasDigit))
        if textCount + bytes.count > text.count {
            // Cleaning can lengthen a line (a few characters normalize to longer forms): grow.
            let grown = UnsafeMutableBufferPointer<UInt8>.allocate(
                capacity: max(2 * text.count, textCount + bytes.count))
            if textCount > 0 { grown.baseAddress!.initialize(from: text.baseAddress!, count: textCount) }
            text.deallocate()
            text = grown
        }
        if let source = bytes.baseAddress, !bytes.isEmpty {
            (text.baseAddress! + textCount).initialize(from: source, count: bytes.count)
        }
        textCount += bytes.count
    }

    mutating func add(utf8 bytes: [UInt8], block: Int, words: Int, hasDigit: Bool) {
        bytes.withUnsafeBufferPointer { add(utf8: $0, block: block, words: words, hasDigit: hasDigit) }
    }

    /// The storage of the lines' bytes (the text buffer handed over, the folded bytes made), and
    /// the lines in the order added (valid while the storage lives).
    consuming func finish() -> (PageLineStorage, [PageLine]) {
        var foldedCount = 0
        for line in pending {
            foldedCount += PageLineLayout.headCount(line.count)
            if line.count > PageLine.wholeLimit { foldedCount += PageLine.tailLength }
        }
        let storage = PageLineStorage(text: text, foldedCount: foldedCount)
        ownsText = false
        let base = storage.text.baseAddress!
        let folded = storage.folded.baseAddress!
        var lines: [PageLine] = []
        lines.reserveCapacity(pending.count)
        var next = 0
        // Short lines are folded whole, and their bytes and heads are laid out in the same order:
        // each run of consecutive short lines is folded by one call.
        let allText = UnsafeBufferPointer(start: base, count: pending.last.map { $0.start + $0.count } ?? 0)
        var run: (source: Int, target: Int)? = nil
        func foldRun(upTo end: Int) {
            if let (source, target) = run { Folding.fold(allText, source..<end, into: folded + target) }
            run = nil
        }
        for line in pending {
            let utf8 = UnsafeBufferPointer(start: base + line.start, count: line.count)
            let headCount = PageLineLayout.headCount(line.count)
            let head = UnsafeBufferPointer(start: folded + next, count: headCount)
            let tailStart = PageLineLayout.tailStart(utf8)
            let tail: UnsafeBufferPointer<UInt8>
            if line.count <= PageLine.wholeLimit {
                if run == nil { run = (line.start, next) }
                next += headCount
                tail = UnsafeBufferPointer(rebasing: head[tailStart...])
            } else {
                foldRun(upTo: line.start)
                Folding.fold(utf8, 0..<headCount, into: folded + next)
                next += headCount
                let tailCount = line.count - tailStart
                Folding.fold(utf8, tailStart..<line.count, into: folded + next)
                tail = UnsafeBufferPointer(start: folded + next, count: tailCount)
                next += PageLine.tailLength
            }
            lines.append(
                PageLine(
                    utf8: utf8, head: head, tail: tail, block: line.block, words: line.words, hasDigit: line.hasDigit)
            )
        }
        foldRun(upTo: allText.count)
        return (storage, lines)
    }
}

/// A page as cleaned lines grouped into blocks: a block is a run of non-blank lines, and blocks are
/// separated by one or more blank lines. Line endings may be LF, CRLF or CR.
///
/// One pass over the bytes finds the line ends and, for each line, whether it is already clean
/// (see `TextNormalizer.isClean`), how many spaces it has and whether it holds a digit; printable
/// ASCII goes sixteen bytes at a time (`byte_scan_printable`). Clean lines are copied as they are
/// (once, into the storage); the others go through `TextNormalizer.cleanLine`.
struct PageLines: Sendable {
    /// Keeps the bytes of `lines` valid: every copy of these `PageLines` holds it.
    private let storage: PageLineStorage
    let lines: [PageLine]

    init(_ text: String) {
        var text = text
        text.makeContiguousUTF8()
        let utf8 = text.utf8
        var scan = LineScan()
        var builder = PageLineBuilder(expectedBytes: utf8.count)
        utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress else { return }
            let count = bytes.count
            var index = 0
            while index < count {
                // Printable ASCII, sixteen bytes at a time, up to the next other byte (a line end,
                // most often).
                index = byte_scan_printable(base, index, count, &scan.run)
                guard index < count else { break }
                let byte = base[index]
                if byte == 0x0A || byte == 0x0D {
                    Self.finishLine(&scan, bytes, end: index, &builder)
                    if byte == 0x0D && index + 1 < count && base[index + 1] == 0x0A { index += 1 }
                    index += 1
                    scan.start(at: index)
                    continue
                }
                if byte < 0x80 {
                    scan.absorbControl()
                    index += 1
                } else {
                    let (scalar, width) = TextNormalizer.decode(bytes, at: index)
                    scan.absorb(scalar: scalar)
                    index += width
                }
            }
            Self.finishLine(&scan, bytes, end: count, &builder)
        }
        (storage, lines) = builder.finish()
    }

    private static func finishLine(
        _ scan: inout LineScan, _ bytes: UnsafeBufferPointer<UInt8>, end: Int, _ builder: inout PageLineBuilder
    ) {
        let start = scan.lineStart
        if start < end && (bytes[start] == 0x20 || bytes[end - 1] == 0x20) { scan.clean = false }
        if scan.run.double_space != 0 { scan.clean = false }
        var added = false
        if scan.clean {
            if end > start {
                // Already clean: copy the bytes.
                builder.add(
                    utf8: UnsafeBufferPointer(rebasing: bytes[start..<end]), block: scan.block,
                    words: scan.run.spaces + 1, hasDigit: scan.run.digit != 0)
                added = true
            }
        } else {
            var cleaned = TextNormalizer.cleanLine(utf8: UnsafeBufferPointer(rebasing: bytes[start..<end]))
            if !cleaned.isEmpty {
                cleaned.withUTF8 { utf8 in
                    let (words, hasDigit) = PageLineLayout.countWords(utf8)
                    builder.add(utf8: utf8, block: scan.block, words: words, hasDigit: hasDigit)
                }
                added = true
            }
        }
        if added {
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
struct LineScan {
    var lineStart = 0
    /// Spaces, digits, double spaces and whether the last byte was a space, so far.
    var run = byte_scan_run()
    /// No control or non-ASCII character that cleaning changes (double spaces are in `run`).
    var clean = true
    var block = 0
    var blockHasLines = false

    mutating func start(at index: Int) {
        lineStart = index
        run = byte_scan_run()
        clean = true
    }

    /// A byte below 0x20 other than a line end, or DEL.
    mutating func absorbControl() {
        run.previous_space = 0
        clean = false
    }

    mutating func absorb(scalar: UInt32) {
        run.previous_space = 0
        switch scalar {
        case 0x80...0xA0, 0xAD, 0x180E, 0x2000...0x200F, 0x2028...0x202F, 0x205F...0x2060, 0x3000, 0xFEFF, 0xFFFD:
            clean = false
        default:
            if scalar >= 0x300 && NFCQuickCheck.mayChange(scalar) { clean = false }
        }
    }
}
