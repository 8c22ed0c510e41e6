/// Restores the structure of flattened article bodies, where a page dump ran headings, paragraphs
/// and cross-links together into one line:
///
/// - an inline cross-link ("Read more: <headline>", "Read: …", "Opinion: …") is cut out and its
///   headline goes to `related`; so is an unmarked "Topic: Headline" teaser between sentences;
/// - an inline subheading between two sentences ("… closed the harbour. Talks in Lisbon The two
///   ministers met …") goes to `headings` and starts a new paragraph.
///
/// Where a heading or headline ends is decided from the words alone: a heading is a short run of
/// words after a sentence end that contains no finite verb or comma, does not end in a function
/// word, and is followed by a capitalized word that starts a sentence. A boundary before a word
/// the page uses as a name elsewhere (`CapitalizationStats`) is weak evidence; a boundary before a
/// sentence-starting word ("The", "During") or after a `?` is strong.
struct BodySegmenter {
    let profile: LanguageProfile
    let stats: CapitalizationStats

    /// The most words a heading can have.
    static let maxHeadingWords = 10
    /// The most words an inline cross-link headline can have.
    static let maxLinkWords = 25
    /// The fewest words of the sentence after a heading.
    static let minSentenceWords = 4

    /// Paragraphs, headings and cross-links found in a run of paragraphs.
    struct Output: Sendable {
        var paragraphs: [String] = []
        var headings: [String] = []
        var related: [String] = []
    }

    /// Tokenizes `paragraphs` and builds the page statistics over all of them.
    static func prepare(_ paragraphs: [String], profile: LanguageProfile) -> ([TokenizedParagraph], CapitalizationStats)
    {
        let elision = profile.code == "fr" || profile.code == "it"
        var stats = CapitalizationStats(expectedBytes: paragraphs.reduce(0) { $0 + $1.utf8.count })
        var tokenized: [TokenizedParagraph] = []
        tokenized.reserveCapacity(paragraphs.count)
        for paragraph in paragraphs {
            let tokens = TokenizedParagraph(paragraph, elision: elision)
            stats.add(tokens)
            tokenized.append(tokens)
        }
        return (tokenized, stats)
    }

    /// Appends what `paragraph` holds to `output`.
    func segment(_ paragraph: TokenizedParagraph, into output: inout Output) {
        var walker = Walker(segmenter: self, paragraph: paragraph)
        walker.run(into: &output)
    }

    // MARK: Boundaries

    enum Boundary {
        /// After `?` or `!`.
        case question
        /// After a sentence-ending period: headings never end with one.
        case period
        /// Before a sentence-starting word.
        case strong
        /// Lowercase word, then a capitalized one.
        case lowerThenCapital
        /// Two capitalized words.
        case capitalThenCapital

        var isWeak: Bool { self == .lowerThenCapital || self == .capitalThenCapital }
    }

    /// Whether a sentence may end after token `index` and another start.
    func boundary(after index: Int, in paragraph: TokenizedParagraph) -> Boundary? {
        let tokens = paragraph.tokens
        guard index + 1 < tokens.count else { return nil }
        let current = tokens[index]
        let next = tokens[index + 1]
        if current.has(.comma) || current.has(.colon) { return nil }
        if current.has(.terminal) { return current.has(.question) ? .question : .period }
        guard next.has(.upper), !next.has(.opensParen), !next.has(.digit) else { return nil }
        if isFunctionWord(index, in: paragraph) { return nil }
        if isSentenceStarter(index + 1, in: paragraph) { return .strong }
        if current.has(.upper) && stats.pairCount(current.key, next.key) >= 2 { return nil }
        if current.has(.upper) && !current.has(.closesQuote) {
            if index > 0 {
                let previous = tokens[index - 1]
                if previous.has(.upper) && !previous.has(.comma) && !previous.has(.colon) { return nil }
            }
            return .capitalThenCapital
        }
        return .lowerThenCapital
    }

    func isFunctionWord(_ index: Int, in paragraph: TokenizedParagraph) -> Bool {
        paragraph.tokens[index].has(.elided) || profile.functionWords.contains(hash: paragraph.folded(index))
    }

    func isSentenceStarter(_ index: Int, in paragraph: TokenizedParagraph) -> Bool {
        paragraph.tokens[index].has(.elided) || profile.sentenceStarters.contains(hash: paragraph.folded(index))
    }

    /// The page uses the word as a name: capitalized in mid-sentence somewhere else, or its stem is
    /// ("Oslo" for "Oslo-based").
    func isName(_ index: Int, in paragraph: TokenizedParagraph, countedHere: Bool) -> Bool {
        let token = paragraph.tokens[index]
        if stats.midSentenceCount(token.key) - (countedHere ? 1 : 0) > 0 { return true }
        return token.stemKey != token.key && stats.midSentenceCount(token.stemKey) > 0
    }

    // MARK: Headings

    /// If a heading starts at token `start`, the index of the first token after it, and whether it
    /// is a "Topic: Headline" teaser (a cross-link) rather than a section heading.
    func heading(at start: Int, in paragraph: TokenizedParagraph, afterLink: Bool) -> (end: Int, isLink: Bool)? {
        let tokens = paragraph.tokens
        let first = tokens[start]
        guard first.has(.upper), !first.has(.opensQuote) else { return nil }
        guard !profile.nonHeadingStarts.contains(hash: paragraph.folded(start)) else { return nil }
        var hasColon = false
        for length in 1...Self.maxHeadingWords {
            let last = start + length - 1
            guard last + 1 < tokens.count else { return nil }
            if length > 1 && (tokens[last - 1].has(.terminal) || tokens[last - 1].has(.comma)) { return nil }
            if tokens[last].has(.colon) {
                hasColon = true
                continue
            }
            guard let boundary = boundary(after: last, in: paragraph) else { continue }
            if boundary == .period { return nil }
            if length < 2 {
                if boundary == .question { return nil }
                continue
            }
            var contentWords = 0
            for index in start...last where !isFunctionWord(index, in: paragraph) { contentWords += 1 }
            if contentWords < 2 { continue }
            if containsFiniteVerb(start...last, paragraph) { return nil }
            if acceptsHeading(start...last, boundary: boundary, hasColon: hasColon, afterLink: afterLink, paragraph) {
                return (last + 1, hasColon)
            }
        }
        return nil
    }

    /// The checks on a candidate heading beyond its length, content words and verbs.
    private func acceptsHeading(
        _ words: ClosedRange<Int>, boundary: Boundary, hasColon: Bool, afterLink: Bool, _ paragraph: TokenizedParagraph
    ) -> Bool {
        let tokens = paragraph.tokens
        let last = words.upperBound
        if boundary != .question, words.count >= 4, let suffix = profile.pastTenseSuffix, tokens[last].has(.lower),
            !tokens[last].has(.closesQuote), paragraph.coreHasSuffix(last, suffix)
        {
            return false  // "The board already warned | Harlow": a verb and its object, not "Workers stranded"
        }
        if boundary.isWeak {
            if profile.capitalizesNouns { return false }
            if tokens[last].has(.possessive) { return false }
            let start = words.lowerBound
            if !afterLink && !hasColon && !isFunctionWord(start, in: paragraph)
                && isName(start, in: paragraph, countedHere: start > 0 && !tokens[start - 1].has(.terminal))
            {
                return false  // a sentence whose subject is a name, not a heading
            }
            if boundary == .capitalThenCapital && !words.contains(where: { tokens[$0].has(.lower) }) { return false }
        }
        return sentenceLength(from: last + 1, paragraph) >= Self.minSentenceWords
    }

    private func containsFiniteVerb(_ words: ClosedRange<Int>, _ paragraph: TokenizedParagraph) -> Bool {
        words.contains { profile.finiteVerbs.contains(hash: paragraph.folded($0)) }
    }

    /// Words from `start` to the end of that sentence.
    private func sentenceLength(from start: Int, _ paragraph: TokenizedParagraph) -> Int {
        var index = start
        while index < paragraph.tokens.count {
            if paragraph.tokens[index].has(.terminal) { return index - start + 1 }
            index += 1
        }
        return index - start
    }

    // MARK: Cross-links

    /// If a cross-link label ("Read more:") starts at `start`, the number of its tokens.
    func linkLabelLength(at start: Int, in paragraph: TokenizedParagraph) -> Int? {
        let tokens = paragraph.tokens
        guard tokens[start].has(.upper) else { return nil }
        for length in 1...4 where start + length <= tokens.count {
            let last = tokens[start + length - 1]
            guard last.has(.colon) else {
                if last.has(.terminal) || last.has(.comma) { return nil }
                continue
            }
            var labelEnd = Int(last.end) - 1
            while labelEnd > Int(tokens[start].start) && paragraph.bytes[labelEnd - 1] == 0x20 { labelEnd -= 1 }
            let range = Int(tokens[start].start)..<labelEnd
            let label = paragraph.bytes.withUnsafeBufferPointer { Folding.fold($0, range) }
            return Markers.linkLabelSet.contains(label, 0..<label.count) ? length : nil
        }
        return nil
    }

    /// The index after an inline cross-link's headline that starts at `start`.
    func linkEnd(from start: Int, in paragraph: TokenizedParagraph) -> Int {
        let tokens = paragraph.tokens
        let limit = min(tokens.count, start + Self.maxLinkWords)
        var firstWeak: Int? = nil
        var index = start
        while index < limit {
            if let boundary = boundary(after: index, in: paragraph) {
                switch boundary {
                case .question, .period, .strong:
                    return index + 1
                case .lowerThenCapital, .capitalThenCapital:
                    if !profile.capitalizesNouns {
                        if !isName(index + 1, in: paragraph, countedHere: true) { return index + 1 }
                        if firstWeak == nil { firstWeak = index + 1 }
                    }
                }
            }
            if tokens[index].has(.terminal) { break }
            index += 1
        }
        if index >= tokens.count - 1 { return tokens.count }  // the link runs to the paragraph's end
        return firstWeak ?? limit
    }
}

/// One pass over a paragraph's tokens, cutting links and headings out of the kept text.
private struct Walker {
    let segmenter: BodySegmenter
    let paragraph: TokenizedParagraph
    /// Runs of kept tokens of the paragraph being built.
    private var runs: [Range<Int>] = []

    init(segmenter: BodySegmenter, paragraph: TokenizedParagraph) {
        self.segmenter = segmenter
        self.paragraph = paragraph
    }

    mutating func run(into output: inout BodySegmenter.Output) {
        let tokens = paragraph.tokens
        if tokens.isEmpty { return }
        var position = 0
        var runStart = 0
        var atSentenceStart = true
        var afterLink = false
        var afterHeading = false
        while position < tokens.count {
            if atSentenceStart {
                if let labelLength = segmenter.linkLabelLength(at: position, in: paragraph) {
                    keep(runStart..<position)
                    let start = position + labelLength
                    let end = segmenter.linkEnd(from: start, in: paragraph)
                    if end > start { output.related.append(Self.headline(paragraph.text(start..<end))) }
                    position = end
                    runStart = end
                    afterLink = true
                    afterHeading = false
                    continue
                }
                if position > 0 && !afterHeading,
                    let (end, isLink) = segmenter.heading(at: position, in: paragraph, afterLink: afterLink)
                {
                    keep(runStart..<position)
                    if isLink {
                        output.related.append(paragraph.text(position..<end))
                    } else {
                        output.headings.append(paragraph.text(position..<end))
                        flush(into: &output)
                    }
                    position = end
                    runStart = end
                    afterLink = false
                    afterHeading = !isLink
                    continue
                }
            }
            afterLink = false
            afterHeading = false
            atSentenceStart = tokens[position].has(.terminal)
            position += 1
        }
        keep(runStart..<tokens.count)
        flush(into: &output)
    }

    private mutating func keep(_ range: Range<Int>) {
        if !range.isEmpty { runs.append(range) }
    }

    /// Ends the paragraph being built.
    private mutating func flush(into output: inout BodySegmenter.Output) {
        defer { runs.removeAll(keepingCapacity: true) }
        guard !runs.isEmpty else { return }
        if runs.count == 1 && runs[0].count == paragraph.tokens.count {
            output.paragraphs.append(paragraph.text)
            return
        }
        var bytes: [UInt8] = []
        for run in runs {
            if !bytes.isEmpty { bytes.append(0x20) }
            let range = Int(paragraph.tokens[run.lowerBound].start)..<Int(paragraph.tokens[run.upperBound - 1].end)
            bytes.append(contentsOf: paragraph.bytes[range])
        }
        output.paragraphs.append(String(decoding: bytes, as: UTF8.self))
    }

    /// A cross-link's headline without a sentence-ending period.
    private static func headline(_ text: String) -> String {
        text.hasSuffix(".") && !text.hasSuffix("..") ? String(text.dropLast()) : text
    }
}
