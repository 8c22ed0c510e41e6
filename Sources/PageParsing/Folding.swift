#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte-level case folding and matching for marker phrases, so that line tests need neither
/// `lowercased()` nor Foundation's string search.
///
/// Folding lowercases ASCII, Latin-1 (À–Þ) and Cyrillic (А–Я, Ѐ–Џ) capitals. It never changes a
/// byte count, so offsets in folded bytes are offsets in the original line. Phrases are written in
/// lowercase, which is their folded form.
enum Folding {
    /// The folded UTF-8 of `bytes[range]`.
    static func fold(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: range.count) { out, initialized in
            guard let target = out.baseAddress else {
                initialized = 0
                return
            }
            fold(bytes, range, into: target)
            initialized = range.count
        }
    }

    /// Writes the folded UTF-8 of `bytes[range]` to `target` (`range.count` bytes: folding keeps
    /// the length).
    static func fold(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into target: UnsafeMutablePointer<UInt8>)
    {
        guard let source = bytes.baseAddress, !range.isEmpty else { return }
        var index = range.lowerBound
        var outIndex = 0
        let end = range.upperBound
        // Eight ASCII bytes at a time: set bit 5 of every byte in A...Z.
        while index + 8 <= end {
            let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
            guard word & 0x8080_8080_8080_8080 == 0 else { break }
            let aboveA = word &+ 0x3F3F_3F3F_3F3F_3F3F  // bit 7 set where byte >= 0x41
            let aboveZ = word &+ 0x2525_2525_2525_2525  // bit 7 set where byte >= 0x5B
            let upper = aboveA & ~aboveZ & 0x8080_8080_8080_8080
            UnsafeMutableRawPointer(target + outIndex).storeBytes(of: word | (upper >> 2), as: UInt64.self)
            index += 8
            outIndex += 8
        }
        while index < end {
            let byte = source[index]
            if byte < 0x80 {
                target[outIndex] = byte &+ (byte &- 0x41 < 26 ? 0x20 : 0)
            } else if index + 1 < end && (byte == 0xC3 || byte == 0xD0) {
                let next = source[index + 1]
                var lead = byte
                var trail = next
                if byte == 0xC3 {
                    if next >= 0x80 && next <= 0x9E && next != 0x97 { trail = next + 0x20 }
                } else if next >= 0x90 && next <= 0x9F {
                    trail = next + 0x20
                } else if next >= 0xA0 && next <= 0xAF {
                    lead = 0xD1
                    trail = next - 0x20
                } else if next >= 0x80 && next <= 0x8F {
                    lead = 0xD1
                    trail = next + 0x10
                }
                target[outIndex] = lead
                target[outIndex + 1] = trail
                index += 2
                outIndex += 2
                continue
            } else {
                target[outIndex] = byte
            }
            index += 1
            outIndex += 1
            // Back to eight at a time after a non-ASCII character.
            while index + 8 <= end {
                let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
                guard word & 0x8080_8080_8080_8080 == 0 else { break }
                let upper =
                    (word &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(word &+ 0x2525_2525_2525_2525) & 0x8080_8080_8080_8080
                UnsafeMutableRawPointer(target + outIndex).storeBytes(of: word | (upper >> 2), as: UInt64.self)
                index += 8
                outIndex += 8
            }
        }
    }

    /// The two texts are equal ignoring case. Texts of different byte lengths are told apart
    /// without lowercasing (lowercasing rarely changes a length; when it does, they differ anyway
    /// for headline comparison purposes).
    static func equalIgnoringCase(_ first: String, _ second: String) -> Bool {
        first.utf8.count == second.utf8.count && caseKey(first) == caseKey(second)
    }

    /// A key that is equal for texts that differ only in case: folded bytes for ASCII text, the
    /// UTF-8 of `lowercased()` otherwise.
    static func caseKey(_ text: String) -> [UInt8] {
        text.utf8.allSatisfy { $0 < 0x80 } ? fold(text) : Array(text.lowercased().utf8)
    }

    /// `text` with ASCII letters lowercased (for JSON keys and file names).
    static func asciiLowercased(_ text: String) -> String {
        String(decoding: fold(text), as: UTF8.self)
    }

    /// The folded UTF-8 of `text`.
    static func fold(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { fold($0, 0..<$0.count) }
    }

    /// `bytes[offset...]` starts with `phrase`.
    @inline(__always)
    static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ phrase: [UInt8], at offset: Int = 0) -> Bool {
        guard offset + phrase.count <= bytes.count else { return false }
        for index in 0..<phrase.count where bytes[offset + index] != phrase[index] { return false }
        return true
    }

    /// `bytes[..<end]` ends with `phrase`.
    @inline(__always)
    static func hasSuffix(_ bytes: UnsafeBufferPointer<UInt8>, _ phrase: [UInt8], end: Int) -> Bool {
        guard end >= phrase.count else { return false }
        return hasPrefix(bytes, phrase, at: end - phrase.count)
    }

    /// `bytes` contains `phrase` (memchr finds the candidates for the first byte).
    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ phrase: [UInt8]) -> Bool {
        guard let first = phrase.first, phrase.count <= bytes.count, let start = bytes.baseAddress else { return false }
        let base = UnsafeRawPointer(start)
        var offset = 0
        let last = bytes.count - phrase.count
        while offset <= last {
            guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return false }
            let position = base.distance(to: UnsafeRawPointer(hit))
            if hasPrefix(bytes, phrase, at: position) { return true }
            offset = position + 1
        }
        return false
    }

    /// The offset of the first `byte` in `bytes[range]`.
    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> Int? {
        let end = min(limit, bytes.count)
        guard end > 0, let base = bytes.baseAddress, let hit = memchr(base, Int32(byte), end) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    /// Hash of folded bytes, trimmed of spaces (and a trailing colon when `dropColon`).
    static func phraseHash(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, dropColon: Bool = true) -> UInt64 {
        var hash = WordHash.seed
        for index in trimmedPhrase(bytes, range, dropColon: dropColon) { hash = WordHash.mix(hash, bytes[index]) }
        return hash
    }

    /// `range` without leading spaces and trailing spaces (and colons when `dropColon`): the part
    /// `phraseHash` hashes.
    @inline(__always)
    static func trimmedPhrase(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, dropColon: Bool = true)
        -> Range<Int>
    {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end && bytes[start] == 0x20 { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || (dropColon && bytes[end - 1] == UInt8(ascii: ":"))) {
            end -= 1
        }
        return start..<end
    }

    // The same tests on byte arrays (phrases, folded texts that are not a line's).

    static func hasPrefix(_ bytes: [UInt8], _ phrase: [UInt8], at offset: Int = 0) -> Bool {
        bytes.withUnsafeBufferPointer { hasPrefix($0, phrase, at: offset) }
    }

    static func hasSuffix(_ bytes: [UInt8], _ phrase: [UInt8], end: Int) -> Bool {
        bytes.withUnsafeBufferPointer { hasSuffix($0, phrase, end: end) }
    }

    static func contains(_ bytes: [UInt8], _ phrase: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { contains($0, phrase) }
    }

    static func phraseHash(_ bytes: [UInt8], _ range: Range<Int>, dropColon: Bool = true) -> UInt64 {
        bytes.withUnsafeBufferPointer { phraseHash($0, range, dropColon: dropColon) }
    }

    /// Hash of a lowercase phrase, as `phraseHash` computes it.
    static func phraseHash(_ phrase: String) -> UInt64 {
        Array(phrase.utf8).withUnsafeBufferPointer { phraseHash($0, 0..<$0.count) }
    }
}

/// A set of lowercase phrases, matched against folded bytes by hash.
struct PhraseSet: Sendable {
    private var hashes: HashCounter
    /// Byte length of the longest phrase (as hashed): longer text is ruled out without hashing.
    private var longest = 0

    init(_ phrases: [String]) {
        hashes = HashCounter(capacity: phrases.count)
        for phrase in phrases {
            let trimmed = Array(phrase.utf8).withUnsafeBufferPointer { Folding.trimmedPhrase($0, 0..<$0.count) }
            longest = max(longest, trimmed.count)
            if !hashes.contains(Folding.phraseHash(phrase)) { hashes.add(Folding.phraseHash(phrase)) }
        }
    }

    func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        let trimmed = Folding.trimmedPhrase(bytes, range)
        guard trimmed.count <= longest else { return false }
        return hashes.contains(Folding.phraseHash(bytes, trimmed))
    }

    func contains(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { contains(bytes, 0..<bytes.count) }

    func contains(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { contains($0) } }

    func contains(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        bytes.withUnsafeBufferPointer { contains($0, range) }
    }
}

/// The adjacent byte pairs that start at the even offsets of a text, hashed into 64 bits. A phrase
/// that occurs at an even offset has its pairs at even offsets of its own there, and one at an odd
/// offset its pairs at odd offsets (see `PhrasePairs`): so a phrase none of whose two halves is
/// covered cannot occur in the text, and most substring searches are skipped. One register, and
/// every other pair, so building it costs about half a cycle a byte (lines are filtered once per
/// test).
struct PairFilter: Sendable {
    fileprivate var bits: UInt64 = 0

    /// The filter of `bytes`: its pairs at offsets 0, 2, 4, …
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.init(bytes, from: 0)
    }

    /// The pairs at offsets `first`, `first + 2`, …
    fileprivate init(_ bytes: UnsafeBufferPointer<UInt8>, from first: Int) {
        guard let base = bytes.baseAddress, bytes.count > first &+ 1 else { return }
        let raw = UnsafeRawPointer(base)
        var bits: UInt64 = 0
        var index = first
        // Four pairs from one 8-byte load while eight bytes remain, then one 16-bit load a pair.
        while index &+ 8 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            bits |=
                Self.bit(pair: word & 0xFFFF) | Self.bit(pair: word >> 16 & 0xFFFF)
                | Self.bit(pair: word >> 32 & 0xFFFF) | Self.bit(pair: word >> 48)
            index &+= 8
        }
        while index &+ 1 < bytes.count {
            bits |= Self.bit(
                pair: UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt16.self))))
            index &+= 2
        }
        self.bits = bits
    }

    /// The bit of a pair of bytes given as `first | second << 8`: the top six bits of its product
    /// with a large odd constant.
    @inline(__always)
    static func bit(pair: UInt64) -> UInt64 { 1 &<< ((pair &* 0x9E37_79B9_7F4A_7C15) &>> 58) }

    /// The bit of the pair `first`, `second` (the one a text holding them in this order sets).
    @inline(__always)
    static func bit(_ first: UInt8, _ second: UInt8) -> UInt64 { bit(pair: UInt64(first) | UInt64(second) << 8) }

    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { Self($0) }
    }

    /// Whether `phrase` may occur in the text: the text's pairs include its pairs at even offsets
    /// (for an occurrence at an even offset) or those at odd offsets (at an odd offset).
    func mayContain(_ phrase: PhrasePairs) -> Bool {
        bits & phrase.even == phrase.even || bits & phrase.odd == phrase.odd
    }
}

/// A phrase's pairs for `PairFilter.mayContain`: those at its even offsets and those at its odd
/// offsets, hashed as a text's are.
struct PhrasePairs: Sendable {
    let even: UInt64
    let odd: UInt64

    init(_ phrase: [UInt8]) {
        (even, odd) = phrase.withUnsafeBufferPointer {
            (PairFilter($0, from: 0).bits, PairFilter($0, from: 1).bits)
        }
    }
}

/// A list of lowercase phrases as byte arrays, for prefix, suffix and substring tests.
struct PhraseList: Sendable {
    let phrases: [[UInt8]]
    private let filters: [PhrasePairs]
    /// Phrase indices grouped by first byte, in list order: those starting with byte `b` are
    /// `byFirstByte[firstByteStart[b]..<firstByteStart[b + 1]]`.
    private let firstByteStart: [Int32]
    private let byFirstByte: [Int32]
    /// For prefix tests, in the order of `byFirstByte`: each phrase's first (up to) eight bytes,
    /// so that most candidates are ruled out by one comparison.
    private let prefixHeads: [PhraseHead]
    /// Rules out most texts for prefix tests before any list is read.
    private let startGate: StartGate
    private let hasEmptyPhrase: Bool

    /// A phrase's first (up to) eight bytes as one little-endian word, zero past its end, and
    /// which bytes of the word belong to it.
    private struct PhraseHead {
        var bytes: UInt64
        var mask: UInt64
        var count: Int
        var index: Int
    }

    init(_ phrases: [String]) {
        self.phrases = phrases.map { Array($0.utf8) }
        filters = self.phrases.map(PhrasePairs.init)
        hasEmptyPhrase = self.phrases.contains { $0.isEmpty }
        var counts = [Int32](repeating: 0, count: 257)
        for phrase in self.phrases { if let first = phrase.first { counts[Int(first) + 1] += 1 } }
        for byte in 0..<256 { counts[byte + 1] += counts[byte] }
        firstByteStart = counts
        var slots = [Int32](repeating: 0, count: self.phrases.count)
        var next = counts
        for (index, phrase) in self.phrases.enumerated() {
            guard let first = phrase.first else { continue }
            slots[Int(next[Int(first)])] = Int32(index)
            next[Int(first)] += 1
        }
        byFirstByte = slots
        prefixHeads = slots.map { [phrases = self.phrases] slot in
            let phrase = phrases[Int(slot)]
            var bytes: UInt64 = 0
            for (offset, byte) in phrase.prefix(8).enumerated() { bytes |= UInt64(byte) << UInt64(8 * offset) }
            let mask: UInt64 = phrase.count >= 8 ? ~0 : (1 << UInt64(8 * phrase.count)) - 1
            return PhraseHead(bytes: bytes, mask: mask, count: phrase.count, index: Int(slot))
        }
        var gate = StartGate()
        for phrase in self.phrases { gate.add(phrase) }
        startGate = gate
    }

    /// Which texts may start with one of the phrases, from their first two bytes: the
    /// `PairFilter.bit` of each phrase's first two bytes. One word, read without touching an
    /// array; a list with a phrase of one byte admits every text.
    private struct StartGate: Sendable {
        private var bits: UInt64 = 0

        mutating func add(_ phrase: [UInt8]) {
            bits |= phrase.count >= 2 ? PairFilter.bit(phrase[0], phrase[1]) : ~0
        }

        /// False only when no phrase can be a prefix of the `count` (at least one) bytes at `base`.
        @inline(__always)
        func admits(_ base: UnsafePointer<UInt8>, count: Int) -> Bool {
            if bits == ~0 { return true }
            return count >= 2 && bits & PairFilter.bit(base[0], base[1]) != 0
        }
    }

    /// The length of the first phrase `bytes` starts with.
    func prefixLength(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if hasEmptyPhrase { return phrases.first { Folding.hasPrefix(bytes, $0) }?.count }
        guard let base = bytes.baseAddress, !bytes.isEmpty, startGate.admits(base, count: bytes.count) else {
            return nil
        }
        let first = Int(base[0])
        let lower = Int(firstByteStart[first])
        let upper = Int(firstByteStart[first + 1])
        guard lower < upper else { return nil }
        var head: UInt64 = 0
        if bytes.count >= 8 {
            head = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt64.self))
        } else {
            for offset in 0..<bytes.count { head |= UInt64(base[offset]) << UInt64(8 * offset) }
        }
        return prefixHeads.withUnsafeBufferPointer { heads in
            for slot in lower..<upper {
                let candidate = heads[slot]
                guard head & candidate.mask == candidate.bytes, candidate.count <= bytes.count else { continue }
                if candidate.count <= 8 || Folding.hasPrefix(bytes, phrases[candidate.index]) { return candidate.count }
            }
            return nil
        }
    }

    func anyContained(in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        anyContained(in: bytes, filter: PairFilter(bytes))
    }

    func anyContained(in bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { anyContained(in: $0) } }

    /// `anyContained` with the filter of `bytes` already built.
    func anyContained(in bytes: UnsafeBufferPointer<UInt8>, filter: PairFilter) -> Bool {
        filters.withUnsafeBufferPointer { filters in
            for index in filters.indices where filter.mayContain(filters[index]) {
                if Folding.contains(bytes, phrases[index]) { return true }
            }
            return false
        }
    }
}
