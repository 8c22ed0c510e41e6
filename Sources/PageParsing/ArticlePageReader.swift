/// Reads single-article pages in three parts:
///
/// - **header**: tag lines ("Tags: a | b"), the headline (a repeat is dropped), the dateline, the byline;
/// - **body**: paragraphs (lines of one block are joined), subheading lines, "Related" blocks and
///   cross-link lines; a wire dateline "CITY (Agency) - " opening the first paragraph gives the credit;
/// - **footer**, from the first copyright, "All rights reserved", share-widget or trademark line: the
///   wire credit line, the repeated lead (→ summary), the keyword list (→ keywords), the publisher;
///   everything else there (widgets, slogans, notices, a repeated date) is dropped.
struct ArticlePageReader {
    let lines: PageLines
    let language: String?

    /// The article and how many layout signals (tags, dates, bylines, credits, a repeated headline)
    /// were seen: without any, the page is not treated as an article page.
    func read() -> (article: RawArticle, signals: Int) {
        var article = RawArticle()
        var signals = 0
        var inBody = false
        var lastBodyBlock = -1
        var relatedBlock: Int? = nil
        var footerStart: Int? = nil
        for index in 0..<lines.count {
            let line = lines[index]
            let text = line.text
            let block = line.block
            if Markers.isChrome(line) { continue }
            if !inBody {
                if let (list, isKeywords) = Markers.labeledList(line) {
                    article.addList(list, isKeywords: isKeywords)
                    signals += 1
                    continue
                }
                if let date = DateParser.parseLine(line, language: language) {
                    article.apply(date)
                    signals += 1
                    continue
                }
                if let byline = BylineParser.parse(line) {
                    article.apply(byline)
                    signals += 1
                    continue
                }
                if Markers.isShareWidget(line) { continue }
                if article.title == nil && LineText.isHeadingLike(line) {
                    article.title = text
                    continue
                }
                if let title = article.title, Folding.equalIgnoringCase(title, text) {
                    signals += 1  // the headline printed twice
                    continue
                }
                inBody = true
            }
            if article.hasParagraph && Self.startsFooter(line) {
                footerStart = index
                break
            }
            if let relatedStart = relatedBlock {
                if block <= relatedStart + 1 && LineText.isHeadingLike(line)
                    && !(block > relatedStart && isParagraph(line))
                {
                    article.body.append(.related(text))
                    continue
                }
                relatedBlock = nil
            }
            if Markers.isRelatedHeading(line) {
                relatedBlock = block
                continue
            }
            if let date = DateParser.parseLine(line, language: language) {
                article.apply(date)
                signals += 1
                continue
            }
            if let (list, isKeywords) = Markers.labeledList(line) {
                article.addList(list, isKeywords: isKeywords)
                signals += 1
                continue
            }
            if !article.hasParagraph, let byline = BylineParser.parse(line) {
                article.apply(byline)
                signals += 1
                continue
            }
            if Markers.isShareWidget(line) { continue }
            if let target = Markers.standaloneLink(line) {
                article.body.append(.related(target))
                continue
            }
            if LineText.isHeadingLike(line, maxWords: 12) && !isParagraph(line) && block != lastBodyBlock
                && !continuesOnNextLine(index)
            {
                article.body.append(.heading(text))
                lastBodyBlock = -1
                continue
            }
            article.appendLine(text, continuing: block == lastBodyBlock)
            lastBodyBlock = block
        }
        article.closeParagraph()
        keepTrailingHeadingsAsText(&article)
        if let start = footerStart {
            signals += 1
            readFooter(from: start, into: &article)
        }
        if let first = article.firstParagraph, let wire = CreditLines.wireDateline(first),
            let position = article.body.firstIndex(of: .paragraph(first))
        {
            article.body[position] = .paragraph(wire.text)
            if article.credit == nil { article.credit = wire.agency }
            signals += 1
        }
        return (article, signals)
    }

    /// False only when `read()` would find no layout signal: then the page is not an article page
    /// and reading it (building its paragraphs) would be wasted. True when it may find one.
    ///
    /// Each signal of `read()` comes from a line test that this pass runs on every line (a superset
    /// of the lines `read()` tests), except two that it decides the way `read()` would:
    /// - the repeated headline: with none of the line tests true, the header is just the first two
    ///   lines that are not chrome, and the headline repeats when they are equal;
    /// - the wire dateline of the first paragraph: a paragraph starts with one line's text, and
    ///   `CreditLines.wireDateline` refuses any text that `CreditLines.mayOpenWireDateline` refuses,
    ///   which this pass checks on each line.
    static func mayHaveSignals(_ lines: PageLines, language: String?) -> Bool {
        var header: (first: Int?, second: Int?) = (nil, nil)
        for index in 0..<lines.count {
            let line = lines[index]
            if startsFooter(line) || Markers.labeledList(line) != nil
                || DateParser.parseLine(line, language: language) != nil || BylineParser.parse(line) != nil
                || CreditLines.mayOpenWireDateline(line.utf8)
            {
                return true
            }
            if header.second == nil && !Markers.isChrome(line) {
                if header.first == nil { header.first = index } else { header.second = index }
            }
        }
        guard let first = header.first, let second = header.second, LineText.isHeadingLike(lines[first]) else {
            return false
        }
        return Folding.equalIgnoringCase(lines[first].text, lines[second].text)
    }

    /// Long enough to be prose even without final punctuation.
    private func isParagraph(_ line: PageLine) -> Bool { line.wordCount > 12 }

    private static func startsFooter(_ line: PageLine) -> Bool {
        if CreditLines.isCopyright(line) || Markers.isShareWidget(line) { return true }
        guard line.isShort else { return false }
        let filter = PairFilter(line.head)
        return Markers.mentionsFooterNotice(line, filter: filter)
    }

    /// The next line is in the same block and starts in lowercase: `index` begins a wrapped paragraph.
    private func continuesOnNextLine(_ index: Int) -> Bool {
        guard index + 1 < lines.count, lines[index + 1].block == lines[index].block else { return false }
        return !lines[index + 1].startsCapitalized
    }

    /// A subheading needs text after it: trailing heading-like lines are kept as paragraphs.
    private func keepTrailingHeadingsAsText(_ article: inout RawArticle) {
        var trailing: [String] = []
        while case .heading(let text)? = article.body.last {
            trailing.insert(text, at: 0)
            article.body.removeLast()
        }
        for text in trailing { article.body.append(.paragraph(text)) }
    }

    // MARK: Footer

    private func readFooter(from start: Int, into article: inout RawArticle) {
        var copyrights: [(line: Int, notice: CreditLines.Copyright)] = []
        var firstWidget: Int? = nil
        var organization: String? = nil
        let lead = article.firstParagraph
        var relatedBlock: Int? = nil
        for index in start..<lines.count {
            let line = lines[index]
            let text = line.text
            if let notice = CreditLines.copyright(line) {
                copyrights.append((index, notice))
                continue
            }
            if Markers.isShareWidget(line) {
                if firstWidget == nil { firstWidget = index }
                continue
            }
            if Markers.isChrome(line) || Markers.mentionsRightsReserved(line) || Markers.isTrademarkNotice(line) {
                continue
            }
            if Markers.isRelatedHeading(line) {
                relatedBlock = lines[index].block
                continue
            }
            if let block = relatedBlock, lines[index].block == block, LineText.isHeadingLike(line) {
                article.body.append(.related(text))
                continue
            }
            if let date = DateParser.parseLine(line, language: language) {
                if article.published == nil || date.isUpdate { article.apply(date) }
                continue
            }
            if let (list, isKeywords) = Markers.labeledList(line) {
                article.addList(list, isKeywords: isKeywords)
                continue
            }
            if let keywords = Markers.keywordList(line) {
                article.keywords += keywords
                continue
            }
            if article.summary == nil, let lead, Self.repeats(text, lead: lead) {
                article.summary = text
                continue
            }
            if organization == nil, let name = Markers.organizationName(line) { organization = name }
        }
        applyCopyrights(copyrights, firstWidget: firstWidget, organization: organization, to: &article)
    }

    /// The first notice is the wire credit when it comes before any share widget and the page's own
    /// notice or publisher line follows it; otherwise notices name the publisher.
    private func applyCopyrights(
        _ copyrights: [(line: Int, notice: CreditLines.Copyright)], firstWidget: Int?, organization: String?,
        to article: inout RawArticle
    ) {
        var publisherNotice: CreditLines.Copyright? = nil
        for (position, entry) in copyrights.enumerated() {
            let beforeWidgets = firstWidget.map { entry.line < $0 } ?? true
            let followed =
                position + 1 < copyrights.count || firstWidget.map { $0 > entry.line } == true
                || organization != nil
            if position == 0 && beforeWidgets && followed && article.credit == nil {
                article.credit = entry.notice.holder
                article.copyright = entry.notice.line
            } else if publisherNotice == nil {
                publisherNotice = entry.notice
            }
        }
        if article.copyright == nil { article.copyright = publisherNotice?.line }
        if article.publisher == nil { article.publisher = organization ?? publisherNotice?.holder }
    }

    /// The footer repeats the article's lead (or its beginning).
    static func repeats(_ text: String, lead: String) -> Bool {
        if text == lead { return true }
        return LineText.wordCount(text) >= 8 && lead.hasPrefix(Markers.trimEllipsis(text[...]))
    }
}
