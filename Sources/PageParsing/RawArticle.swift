import IngestModel

/// One piece of an article body in page order.
enum BodyElement: Sendable, Equatable {
    /// A paragraph as printed; it may still hold inline headings and cross-links.
    case paragraph(String)
    /// A subheading printed on its own line.
    case heading(String)
    /// A cross-link headline printed on its own line.
    case related(String)

    var isParagraph: Bool {
        if case .paragraph = self { return true }
        return false
    }
}

/// An article as a page reader found it: metadata plus the body in page order, before the body's
/// inline structure is recovered and before the draft is normalized.
struct RawArticle: Sendable {
    var title: String?
    var published: ParsedDate?
    var updated: ParsedDate?
    var authors: [String] = []
    var tags: [String] = []
    var keywords: [String] = []
    var summary: String?
    /// The body. Lines appended with `appendLine` stay open (not yet joined) until the body is
    /// next changed another way or `closeParagraph` is called, so a paragraph of n lines costs
    /// one join instead of n growing copies.
    var body: [BodyElement] {
        get {
            openLines.isEmpty ? closedBody : closedBody + [.paragraph(LineText.join(openLines, separator: 0x20))]
        }
        set {
            closedBody = newValue
            openLines.removeAll()
        }
        _modify {
            closeParagraph()
            yield &closedBody
        }
    }
    private var closedBody: [BodyElement] = []
    /// The lines of the last paragraph, while it is open.
    private var openLines: [String] = []
    /// How many of `body`'s elements are paragraphs.
    var paragraphCount: Int {
        closedBody.reduce(openLines.isEmpty ? 0 : 1) { count, element in element.isParagraph ? count + 1 : count }
    }
    /// Some element of `body` is a paragraph (usually the first, so this is cheap per line).
    var hasParagraph: Bool { !openLines.isEmpty || closedBody.contains { $0.isParagraph } }
    var credit: String?
    var publisher: String?
    var copyright: String?
    var listing: ListingPosition?
    var warnings: [String] = []

    /// Records a date: the first plain one is the publication date, a labeled update the update.
    mutating func apply(_ date: ParsedDate) {
        if date.isUpdate {
            if updated == nil { updated = date }
        } else if published == nil {
            published = date
        }
        if !date.remainder.isEmpty, let byline = BylineParser.parse(date.remainder) { apply(byline) }
    }

    /// A labeled list: "Tags:"/"Topics:" lists are tags; a "Keywords:" list is both keywords and tags.
    mutating func addList(_ items: [String], isKeywords: Bool) {
        if isKeywords { keywords += items }
        tags += items
    }

    mutating func apply(_ byline: BylineParser.Byline) {
        authors += byline.authors
        if credit == nil { credit = byline.credit }
    }

    /// The first paragraph, as printed.
    var firstParagraph: String? {
        for element in closedBody {
            if case .paragraph(let text) = element { return text }
        }
        return openLines.isEmpty ? nil : LineText.join(openLines, separator: 0x20)
    }

    /// Appends a body line: joined to the previous paragraph when it continues the same block.
    mutating func appendLine(_ line: String, continuing: Bool) {
        if continuing && !openLines.isEmpty {
            openLines.append(line)
        } else if continuing, case .paragraph(let previous)? = closedBody.last {
            closedBody.removeLast()
            openLines = [previous, line]
        } else {
            closeParagraph()
            openLines.append(line)
        }
    }

    /// Joins the open paragraph's lines into the body.
    mutating func closeParagraph() {
        guard !openLines.isEmpty else { return }
        closedBody.append(.paragraph(LineText.join(openLines, separator: 0x20)))
        openLines.removeAll(keepingCapacity: true)
    }
}

/// Turns raw articles into drafts: recovers flattened bodies (with statistics over the whole page),
/// then normalizes lists, detects the language and drops articles left without a body.
enum DraftAssembler {
    static func assemble(_ articles: [RawArticle], pageLanguage: String?) -> [ArticleDraft] {
        let profile = LanguageProfile.forCode(pageLanguage)
        // Each read of `body` joins the open paragraph's lines again: read it once per article.
        let bodies = articles.map(\.body)
        var texts: [String] = []
        texts.reserveCapacity(bodies.reduce(0) { $0 + $1.count })
        for body in bodies {
            for case .paragraph(let text) in body { texts.append(text) }
        }
        let (tokenized, stats) = BodySegmenter.prepare(texts, profile: profile)
        let segmenter = BodySegmenter(profile: profile, stats: stats)
        var next = 0
        var drafts: [ArticleDraft] = []
        drafts.reserveCapacity(articles.count)
        for (article, body) in zip(articles, bodies) {
            var output = BodySegmenter.Output()
            output.paragraphs.reserveCapacity(body.count)
            for element in body {
                switch element {
                case .paragraph:
                    segmenter.segment(tokenized[next], into: &output)
                    next += 1
                case .heading(let text): output.headings.append(text)
                case .related(let text): output.related.append(text)
                }
            }
            if let draft = draft(article, output, pageLanguage: pageLanguage) { drafts.append(draft) }
        }
        return drafts
    }

    /// The draft for one article, or nil when it has no body text at all.
    static func draft(_ article: RawArticle, _ output: BodySegmenter.Output, pageLanguage: String?) -> ArticleDraft? {
        var draft = ArticleDraft()
        draft.title = article.title
        if let published = article.published {
            draft.published = published.iso
            draft.publishedRaw = published.raw
        }
        draft.updated = article.updated?.iso
        draft.authors = ListNormalizer.unique(article.authors)
        draft.tags = ListNormalizer.unique(article.tags)
        draft.keywords = ListNormalizer.unique(article.keywords)
        draft.summary = article.summary.flatMap { $0.isEmpty ? nil : $0 }
        draft.paragraphs =
            output.paragraphs.contains(where: \.isEmpty) ? output.paragraphs.filter { !$0.isEmpty } : output.paragraphs
        draft.headings = output.headings
        draft.related = output.related
        draft.credit = article.credit
        draft.publisher = article.publisher
        draft.copyright = article.copyright
        draft.listing = article.listing
        draft.warnings = article.warnings
        if draft.paragraphs.isEmpty {
            guard let summary = draft.summary else { return nil }
            draft.paragraphs = [summary]
            draft.warnings.append("no body: the summary is used as the body")
        }
        if draft.title == nil { draft.warnings.append("no title found") }
        draft.language = LanguageDetector.detect(draft.title ?? "", draft.paragraphs) ?? pageLanguage
        return draft
    }
}

/// Cleans string lists: trims, drops empties, removes case-insensitive duplicates keeping the first
/// spelling and the order.
enum ListNormalizer {
    static func unique(_ items: [String]) -> [String] {
        if isClean(items) { return items }
        var result: [String] = []
        var keys: [[UInt8]] = []
        for item in items {
            let trimmed = trimmed(item)
            guard !trimmed.isEmpty else { continue }
            let key = Folding.caseKey(trimmed)
            guard !keys.contains(key) else { continue }
            keys.append(key)
            result.append(trimmed)
        }
        return result
    }

    /// `unique(items)` would return `items` unchanged: a short list of trimmed, non-empty items
    /// without duplicates. Decided without building keys or arrays.
    private static func isClean(_ items: [String]) -> Bool {
        guard items.count <= 16 else { return false }
        var asciiItems: UInt16 = 0  // bit n: items[n] is ASCII
        for (index, item) in items.enumerated() {
            var utf8 = item
            let (isTrimmed, isASCII) = utf8.withUTF8 { bytes -> (Bool, Bool) in
                guard let first = bytes.first, let last = bytes.last else { return (false, true) }
                let trimmed =
                    !isTrimmedASCII(first) && !isTrimmedASCII(last)
                    && !(first == 0xC2 && bytes.count > 1 && bytes[1] == 0xA0)
                    && !(last == 0xA0 && bytes.count > 1 && bytes[bytes.count - 2] == 0xC2)
                return (trimmed, bytes.allSatisfy { $0 < 0x80 })
            }
            guard isTrimmed else { return false }
            if isASCII { asciiItems |= 1 << index }
            for earlier in 0..<index {
                if asciiItems & (1 << earlier) != 0 && isASCII {
                    if items[earlier].utf8.count == item.utf8.count && equalIgnoringASCIICase(items[earlier], item) {
                        return false
                    }
                } else if Folding.caseKey(items[earlier]) == Folding.caseKey(item) {
                    return false
                }
            }
        }
        return true
    }

    /// Two ASCII texts of the same length are equal but for the case of letters.
    private static func equalIgnoringASCIICase(_ first: String, _ second: String) -> Bool {
        var first = first
        var second = second
        return first.withUTF8 { a in
            second.withUTF8 { b in
                for index in 0..<a.count where lowercased(a[index]) != lowercased(b[index]) { return false }
                return true
            }
        }
    }

    /// `item` without leading and trailing spaces, no-break spaces, tabs, commas, semicolons and bars.
    static func trimmed(_ item: String) -> String {
        var utf8 = item
        let (start, end) = utf8.withUTF8 { bytes -> (Int, Int) in
            var start = 0
            var end = bytes.count
            while start < end {
                if isTrimmedASCII(bytes[start]) {
                    start += 1
                } else if bytes[start] == 0xC2 && start + 1 < end && bytes[start + 1] == 0xA0 {
                    start += 2
                } else {
                    break
                }
            }
            while end > start {
                if isTrimmedASCII(bytes[end - 1]) {
                    end -= 1
                } else if bytes[end - 1] == 0xA0 && end - start >= 2 && bytes[end - 2] == 0xC2 {
                    end -= 2
                } else {
                    break
                }
            }
            return (start, end)
        }
        if start == 0 && end == item.utf8.count { return item }
        let lower = item.utf8.index(item.utf8.startIndex, offsetBy: start)
        return String(item[lower..<item.utf8.index(lower, offsetBy: end - start)])
    }

    @inline(__always)
    private static func lowercased(_ byte: UInt8) -> UInt8 { byte &+ (byte &- 0x41 < 26 ? 0x20 : 0) }

    /// Space, tab, comma, semicolon, bar.
    @inline(__always)
    private static func isTrimmedASCII(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x2C || byte == 0x3B || byte == 0x7C
    }
}
