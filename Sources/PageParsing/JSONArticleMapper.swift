import IngestModel

/// Maps one scraped JSON object to a draft using the keys scrapers commonly write (schema.org
/// NewsArticle, newspaper-style and feed-style names). Keys match case-insensitively; the first
/// listed key present wins. Text goes through the same normalization and body recovery as pages.
///
/// The article's address (`url`, `link`, …) goes into `url` when it is a string.
enum JSONArticleMapper {
    /// An object's members by the hash of their ASCII-lowercased key (first member wins).
    struct FieldIndex {
        private var entries: [(UInt64, JSONValue)] = []

        init(_ members: [JSONMember]) {
            entries.reserveCapacity(members.count)
            for member in members {
                let hash = Self.hash(member.key)
                if !entries.contains(where: { $0.0 == hash }) { entries.append((hash, member.value)) }
            }
        }

        /// The value of the first of `keys` present.
        func first(_ keys: [UInt64]) -> JSONValue? {
            for key in keys {
                if let entry = entries.first(where: { $0.0 == key }) { return entry.1 }
            }
            return nil
        }

        static func hash(_ key: String) -> UInt64 {
            var hash = WordHash.seed
            for byte in Folding.fold(key) { hash = WordHash.mix(hash, byte) }
            return hash
        }

        static func keys(_ names: [String]) -> [UInt64] { names.map(hash) }
    }

    static let titleKeys = FieldIndex.keys(["title", "headline", "name"])
    static let bodyKeys = FieldIndex.keys([
        "articlebody", "body", "text", "content", "body_text", "bodytext", "article_body", "fulltext", "full_text",
        "story", "article",
    ])
    static let summaryKeys = FieldIndex.keys([
        "description", "summary", "abstract", "dek", "subtitle", "standfirst", "excerpt", "lead",
    ])
    static let publishedKeys = FieldIndex.keys([
        "datepublished", "date_published", "published", "publishedat", "published_at", "pubdate", "pub_date", "date",
        "datecreated", "created", "created_at", "createdat", "time", "timestamp",
    ])
    static let updatedKeys = FieldIndex.keys([
        "datemodified", "date_modified", "updated", "updatedat", "updated_at", "modified", "lastmodified",
        "last_modified",
    ])
    static let authorKeys = FieldIndex.keys(["author", "authors", "byline", "creator", "creators", "writer", "writers"])
    static let tagKeys = FieldIndex.keys([
        "tags", "tag", "categories", "category", "section", "articlesection", "topics", "subjects",
    ])
    static let keywordKeys = FieldIndex.keys(["keywords", "news_keywords", "keyword"])
    static let publisherKeys = FieldIndex.keys(["publisher", "source", "site_name", "sitename", "site", "outlet"])
    static let creditKeys = FieldIndex.keys(["credit", "agency", "provider", "wire"])
    static let copyrightKeys = FieldIndex.keys(["copyright", "copyrightnotice", "rights"])
    static let languageKeys = FieldIndex.keys(["language", "lang", "inlanguage", "locale"])
    static let relatedKeys = FieldIndex.keys(["related", "related_articles", "relatedarticles", "relatedlinks"])
    static let headingKeys = FieldIndex.keys(["headings", "subheadings"])
    static let urlKeys = FieldIndex.keys(["url", "link", "canonical_url", "canonicalurl", "permalink", "href"])

    /// The draft, or nil when the object has neither a title nor a body.
    static func draft(_ members: [JSONMember]) -> ArticleDraft? {
        let fields = FieldIndex(members)
        func first(_ keys: [UInt64]) -> JSONValue? { fields.first(keys) }
        let title = first(titleKeys).flatMap(text).flatMap(nonEmpty)
        let bodyParagraphs = first(bodyKeys).map(paragraphs) ?? []
        guard title != nil || !bodyParagraphs.isEmpty else { return nil }

        var article = RawArticle()
        article.title = title
        article.body = bodyParagraphs.map(BodyElement.paragraph)
        article.summary = first(summaryKeys).flatMap(text).flatMap(nonEmpty)
        if let value = first(publishedKeys) {
            article.published = date(value)
            if article.published == nil, let raw = rawDate(value) {
                article.warnings.append("date not understood: \(raw)")
            }
        }
        if let value = first(updatedKeys), var parsed = date(value) {
            parsed.isUpdate = true
            article.updated = parsed
        }
        article.authors = first(authorKeys).map(authors) ?? []
        article.tags = first(tagKeys).map(list) ?? []
        article.keywords = first(keywordKeys).map(list) ?? []
        if article.tags.isEmpty { article.tags = article.keywords }
        article.publisher = first(publisherKeys).flatMap(name)
        article.credit = first(creditKeys).flatMap(name)
        article.copyright = first(copyrightKeys).flatMap(name)
        for element in first(relatedKeys).map(list) ?? [] { article.body.append(.related(element)) }
        for element in first(headingKeys).map(list) ?? [] { article.body.append(.heading(element)) }
        let language = first(languageKeys).flatMap(text).flatMap(languageCode)
        let url = first(urlKeys).flatMap(address)
        return DraftAssembler.assemble([article], pageLanguage: language).first.map { draft in
            var draft = draft
            if let language { draft.language = language }
            draft.url = url
            return draft
        }
    }

    // MARK: Values

    /// An address: a string, cleaned like any text, with no space inside; nil otherwise.
    static func address(_ value: JSONValue) -> String? {
        guard case .string(let string) = value else { return nil }
        let cleaned = TextNormalizer.cleanText(string)
        guard !cleaned.isEmpty, !cleaned.utf8.contains(0x20) else { return nil }
        return cleaned
    }

    /// A string (cleaned), or a number's text.
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let string): return TextNormalizer.cleanText(string)
        case .number(let number): return number
        default: return nil
        }
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// A body: a string split into paragraphs at blank lines (or at line breaks when it has no blank
    /// line), or an array of paragraph strings.
    static func paragraphs(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let string):
            return TextNormalizer.paragraphs(string)
        case .array(let elements):
            return elements.flatMap(paragraphs)
        case .object(let members):
            return members.first { ["text", "value", "rendered"].contains(Folding.asciiLowercased($0.key)) }.map {
                paragraphs($0.value)
            }
                ?? []
        default:
            return []
        }
    }

    /// Strings, comma/pipe separated strings, or objects with a name.
    static func list(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let string): return Markers.listItems(TextNormalizer.cleanText(string)[...])
        case .array(let elements): return elements.flatMap(list)
        case .object: return name(value).map { [$0] } ?? []
        default: return []
        }
    }

    /// A string, or an object's "name" (or "title", "headline", "@value").
    static func name(_ value: JSONValue) -> String? {
        switch value {
        case .string(let string): return nonEmpty(TextNormalizer.cleanText(string))
        case .object(let members):
            for key in ["name", "title", "headline", "@value", "value"] {
                if let member = members.first(where: { Folding.asciiLowercased($0.key) == key }),
                    let found = name(member.value)
                {
                    return found
                }
            }
            return nil
        default: return nil
        }
    }

    /// Author names: a byline string ("By A and B"), a list of names, or objects with a name.
    static func authors(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let string):
            let cleaned = TextNormalizer.cleanText(string)
            if let byline = BylineParser.parse(cleaned) ?? BylineParser.parse("By " + cleaned) {
                return byline.authors
            }
            return cleaned.isEmpty ? [] : [cleaned]
        case .array(let elements): return elements.flatMap(authors)
        case .object: return name(value).map { [$0] } ?? []
        default: return []
        }
    }

    /// A date string, or a Unix time in seconds or milliseconds (read as UTC).
    static func date(_ value: JSONValue) -> ParsedDate? {
        switch value {
        case .string(let string):
            let cleaned = TextNormalizer.cleanText(string)
            guard var parsed = DateParser.parse(cleaned, language: nil) else { return nil }
            parsed.raw = cleaned
            parsed.remainder = ""
            return parsed
        case .number(let number):
            guard let seconds = UnixTime.seconds(number) else { return nil }
            return ParsedDate(iso: UnixTime.iso(seconds), raw: number, isUpdate: false, remainder: "")
        default:
            return nil
        }
    }

    private static func rawDate(_ value: JSONValue) -> String? { text(value) }

    /// "en", "en-US", "de_DE" → "en", "de"; nil for anything else.
    static func languageCode(_ text: String) -> String? {
        let code = text.lowercased().prefix(while: { $0.isLetter })
        return (2...3).contains(code.count) ? String(code) : nil
    }
}

/// Unix times in JSON ("1614954600", 1614954600000) as ISO 8601 UTC.
enum UnixTime {
    /// Seconds from a 10-digit (seconds) or 13-digit (milliseconds) integer.
    static func seconds(_ number: String) -> Int? {
        guard number.allSatisfy(\.isNumber), let value = Int(number) else { return nil }
        switch number.count {
        case 9...10: return value
        case 12...13: return value / 1000
        default: return nil
        }
    }

    static func iso(_ seconds: Int) -> String {
        let days = seconds / 86_400
        let rest = seconds % 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let pad = DateScanner.pad
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):"
            + "\(pad(rest % 60, 2))Z"
    }
}
