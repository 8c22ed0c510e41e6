internal import CByteScan
import IngestModel

/// 64-bit SimHash over word 3-shingles (FNV-1a per shingle): near-identical texts have hashes a
/// few bits apart.
///
/// Words are maximal runs of letters and digits; each is hashed with FNV-1a over its case-folded
/// scalar values. Each run of three consecutive word hashes (all of them when there are fewer) is
/// hashed again into a shingle, and bit `i` of the result is set when more than half the shingles
/// have bit `i` set.
public enum SimHash {
    public static func compute(_ text: String) -> UInt64 { computeWithWordCount(text).hash }

    /// The SimHash of `text` and its number of words as `WordCounter.count` counts them, from one
    /// classification of the bytes.
    public static func computeWithWordCount(_ text: String) -> (hash: UInt64, wordCount: Int) {
        computeWithWordCount(text, lanes: lanesAvailable)
    }

    /// Whether this CPU hashes words and shingles eight at a time (AVX-512 F and DQ, on an Ice
    /// Lake, Zen 4 or later CPU).
    static let lanesAvailable = simhash_lanes_available() != 0

    /// As `computeWithWordCount(_:)`; `lanes` chooses the eight-lane hashing (only where
    /// `lanesAvailable`) or the scalar code. Both give the same result.
    static func computeWithWordCount(_ text: String, lanes: Bool) -> (hash: UInt64, wordCount: Int) {
        precondition(!lanes || lanesAvailable, "eight-lane hashing needs simhash_lanes_available()")
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return (0, 0) }
            let count = bytes.count
            let chunks = (count + 63) / 64
            return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 3 * chunks) { bitmaps in
                let wordBits = UnsafeMutableBufferPointer(rebasing: bitmaps[..<chunks])
                let nonASCIIBits = UnsafeMutableBufferPointer(rebasing: bitmaps[chunks..<2 * chunks])
                let joinerBits = UnsafeMutableBufferPointer(rebasing: bitmaps[(2 * chunks)...])
                let hasNonASCII = classify(
                    base, count: count, wordBits: wordBits, nonASCIIBits: nonASCIIBits, joinerBits: joinerBits)
                let text = Text(
                    base: base, count: count, nonASCIIBits: hasNonASCII ? UnsafeBufferPointer(nonASCIIBits) : nil,
                    lanes: lanes)
                let words = UnsafeBufferPointer(wordBits)
                return (
                    fromWords(of: text, wordBits: words),
                    countWords(of: text, wordBits: words, joinerBits: UnsafeBufferPointer(joinerBits))
                )
            }
        }
    }

    // MARK: Counting the words

    /// `WordCounter.count` of the text, from its word bitmap: every run of word bytes starts a word,
    /// except one that only apostrophes and hyphens (`'`, `-`, `’`) separate from the run before it.
    ///
    /// A joiner ends in a byte that `joinerBits` marks, so only the runs that start right after a
    /// marked byte (rare in prose) are looked at one by one.
    private static func countWords(
        of text: Text, wordBits: UnsafeBufferPointer<UInt64>, joinerBits: UnsafeBufferPointer<UInt64>
    ) -> Int {
        var words = 0
        var previousTop: UInt64 = 0
        var previousJoinerTop: UInt64 = 0
        for chunk in 0..<wordBits.count {
            let bits = wordBits[chunk]
            let starts = bits & ~(bits << 1 | previousTop)
            previousTop = bits >> 63
            words &+= starts.nonzeroBitCount
            let joiners = joinerBits[chunk]
            var candidates = starts & (joiners << 1 | previousJoinerTop)
            previousJoinerTop = joiners >> 63
            while candidates != 0 {
                let start = chunk &* 64 &+ candidates.trailingZeroBitCount
                candidates &= candidates &- 1
                if joinsPreviousWord(text, start: start, wordBits: wordBits) { words &-= 1 }
            }
        }
        return words
    }

    /// Whether the run of word bytes at `start` follows one or more joiners that follow a word byte.
    @inline(__always)
    private static func joinsPreviousWord(_ text: Text, start: Int, wordBits: UnsafeBufferPointer<UInt64>) -> Bool {
        var index = start
        while index > 0 {
            let byte = text.base[index &- 1]
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "-") {
                index &-= 1
            } else if byte == 0x99 && index >= 3 && text.base[index &- 2] == 0x80 && text.base[index &- 3] == 0xE2 {
                index &-= 3  // U+2019 RIGHT SINGLE QUOTATION MARK
            } else {
                break
            }
        }
        guard index < start, index > 0 else { return false }
        let before = index &- 1
        return wordBits[before >> 6] & (1 << UInt64(before & 63)) != 0
    }

    fileprivate static let fnvOffsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    fileprivate static let fnvPrime: UInt64 = 0x100_0000_01b3

    /// The UTF-8 being hashed.
    fileprivate struct Text {
        let base: UnsafePointer<UInt8>
        let count: Int
        /// One bit per byte from 0x80 up; nil when there are none.
        let nonASCIIBits: UnsafeBufferPointer<UInt64>?
        /// Hash words and shingles eight at a time (`simhash_lanes_*`).
        let lanes: Bool
    }

    /// At most this many words are held at once, so memory does not grow with the text.
    private static let batchCapacity = 256

    /// Hashes the words batch by batch, and counts the bits of the shingles of consecutive words.
    private static func fromWords(of text: Text, wordBits: UnsafeBufferPointer<UInt64>) -> UInt64 {
        // Words are separated by at least one byte, so there are at most (count + 1) / 2; and a
        // batch must hold the up to 32 words of a chunk after fewer than 32 others.
        let capacity = min(batchCapacity, max(64, (text.count + 1) / 2))
        let storageSize = 2 + capacity + WordQueues.storageSize(capacity) + BitCounter.storageSize
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: storageSize) { storage in
            // Two words carried over from the batch before, then the word hashes of this batch.
            let words = UnsafeMutableBufferPointer(rebasing: storage[0..<2 + capacity])
            let queuesEnd = 2 + capacity + WordQueues.storageSize(capacity)
            let queues = WordQueues(
                storage: UnsafeMutableBufferPointer(rebasing: storage[2 + capacity..<queuesEnd]), capacity: capacity)
            var counter = BitCounter(storage: UnsafeMutableBufferPointer(rebasing: storage[queuesEnd...]))
            var finder = WordFinder(wordBits: wordBits)
            var seenWords = 0
            var shingles = 0
            while true {
                let batch = finder.queueWords(of: text, into: queues)
                if batch == 0 { break }
                queues.hashWords(of: text, into: UnsafeMutableBufferPointer(rebasing: words[2..<2 + batch]))
                let carried = min(seenWords, 2)
                seenWords += batch
                if seenWords < 3 { continue }  // then this is the only batch: see below
                let sequence = UnsafeMutableBufferPointer(rebasing: words[(2 - carried)..<2 + batch])
                let last = (sequence[sequence.count - 2], sequence[sequence.count - 1])
                var made = text.lanes ? simhash_lanes_shingles(sequence.baseAddress, sequence.count) : 0
                made += makeShingles(UnsafeMutableBufferPointer(rebasing: sequence[made...]))
                counter.add(UnsafeBufferPointer(rebasing: sequence[..<made]))
                shingles += made
                (words[0], words[1]) = last
            }
            if seenWords == 0 { return 0 }
            if seenWords < 3 {  // one shingle of all the words
                var shingle = fnvOffsetBasis
                for word in words[2..<2 + seenWords] { shingle = (shingle ^ word) &* fnvPrime }
                words[0] = finishShingle(shingle)
                counter.add(UnsafeBufferPointer(rebasing: words[0..<1]))
                shingles = 1
            }
            let counts = counter.finish()
            // The counters used to be 32 bits wide; keep their wrap-around so results stay identical.
            var result: UInt64 = 0
            for bit in 0..<64 where 2 * Int(UInt32(truncatingIfNeeded: counts[bit])) > shingles {
                result |= 1 << UInt64(bit)
            }
            return result
        }
    }

    // MARK: Finding the words

    /// Fills one bit per byte of `base[0..<count]` (bit `i % 64` of element `i / 64`): in
    /// `wordBits`, the bytes of word scalars (letters and digits); in `nonASCIIBits`, the bytes from
    /// 0x80 up; in `joinerBits`, the bytes a joiner can end with (`'` and `-`, among the ASCII
    /// bytes from `'` to `-`, and every byte from 0x80 up, for `’`). Bits past `count` are clear.
    /// Returns whether there are any bytes from 0x80 up.
    ///
    /// ASCII is classified sixteen bytes at a time (`byte_scan_word_bitmaps`); each multi-byte
    /// scalar is then decoded and classified through the Unicode tables, and all its bytes marked
    /// when it is a word scalar.
    private static func classify(
        _ base: UnsafePointer<UInt8>, count: Int, wordBits: UnsafeMutableBufferPointer<UInt64>,
        nonASCIIBits: UnsafeMutableBufferPointer<UInt64>, joinerBits: UnsafeMutableBufferPointer<UInt64>
    ) -> Bool {
        let anyNonASCII = byte_scan_word_bitmaps(
            base, count, wordBits.baseAddress, joinerBits.baseAddress, nonASCIIBits.baseAddress)
        guard anyNonASCII != 0 else { return false }
        for chunk in 0..<wordBits.count where nonASCIIBits[chunk] != 0 {
            var nonASCII = nonASCIIBits[chunk]
            while nonASCII != 0 {
                let start = chunk * 64 + nonASCII.trailingZeroBitCount
                nonASCII &= nonASCII - 1
                guard base[start] >= 0xC0 else { continue }  // a continuation byte
                var end = start
                guard WordCounter.isWordScalar(decodeScalar(base, &end, count)) else { continue }
                for index in start..<min(end, count) { wordBits[index >> 6] |= 1 << UInt64(index & 63) }
            }
        }
        return true
    }

    /// The words of a text in order, from its word bitmap: each run of set bits is a word.
    private struct WordFinder {
        let wordBits: UnsafeBufferPointer<UInt64>
        private var chunk = 0
        /// The start of a word that runs on into `chunk`, or -1.
        private var pendingStart = -1

        init(wordBits: UnsafeBufferPointer<UInt64>) {
            self.wordBits = wordBits
        }

        /// Queues the next words, as many as fit (stopping before a chunk whose up to 32 words
        /// might not); returns how many. Zero when there are no more.
        mutating func queueWords(of text: Text, into queues: WordQueues) -> Int {
            var queued = 0
            var chunk = self.chunk
            var pendingStart = self.pendingStart
            @inline(__always) func queue(start: Int, end: Int) {
                let length = end &- start
                var queue = length <= WordQueues.longestQueued ? length : 0
                if let nonASCIIBits = text.nonASCIIBits, containsNonASCII(start, end, nonASCIIBits) { queue = 0 }
                queues.append(start: start, end: end, index: queued, to: queue)
                queued &+= 1
            }
            while chunk < wordBits.count && queued + 32 <= queues.capacity {
                let bits = wordBits[chunk]
                let previous = chunk > 0 ? wordBits[chunk &- 1] : 0
                let next = chunk &+ 1 < wordBits.count ? wordBits[chunk &+ 1] : 0
                var starts = bits & ~(bits << 1 | previous >> 63)  // the first byte of each word
                var ends = bits & ~(bits >> 1 | next << 63)  // the last byte of each word
                let offset = chunk &* 64
                if pendingStart >= 0 && ends != 0 {
                    queue(start: pendingStart, end: offset &+ ends.trailingZeroBitCount &+ 1)
                    ends &= ends &- 1
                    pendingStart = -1
                }
                while ends != 0 {
                    queue(start: offset &+ starts.trailingZeroBitCount, end: offset &+ ends.trailingZeroBitCount &+ 1)
                    starts &= starts &- 1
                    ends &= ends &- 1
                }
                if starts != 0 { pendingStart = offset &+ starts.trailingZeroBitCount }
                chunk &+= 1
            }
            self.chunk = chunk
            self.pendingStart = pendingStart
            return queued
        }
    }

    // MARK: Hashing the words

    /// Words waiting to be hashed, queued by length so that each queue is hashed by one loop whose
    /// branches every word of the queue takes the same way. Queue 0 holds the words hashed one
    /// scalar at a time: those longer than `longestQueued` bytes or with multi-byte scalars.
    private struct WordQueues {
        static let longestQueued = 16

        /// The storage for queues of up to `capacity` words.
        static func storageSize(_ capacity: Int) -> Int { longestQueued + 1 + (longestQueued + 2) * capacity }

        let capacity: Int
        /// How many words each queue holds; then queues 1...16, `capacity` entries each; then
        /// queue 0, two entries per word (the second is its end). An entry is `start << 16 | index`,
        /// with `index` the word's position in the batch.
        private let storage: UnsafeMutableBufferPointer<UInt64>

        init(storage: UnsafeMutableBufferPointer<UInt64>, capacity: Int) {
            precondition(capacity <= 1 << 16)
            self.storage = storage
            self.capacity = capacity
            storage[0...Self.longestQueued].initialize(repeating: 0)
        }

        /// Where the entries of `queue` start.
        @inline(__always)
        private func entries(of queue: Int) -> Int {
            Self.longestQueued &+ 1 &+ (queue == 0 ? Self.longestQueued : queue &- 1) &* capacity
        }

        @inline(__always)
        func append(start: Int, end: Int, index: Int, to queue: Int) {
            let count = Int(truncatingIfNeeded: storage[queue])
            let entry = UInt64(truncatingIfNeeded: start) << 16 | UInt64(truncatingIfNeeded: index)
            if queue == 0 {
                storage[entries(of: 0) &+ 2 &* count] = entry
                storage[entries(of: 0) &+ 2 &* count &+ 1] = UInt64(truncatingIfNeeded: end)
            } else {
                storage[entries(of: queue) &+ count] = entry
            }
            storage[queue] = UInt64(truncatingIfNeeded: count &+ 1)
        }

        /// Writes the FNV-1a hash of each queued word's case-folded scalar values to `hashes`
        /// at the word's index, and empties the queues.
        ///
        /// ASCII words are loaded eight bytes at a time; setting bit 5 lowercases the letters and
        /// keeps the digits.
        func hashWords(of text: Text, into hashes: UnsafeMutableBufferPointer<UInt64>) {
            let fold: UInt64 = 0x2020_2020_2020_2020
            for length in 1...Self.longestQueued {
                let first = entries(of: length)
                let queued = Int(truncatingIfNeeded: storage[length])
                let hashed =
                    text.lanes
                    ? simhash_lanes_hash_words(
                        text.base, text.count, storage.baseAddress! + first, queued, length, hashes.baseAddress) : 0
                for entry in storage[first &+ hashed..<first &+ queued] {
                    let start = Int(truncatingIfNeeded: entry >> 16)
                    var hash = fnvOffsetBasis
                    var lanes = loadBlock(text.base, start, text.count) | fold
                    for _ in 0..<min(length, 8) {
                        hash = (hash ^ (lanes & 0xFF)) &* fnvPrime
                        lanes >>= 8
                    }
                    if length > 8 {
                        lanes = loadBlock(text.base, start &+ 8, text.count) | fold
                        for _ in 8..<length {
                            hash = (hash ^ (lanes & 0xFF)) &* fnvPrime
                            lanes >>= 8
                        }
                    }
                    hashes[Int(truncatingIfNeeded: entry & 0xFFFF)] = hash
                }
                storage[length] = 0
            }
            let first = entries(of: 0)
            for word in 0..<Int(truncatingIfNeeded: storage[0]) {
                let entry = storage[first &+ 2 &* word]
                let end = Int(truncatingIfNeeded: storage[first &+ 2 &* word &+ 1])
                hashes[Int(truncatingIfNeeded: entry & 0xFFFF)] = hashScalars(
                    text, Int(truncatingIfNeeded: entry >> 16), end)
            }
            storage[0] = 0
        }
    }

    /// Whether any byte of `start..<end` is set in `nonASCIIBits`.
    @inline(__always)
    fileprivate static func containsNonASCII(_ start: Int, _ end: Int, _ nonASCIIBits: UnsafeBufferPointer<UInt64>)
        -> Bool
    {
        var index = start
        while index < end {
            let bit = index & 63
            let width = min(64 - bit, end - index)
            let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width) - 1) << UInt64(bit)
            if nonASCIIBits[index >> 6] & mask != 0 { return true }
            index += width
        }
        return false
    }

    /// The FNV-1a hash of a word, one scalar at a time.
    fileprivate static func hashScalars(_ text: Text, _ start: Int, _ end: Int) -> UInt64 {
        var hash = fnvOffsetBasis
        var index = start
        while index < end {
            let byte = text.base[index]
            let value: UInt32
            if byte < 0x80 {
                value = UInt32(byte | 0x20)  // an ASCII letter or digit
                index += 1
            } else {
                value = folded(decodeScalar(text.base, &index, text.count))
            }
            hash = (hash ^ UInt64(value)) &* fnvPrime
        }
        return hash
    }

    /// Eight bytes from `index`, the first in the lowest lane; past `count` the lanes are zero.
    @inline(__always)
    fileprivate static func loadBlock(_ base: UnsafePointer<UInt8>, _ index: Int, _ count: Int) -> UInt64 {
        if index + 8 <= count {
            return UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
        }
        var block: UInt64 = 0
        var offset = 0
        while index + offset < count {
            block |= UInt64(base[index + offset]) << UInt64(8 * offset)
            offset += 1
        }
        return block
    }

    /// Decodes the multi-byte scalar whose lead byte is at `index`, and moves `index` past it.
    @inline(__always)
    fileprivate static func decodeScalar(_ base: UnsafePointer<UInt8>, _ index: inout Int, _ count: Int) -> UInt32 {
        let byte = base[index]
        let length = byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        var value = UInt32(byte) & (byte < 0xE0 ? 0x1F : byte < 0xF0 ? 0x0F : 0x07)
        for offset in 1..<length where index + offset < count {
            value = value << 6 | UInt32(base[index + offset] & 0x3F)
        }
        index += length
        return value
    }

    // MARK: Shingles and the majority vote

    @inline(__always)
    fileprivate static func finishShingle(_ hash: UInt64) -> UInt64 {
        var hash = hash
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }

    /// Replaces three or more word hashes with the hashes of their 3-shingles, in place; returns
    /// how many there are (two fewer).
    fileprivate static func makeShingles(_ words: UnsafeMutableBufferPointer<UInt64>) -> Int {
        // Shingle k overwrites word k, which no later shingle reads.
        var first = words[0]
        var second = words[1]
        for index in 0..<words.count - 2 {
            let third = words[index + 2]
            words[index] = finishShingle(
                (((fnvOffsetBasis ^ first) &* fnvPrime ^ second) &* fnvPrime ^ third) &* fnvPrime)
            first = second
            second = third
        }
        return words.count - 2
    }

    /// For each bit position, how many of the values added have it set.
    ///
    /// Bit-sliced: a carry-save adder tree (Harley–Seal) folds sixteen values at a time into
    /// running planes of ones, twos, fours and eights, and hands out one plane of sixteens. Planes
    /// are added to per-bit counters kept as byte lanes (see `spread`), which are emptied into the
    /// full counts before they can overflow.
    fileprivate struct BitCounter {
        /// Eight words of byte lanes (bit `8g + k` in lane `k` of word `g`), then the 64 counts.
        private let storage: UnsafeMutableBufferPointer<UInt64>
        private var laneTotal = 0
        private var ones: UInt64 = 0
        private var twos: UInt64 = 0
        private var fours: UInt64 = 0
        private var eights: UInt64 = 0

        static let storageSize = 72

        init(storage: UnsafeMutableBufferPointer<UInt64>) {
            self.storage = storage
            storage.initialize(repeating: 0)
        }

        mutating func add(_ values: UnsafeBufferPointer<UInt64>) {
            @inline(__always) func carrySave(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> (carry: UInt64, sum: UInt64) {
                let partial = a ^ b
                return ((a & b) | (partial & c), partial ^ c)
            }
            let groups = values.count / 16
            for group in 0..<groups {
                let value = UnsafeBufferPointer(rebasing: values[group * 16..<group * 16 + 16])
                var twosA: UInt64
                var twosB: UInt64
                var foursA: UInt64
                var foursB: UInt64
                var eightsA: UInt64
                var eightsB: UInt64
                (twosA, ones) = carrySave(ones, value[0], value[1])
                (twosB, ones) = carrySave(ones, value[2], value[3])
                (foursA, twos) = carrySave(twos, twosA, twosB)
                (twosA, ones) = carrySave(ones, value[4], value[5])
                (twosB, ones) = carrySave(ones, value[6], value[7])
                (foursB, twos) = carrySave(twos, twosA, twosB)
                (eightsA, fours) = carrySave(fours, foursA, foursB)
                (twosA, ones) = carrySave(ones, value[8], value[9])
                (twosB, ones) = carrySave(ones, value[10], value[11])
                (foursA, twos) = carrySave(twos, twosA, twosB)
                (twosA, ones) = carrySave(ones, value[12], value[13])
                (twosB, ones) = carrySave(ones, value[14], value[15])
                (foursB, twos) = carrySave(twos, twosA, twosB)
                (eightsB, fours) = carrySave(fours, foursA, foursB)
                let sixteens: UInt64
                (sixteens, eights) = carrySave(eights, eightsA, eightsB)
                addToLanes(sixteens, weight: 16)
            }
            for value in values[(groups * 16)...] { addToLanes(value, weight: 1) }
        }

        /// The counts: the planes added in, the lanes emptied.
        mutating func finish() -> UnsafeMutableBufferPointer<UInt64> {
            addToLanes(ones, weight: 1)
            addToLanes(twos, weight: 2)
            addToLanes(fours, weight: 4)
            addToLanes(eights, weight: 8)
            emptyLanes()
            return UnsafeMutableBufferPointer(rebasing: storage[8..<72])
        }

        /// Adds `weight` to the counter of each bit set in `plane`. The lanes count in units of
        /// one; they are emptied first when a lane could pass 255.
        @inline(__always)
        private mutating func addToLanes(_ plane: UInt64, weight: Int) {
            if laneTotal + weight > 255 { emptyLanes() }
            laneTotal += weight
            for group in 0..<8 {
                storage[group] &+= spread(UInt8(truncatingIfNeeded: plane >> UInt64(8 * group))) &* UInt64(weight)
            }
        }

        private mutating func emptyLanes() {
            for group in 0..<8 {
                for lane in 0..<8 { storage[8 + 8 * group + lane] &+= storage[group] >> UInt64(8 * lane) & 0xFF }
                storage[group] = 0
            }
            laneTotal = 0
        }
    }

    /// The eight bits of `byte` spread to the lowest bit of eight byte lanes, bit `k` to lane `k`.
    @inline(__always)
    private static func spread(_ byte: UInt8) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        // Lane k keeps only bit k of its copy of the byte; adding 0x7F carries it into bit 7.
        let isolated = (UInt64(byte) &* ones) & 0x8040_2010_0804_0201
        return ((isolated &+ 0x7F7F_7F7F_7F7F_7F7F) >> 7) & ones
    }

    /// Case-folded scalar value: ASCII by arithmetic, U+0080 up to U+07FF by a table made once,
    /// the rest through the Unicode tables.
    @inline(__always)
    static func folded(_ value: UInt32) -> UInt32 {
        if value < 0x80 { return value &- 0x41 < 26 ? value + 0x20 : value }
        if value < 0x800 { return twoByteFolded[Int(value &- 0x80)] }
        return foldedByProperties(value)
    }

    /// `foldedByProperties` of each scalar from U+0080 up to U+07FF, in order.
    private static let twoByteFolded: [UInt32] = (0x80..<0x800).map { foldedByProperties(UInt32($0)) }

    /// The scalar's lowercase mapping when that is a single scalar, else the scalar itself.
    private static func foldedByProperties(_ value: UInt32) -> UInt32 {
        guard let scalar = Unicode.Scalar(value) else { return value }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first!.value : value
    }

    /// The value as 16 lowercase hex digits.
    public static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { digits in
            for index in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF
                digits[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
            }
            return 16
        }
    }

    public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
}
