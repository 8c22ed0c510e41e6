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
        TokenizedParagraph.tokenize(paragraphs, elision: profile.code == "fr" || profile.code == "it")
    }

    /// Appends what `paragraph` holds to `output`.
    func segment(_ paragraph: TokenizedParagraph, into output: inout Output) {
        paragraph.withView(self) { view, segmenter in
            var walker = Walker(paragraph: view)
            walker.run(segmenter, into: &output)
        }
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
    func boundary(after index: Int, in paragraph: ParagraphView) -> Boundary? {
        guard index + 1 < paragraph.count else { return nil }
        let current = paragraph[index]
        let next = paragraph[index + 1]
        if !current.flags.isDisjoint(with: [.comma, .colon]) { return nil }
        if current.has(.terminal) { return current.has(.question) ? .question : .period }
        guard next.has(.upper), next.flags.isDisjoint(with: [.opensParen, .digit]) else { return nil }
        if isFunctionWord(index, in: paragraph) { return nil }
        if isSentenceStarter(index + 1, in: paragraph) { return .strong }
        if current.has(.upper) && stats.pairCount(current.key, next.key) >= 2 { return nil }
        if current.has(.upper) && !current.has(.closesQuote) {
            if index > 0 {
                let previous = paragraph[index - 1]
                if previous.has(.upper) && previous.flags.isDisjoint(with: [.comma, .colon]) { return nil }
            }
            return .capitalThenCapital
        }
        return .lowerThenCapital
    }

    func isFunctionWord(_ index: Int, in paragraph: ParagraphView) -> Bool {
        paragraph.has(index, .elided) || paragraph.classes(index, in: profile.lexicon).contains(.functionWord)
    }

    func isSentenceStarter(_ index: Int, in paragraph: ParagraphView) -> Bool {
        paragraph.has(index, .elided) || paragraph.classes(index, in: profile.lexicon).contains(.sentenceStarter)
    }

    /// The page uses the word as a name: capitalized in mid-sentence somewhere else, or its stem is
    /// ("Oslo" for "Oslo-based").
    func isName(_ index: Int, in paragraph: ParagraphView, countedHere: Bool) -> Bool {
        let token = paragraph[index]
        if stats.midSentenceCount(token.key) - (countedHere ? 1 : 0) > 0 { return true }
        return token.stemKey != token.key && stats.midSentenceCount(token.stemKey) > 0
    }

    // MARK: Headings

    /// If a heading starts at token `start`, the index of the first token after it, and whether it
    /// is a "Topic: Headline" teaser (a cross-link) rather than a section heading.
    func heading(at start: Int, in paragraph: ParagraphView, afterLink: Bool) -> (end: Int, isLink: Bool)? {
        let first = paragraph[start]
        guard first.has(.upper), !first.has(.opensQuote), mayEndHeading(after: start, in: paragraph) else { return nil }
        guard !paragraph.classes(start, in: profile.lexicon).contains(.nonHeadingStart) else { return nil }
        var hasColon = false
        // The candidate's content words and whether it has a finite verb, over tokens up to `checkedEnd`.
        var contentWords = 0
        var hasFiniteVerb = false
        var checkedEnd = start
        // The candidate is tokens start...last, of at most `maxHeadingWords` and followed by a token.
        let lastLimit = min(start &+ Self.maxHeadingWords, paragraph.count &- 1)
        var last = start &- 1
        while true {
            last &+= 1
            guard last < lastLimit else { return nil }
            if last > start && !paragraph[last &- 1].flags.isDisjoint(with: [.terminal, .comma]) { return nil }
            if paragraph.has(last, .colon) {
                hasColon = true
                continue
            }
            guard let boundary = boundary(after: last, in: paragraph) else { continue }
            if boundary == .period { return nil }
            if last == start {
                if boundary == .question { return nil }
                continue
            }
            while checkedEnd <= last {
                let classes = paragraph.classes(checkedEnd, in: profile.lexicon)
                if !paragraph.has(checkedEnd, .elided) && !classes.contains(.functionWord) { contentWords &+= 1 }
                if classes.contains(.finiteVerb) { hasFiniteVerb = true }
                checkedEnd &+= 1
            }
            if contentWords < 2 { continue }
            if hasFiniteVerb { return nil }
            if acceptsHeading(start...last, boundary: boundary, hasColon: hasColon, afterLink: afterLink, paragraph) {
                return (last &+ 1, hasColon)
            }
        }
    }

    /// False when `heading(at: start, …)` is surely nil: no candidate of two or more words ends in
    /// `?` or `!` or before a capitalized word (all that `boundary(after:in:)` needs to give more
    /// than nil or `.period`) before the sentence ends, a comma or `maxHeadingWords`. A cheap scan
    /// of the flags that spares most sentences the full test.
    @inline(__always)
    private func mayEndHeading(after start: Int, in paragraph: ParagraphView) -> Bool {
        let end = min(start &+ Self.maxHeadingWords, paragraph.count &- 1)
        var last = start &+ 1
        while last < end {
            if !paragraph[last &- 1].flags.isDisjoint(with: [.terminal, .comma]) { return false }
            let token = paragraph[last]
            if token.flags.isDisjoint(with: [.colon, .comma]) {
                if token.has(.terminal) { return token.has(.question) }
                let next = paragraph[last &+ 1]
                if next.has(.upper) && next.flags.isDisjoint(with: [.opensParen, .digit]) { return true }
            }
            last &+= 1
        }
        return false
    }

    /// The checks on a candidate heading beyond its length, content words and verbs.
    private func acceptsHeading(
        _ words: ClosedRange<Int>, boundary: Boundary, hasColon: Bool, afterLink: Bool, _ paragraph: ParagraphView
    ) -> Bool {
        let last = words.upperBound
        if boundary != .question, words.count >= 4, let suffix = profile.pastTenseSuffix, paragraph.has(last, .lower),
            !paragraph.has(last, .closesQuote), paragraph.coreHasSuffix(last, suffix)
        {
            return false  // "The board already warned | Harlow": a verb and its object, not "Workers stranded"
        }
        if boundary.isWeak {
            if profile.capitalizesNouns { return false }
            if paragraph.has(last, .possessive) { return false }
            let start = words.lowerBound
            if !afterLink && !hasColon && !isFunctionWord(start, in: paragraph)
                && isName(start, in: paragraph, countedHere: start > 0 && !paragraph.has(start - 1, .terminal))
            {
                return false  // a sentence whose subject is a name, not a heading
            }
            if boundary == .capitalThenCapital && !words.contains(where: { paragraph.has($0, .lower) }) { return false }
        }
        return sentenceLength(from: last + 1, paragraph) >= Self.minSentenceWords
    }

    /// Words from `start` to the end of that sentence.
    private func sentenceLength(from start: Int, _ paragraph: ParagraphView) -> Int {
        var index = start
        while index < paragraph.count {
            if paragraph.has(index, .terminal) { return index - start + 1 }
            index += 1
        }
        return index - start
    }

    // MARK: Cross-links

    /// If a cross-link label ("Read more:") starts at `start`, the number of its tokens.
    func linkLabelLength(at start: Int, in paragraph: ParagraphView) -> Int? {
        guard paragraph.has(start, .upper) else { return nil }
        for length in 1...4 where start + length <= paragraph.count {
            let last = paragraph[start + length - 1]
            guard last.has(.colon) else {
                if !last.flags.isDisjoint(with: [.terminal, .comma]) { return nil }
                continue
            }
            let labelStart = Int(paragraph[start].start)
            var labelEnd = Int(last.end) - 1
            while labelEnd > labelStart && paragraph.bytes[labelEnd - 1] == 0x20 { labelEnd -= 1 }
            let label = Folding.fold(paragraph.bytes, labelStart..<labelEnd)
            return Markers.linkLabelSet.contains(label, 0..<label.count) ? length : nil
        }
        return nil
    }

    /// The index after an inline cross-link's headline that starts at `start`.
    func linkEnd(from start: Int, in paragraph: ParagraphView) -> Int {
        let limit = min(paragraph.count, start + Self.maxLinkWords)
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
            if paragraph.has(index, .terminal) { break }
            index += 1
        }
        if index >= paragraph.count - 1 { return paragraph.count }  // the link runs to the paragraph's end
        return firstWeak ?? limit
    }
}

/// One pass over a paragraph's tokens, cutting links and headings out of the kept text.
private struct Walker {
    let paragraph: ParagraphView
    /// The first run of kept tokens of the paragraph being built.
    private var firstRun: Range<Int>? = nil
    /// The paragraph being built, once it has more than one run: the runs' text joined by spaces.
    private var joined: String? = nil

    init(paragraph: ParagraphView) {
        self.paragraph = paragraph
    }

    mutating func run(_ segmenter: BodySegmenter, into output: inout BodySegmenter.Output) {
        let count = paragraph.count
        if count == 0 { return }
        var position = 0
        var runStart = 0
        var atSentenceStart = true
        var afterLink = false
        var afterHeading = false
        while position < count {
            if atSentenceStart {
                if let labelLength = segmenter.linkLabelLength(at: position, in: paragraph) {
                    keep(runStart..<position)
                    let start = position + labelLength
                    let end = segmenter.linkEnd(from: start, in: paragraph)
                    if end > start { output.related.append(Self.headline(paragraph.text(tokens: start..<end))) }
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
                        output.related.append(paragraph.text(tokens: position..<end))
                    } else {
                        output.headings.append(paragraph.text(tokens: position..<end))
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
            atSentenceStart = paragraph.has(position, .terminal)
            position += 1
        }
        keep(runStart..<count)
        flush(into: &output)
    }

    /// Adds tokens `range` to the paragraph being built.
    private mutating func keep(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        guard let first = firstRun else {
            firstRun = range
            return
        }
        if joined == nil { joined = String(runText(first)) }
        joined!.append(" ")
        joined!.append(contentsOf: runText(range))
    }

    /// The text of a run of kept tokens.
    private func runText(_ run: Range<Int>) -> Substring {
        paragraph.text(bytes: Int(paragraph[run.lowerBound].start)..<Int(paragraph[run.upperBound - 1].end))
    }

    /// Ends the paragraph being built.
    private mutating func flush(into output: inout BodySegmenter.Output) {
        defer {
            firstRun = nil
            joined = nil
        }
        if let joined {
            output.paragraphs.append(joined)
        } else if let run = firstRun {
            output.paragraphs.append(run.count == paragraph.count ? paragraph.text : String(runText(run)))
        }
    }

    /// A cross-link's headline without a sentence-ending period.
    private static func headline(_ text: String) -> String {
        text.hasSuffix(".") && !text.hasSuffix("..") ? String(text.dropLast()) : text
    }
}
