import IngestModel

/// The news-page parser: decodes the bytes, recognises the page kind and reads its articles.
///
/// `ParseResult.format` is the page kind:
/// - `json`: scraper output (JSON, JSON Lines), by file name or by content;
/// - `listing`: a tag/category archive or any page of several teaser-closed articles;
/// - `article`: a single-article page (tags, headline, dateline, byline, body, footer);
/// - `text`: anything else, read as plain text (title = first heading-like line, body = paragraphs),
///   with a warning on the draft.
///
/// Empty input throws `empty`, binary input `binary`, text without words `no_text`; JSON adds
/// `invalid_json`, `no_articles` and `too_many_articles`. A draft never has an empty body.
public struct NewsPageParser: PageParser {
    public let name = "newspage"
    public let version = "1.0.0"

    public init() {}

    public func parse(_ input: ParseInput) throws(ParseError) -> ParseResult {
        let decoded = try TextDecoder.decode(input.bytes)
        if JSONArticleReader.looksLikeJSON(decoded.text, fileName: input.fileName) {
            let drafts = try JSONArticleReader(fileName: input.fileName).read(decoded.text)
            return ParseResult(articles: drafts, format: "json", encoding: decoded.encoding)
        }
        let lines = PageLines(decoded.text)
        guard !lines.isEmpty else { throw .noText }
        let language = Self.pageLanguage(lines)

        let signals = ListingPageReader.signals(lines)
        if signals.isListing, let items = ListingPageReader(lines: lines, language: language).read(signals) {
            let drafts = DraftAssembler.assemble(items, pageLanguage: language)
            if !drafts.isEmpty { return ParseResult(articles: drafts, format: "listing", encoding: decoded.encoding) }
        }
        if ArticlePageReader.mayHaveSignals(lines, language: language) {
            let (article, evidence) = ArticlePageReader(lines: lines, language: language).read()
            if evidence > 0, article.title != nil, article.hasParagraph {
                let drafts = DraftAssembler.assemble([article], pageLanguage: language)
                if !drafts.isEmpty {
                    return ParseResult(articles: drafts, format: "article", encoding: decoded.encoding)
                }
            }
        }
        let draft = try Self.plainText(lines, language: language)
        return ParseResult(articles: [draft], format: "text", encoding: decoded.encoding)
    }

    /// The language of the page's prose lines (short lines are mostly chrome).
    static func pageLanguage(_ lines: PageLines) -> String? {
        // The lines' bytes stay valid while `lines` lives, and it outlives both calls.
        withExtendedLifetime(lines) {
            var sample: [UnsafeBufferPointer<UInt8>] = []
            sample.reserveCapacity(lines.count)
            var bytes = 0
            for index in 0..<lines.count where lines[index].wordCount >= 8 {
                sample.append(lines[index].utf8)
                bytes += lines[index].byteCount
                if bytes >= LanguageDetector.sampleBytes { break }
            }
            return LanguageDetector.detect(utf8: sample)
                ?? LanguageDetector.detect(utf8: lines.lines.prefix(50).map(\.utf8))
        }
    }

    /// The generic fallback: title = the first block if it is one heading-like line and more
    /// follows; body = the blocks, each block's lines joined by a space, the blocks by a blank line,
    /// built in one piece from the lines' bytes.
    static func plainText(_ lines: PageLines, language: String?) throws(ParseError) -> ArticleDraft {
        guard !lines.isEmpty else { throw .noText }
        var draft = ArticleDraft()
        var first = 0
        if lines.count > 1, lines[0].block != lines[1].block, LineText.isHeadingLike(lines[0]) {
            draft.title = LineText.join(lines, 0..<1, separator: 0x20)
            first = 1
        } else {
            draft.warnings.append("no title: the text does not start with a heading-like line")
        }
        draft.setParagraphs(
            joined: LineText.join(lines, first..<lines.count, separator: 0x20, blankLineBetweenBlocks: true))
        draft.language = language ?? LanguageDetector.detect(draft.title ?? "", draft.paragraphs)
        draft.warnings.append("no news page layout recognised: read as plain text")
        return draft
    }
}
