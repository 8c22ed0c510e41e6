/// What a parser extracts from a page for one article, before provenance and ids are attached.
public struct ArticleDraft: Sendable, Equatable {
    public var title: String?
    public var published: String?
    public var publishedRaw: String?
    public var updated: String?
    public var authors: [String] = []
    public var tags: [String] = []
    public var keywords: [String] = []
    public var summary: String?
    /// Paragraphs, in order; joined by a blank line in the record's `body`.
    public var paragraphs: [String] = []
    public var headings: [String] = []
    public var related: [String] = []
    public var credit: String?
    public var publisher: String?
    public var copyright: String?
    public var language: String?
    public var listing: ListingPosition?
    public var warnings: [String] = []

    public init() {}

    /// The record body: paragraphs joined by a blank line.
    public var body: String { paragraphs.joined(separator: "\n\n") }
}

extension ArticleRecord {
    /// Builds a record from a parser's draft plus what the pipeline knows.
    public init(draft: ArticleDraft, id: String, fingerprint: Fingerprint, source: SourceInfo) {
        let body = draft.body
        self.init(id: id, body: body, wordCount: WordCounter.count(body), fingerprint: fingerprint, source: source)
        title = draft.title
        published = draft.published
        publishedRaw = draft.publishedRaw
        updated = draft.updated
        authors = draft.authors
        tags = draft.tags
        keywords = draft.keywords
        summary = draft.summary
        headings = draft.headings
        related = draft.related
        credit = draft.credit
        publisher = draft.publisher
        copyright = draft.copyright
        language = draft.language
        listing = draft.listing
        warnings = draft.warnings
    }
}

/// Counts words: maximal runs of letters or digits (apostrophes and hyphens inside a word join it).
public enum WordCounter {
    public static func count(_ text: String) -> Int {
        var words = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let isWordChar = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            if isWordChar {
                if !inWord { words += 1 }
                inWord = true
            } else if inWord && (scalar == "'" || scalar == "\u{2019}" || scalar == "-") {
                continue  // stays inside the word; a following letter continues it
            } else {
                inWord = false
            }
        }
        return words
    }
}
