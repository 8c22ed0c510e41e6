import IngestModel

/// Reads listing pages: a tag or category archive ("Tag Archives: X") or any page of several
/// articles closed by teasers ("… Read More »").
///
/// An item starts at a heading-like line (its title) and runs until its teaser, which becomes the
/// summary. Date lines, bylines and tag lines right after a title belong to that item. Page chrome
/// ("You are here: …", "Feed Subscription", "Scroll To Top", pagination) is dropped. The archive's
/// term goes into every item's tags, and each item gets `listing` = {page title, 1-based position}.
/// An article printed twice on the page is emitted once.
struct ListingPageReader {
    let lines: PageLines
    let language: String?

    /// What tells a listing page apart.
    struct Signals {
        var headerIndex: Int?
        var archiveTerm: String?
        var explicitArchive = false
        /// Teaser texts by line index.
        var teaserTexts: [Int: String] = [:]

        var teasers: Int { teaserTexts.count }

        var isListing: Bool {
            (headerIndex != nil && (explicitArchive || teasers >= 1)) || teasers >= 2
        }
    }

    /// How many leading lines may hold the archive header.
    static let headerSearchLines = 12

    static func signals(_ lines: PageLines) -> Signals {
        var signals = Signals()
        var seen = 0
        for index in 0..<lines.count {
            let line = lines[index]
            if let teaser = Markers.teaserText(line) { signals.teaserTexts[index] = teaser }
            guard signals.headerIndex == nil, seen < headerSearchLines else { continue }
            seen += 1
            if Markers.isChrome(line) { continue }
            if let (term, explicit) = Markers.archiveTerm(line) {
                signals.headerIndex = index
                signals.archiveTerm = term
                signals.explicitArchive = explicit
            }
        }
        return signals
    }

    /// The page's articles, or nil when no item was found.
    func read(_ signals: Signals) -> [RawArticle]? {
        var items: [RawArticle] = []
        var current: RawArticle? = nil
        var pending = RawArticle()
        var lastBodyBlock = -1
        let start = (signals.headerIndex ?? -1) + 1
        func close() {
            if var item = current {
                item.closeParagraph()
                items.append(item)
            }
            current = nil
        }
        for index in start..<lines.count {
            let line = lines[index]
            let text = line.text
            let block = line.block
            if Markers.isChrome(line) || Markers.isShareWidget(line) { continue }
            if let teaser = signals.teaserTexts[index] {
                guard var item = current else { continue }
                item.summary = teaser.isEmpty ? takeTrailingExcerpt(&item) : teaser
                if !item.hasParagraph, let summary = item.summary {
                    item.body.append(.paragraph(summary))
                    item.warnings.append("the listing shows only a teaser: the body is the teaser")
                }
                current = item
                close()
                continue
            }
            let inHeader = current.map { !$0.hasParagraph } ?? true
            if inHeader, let date = DateParser.parseLine(line, language: language) {
                if current == nil { pending.apply(date) } else { current!.apply(date) }
                continue
            }
            if inHeader, let byline = BylineParser.parse(line) {
                if current == nil { pending.apply(byline) } else { current!.apply(byline) }
                continue
            }
            if let (list, isKeywords) = Markers.labeledList(line) {
                var target = current ?? pending
                target.addList(list, isKeywords: isKeywords)
                if current == nil { pending = target } else { current = target }
                continue
            }
            if LineText.isHeadingLike(line) {
                if var item = current {
                    if !item.hasParagraph {
                        if let title = item.title, Folding.equalIgnoringCase(title, text) { continue }  // printed twice
                        item.body.append(.heading(text))
                        current = item
                        continue
                    }
                    if signals.teasers > 0 {
                        item.body.append(.heading(text))  // a subheading inside an item
                        current = item
                        continue
                    }
                    close()
                }
                current = newItem(title: text, pending: &pending, signals: signals)
                continue
            }
            guard current != nil else { continue }  // text before the first title: the archive's blurb
            current!.appendLine(text, continuing: block == lastBodyBlock)
            lastBodyBlock = block
        }
        close()
        let unique = Self.removingDuplicates(items)
        guard !unique.isEmpty else { return nil }
        let pageTitle = signals.headerIndex.map { lines[$0].text }
        return unique.enumerated().map { offset, item in
            var item = item
            item.listing = ListingPosition(title: pageTitle, position: offset + 1)
            return item
        }
    }

    private func newItem(title: String, pending: inout RawArticle, signals: Signals) -> RawArticle {
        var item = pending
        pending = RawArticle()
        item.title = title
        if let term = signals.archiveTerm { item.tags.insert(term, at: 0) }
        return item
    }

    /// A lone "Read more" line closes an item: the paragraph before it, if it trails off with an
    /// ellipsis, was the teaser.
    private func takeTrailingExcerpt(_ item: inout RawArticle) -> String? {
        guard item.paragraphCount > 1, case .paragraph(let last)? = item.body.last,
            last.hasSuffix("\u{2026}") || last.hasSuffix("...")
        else { return nil }
        item.body.removeLast()
        return String(Markers.trimEllipsis(last[...]))
    }

    /// Keeps the first of items with the same title and body.
    static func removingDuplicates(_ items: [RawArticle]) -> [RawArticle] {
        var seen: [UInt64: [Int]] = [:]
        var kept: [RawArticle] = []
        for item in items {
            let hash = contentHash(item)
            if let earlier = seen[hash], earlier.contains(where: { sameContent(kept[$0], item) }) { continue }
            seen[hash, default: []].append(kept.count)
            kept.append(item)
        }
        return kept
    }

    /// Hash of the title and each paragraph's length and first bytes; equal items hash equal.
    private static func contentHash(_ item: RawArticle) -> UInt64 {
        var hash = WordHash.seed
        for byte in Folding.fold(item.title ?? "") { hash = WordHash.mix(hash, byte) }
        for case .paragraph(var text) in item.body {
            hash = WordHash.pair(hash, UInt64(text.utf8.count))
            text.withUTF8 { bytes in
                for byte in bytes.prefix(32) { hash = WordHash.mix(hash, byte) }
            }
        }
        return hash
    }

    private static func sameContent(_ first: RawArticle, _ second: RawArticle) -> Bool {
        guard Folding.equalIgnoringCase(first.title ?? "", second.title ?? ""), first.body.count == second.body.count
        else {
            return false
        }
        for (one, other) in zip(first.body, second.body) {
            switch (one, other) {
            case (.paragraph(let a), .paragraph(let b)), (.heading(let a), .heading(let b)),
                (.related(let a), .related(let b)):
                guard a.utf8.elementsEqual(b.utf8) else { return false }
            default:
                return false
            }
        }
        return true
    }
}
