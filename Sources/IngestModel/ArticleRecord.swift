/// One normalized article: a line of the store. Field names are part of the public schema
/// (docs/record.schema.json); absent values are `null` or `[]`, never missing.
public struct ArticleRecord: Sendable, Equatable, Codable {
    /// The version of this schema written into every record.
    public static let schemaVersion = 1

    /// Deterministic: the same input file gives the same ids.
    public var id: String
    public var schemaVersion: Int = ArticleRecord.schemaVersion
    public var title: String?
    /// The article's address, when the input gave one.
    public var url: String?
    /// ISO 8601 as printed on the page (date-only stays date-only; `Z` only when the page says GMT/UTC).
    public var published: String?
    public var publishedRaw: String?
    public var updated: String?
    public var authors: [String] = []
    public var tags: [String] = []
    public var keywords: [String] = []
    public var summary: String?
    /// Paragraphs joined by a blank line.
    public var body: String
    public var headings: [String] = []
    public var related: [String] = []
    public var credit: String?
    public var publisher: String?
    public var copyright: String?
    public var language: String?
    public var wordCount: Int
    public var fingerprint: Fingerprint
    public var listing: ListingPosition?
    /// The id of an earlier record this one nearly duplicates, when the store keeps near-duplicates.
    public var duplicateOf: String?
    public var warnings: [String] = []
    public var source: SourceInfo

    public init(id: String, body: String, wordCount: Int, fingerprint: Fingerprint, source: SourceInfo) {
        self.id = id
        self.body = body
        self.wordCount = wordCount
        self.fingerprint = fingerprint
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case id, title, url, published, updated, authors, tags, keywords, summary, body, headings, related
        case credit, publisher, copyright, language, fingerprint, listing, warnings, source
        case schemaVersion = "schema_version"
        case publishedRaw = "published_raw"
        case wordCount = "word_count"
        case duplicateOf = "duplicate_of"
    }

    /// Appends this record as one JSON line (with the trailing newline) to `out`. Returns where in
    /// `out` the value of `duplicate_of` starts (see `settingDuplicateOf`).
    @discardableResult
    public func appendJSONLine(to out: inout [UInt8]) -> Int {
        var duplicateOfAt = 0
        var w = JSONWriter(continuing: &out, extraCapacity: body.utf8.count + 1024)
        w.beginObject()
        w.key("id"); w.string(id)
        w.key("schema_version"); w.int(schemaVersion)
        w.key("title"); w.string(title)
        w.key("url"); w.string(url)
        w.key("published"); w.string(published)
        w.key("published_raw"); w.string(publishedRaw)
        w.key("updated"); w.string(updated)
        w.key("authors"); w.strings(authors)
        w.key("tags"); w.strings(tags)
        w.key("keywords"); w.strings(keywords)
        w.key("summary"); w.string(summary)
        w.key("body"); w.string(body)
        w.key("headings"); w.strings(headings)
        w.key("related"); w.strings(related)
        w.key("credit"); w.string(credit)
        w.key("publisher"); w.string(publisher)
        w.key("copyright"); w.string(copyright)
        w.key("language"); w.string(language)
        w.key("word_count"); w.int(wordCount)
        w.key("fingerprint")
        w.beginObject()
        w.key("sha256"); w.string(fingerprint.sha256)
        w.key("simhash"); w.string(fingerprint.simhash)
        w.endObject()
        w.key("listing")
        if let listing {
            w.beginObject()
            w.key("title"); w.string(listing.title)
            w.key("position"); w.int(listing.position)
            w.endObject()
        } else {
            w.null()
        }
        w.key("duplicate_of"); duplicateOfAt = w.bytes.count; w.string(duplicateOf)
        w.key("warnings"); w.strings(warnings)
        w.key("source")
        w.beginObject()
        w.key("file"); w.string(source.file)
        w.key("sha256"); w.string(source.sha256)
        w.key("bytes"); w.int(source.bytes)
        w.key("format"); w.string(source.format)
        w.key("encoding"); w.string(source.encoding)
        w.key("received_at"); w.string(source.receivedAt)
        w.key("parser"); w.string(source.parser)
        w.key("parser_version"); w.string(source.parserVersion)
        w.key("index"); w.int(source.index)
        w.endObject()
        w.endObject()
        out = w.takeBytes()
        out.append(0x0A)
        return duplicateOfAt
    }

    /// The line of a record encoded without `duplicate_of` (its value `null` at `offset`, as
    /// `appendJSONLine` returned it), with `duplicate_of` set to `id`: the same bytes as encoding
    /// the record with `duplicateOf = id`, without the record.
    public static func settingDuplicateOf(_ id: String, inLine line: [UInt8], valueAt offset: Int) -> [UInt8] {
        precondition(
            offset + 4 <= line.count && line[offset..<offset + 4].elementsEqual("null".utf8),
            "duplicate_of is not null at the given offset")
        var result: [UInt8] = []
        result.reserveCapacity(line.count + id.utf8.count + 8)
        result += line[..<offset]
        JSONWriter.appendEscaped(id, to: &result)
        result += line[(offset + 4)...]
        return result
    }
}

/// Content fingerprints for duplicate detection.
public struct Fingerprint: Sendable, Equatable, Codable {
    /// sha256 of the normalized body, lowercase hex.
    public var sha256: String
    /// 64-bit SimHash of the body's word shingles, 16 lowercase hex digits.
    public var simhash: String

    public init(sha256: String, simhash: String) {
        self.sha256 = sha256
        self.simhash = simhash
    }
}

/// Where an article sat on a listing page.
public struct ListingPosition: Sendable, Equatable, Codable {
    public var title: String?
    /// 1-based position of the article on the page.
    public var position: Int

    public init(title: String?, position: Int) {
        self.title = title
        self.position = position
    }
}

/// Provenance: which input a record came from, and how it was read.
public struct SourceInfo: Sendable, Equatable, Codable {
    /// The input's file name; bytes that are not UTF-8 appear as `\xNN`.
    public var file: String
    /// sha256 of the input file's bytes, lowercase hex.
    public var sha256: String
    public var bytes: Int
    /// The input format the parser recognised (e.g. `text`, `listing`, `article`, `json`).
    public var format: String
    /// The text encoding the input was decoded from (e.g. `utf-8`, `windows-1252`).
    public var encoding: String
    /// When the daemon took the file, ISO 8601 UTC with milliseconds.
    public var receivedAt: String
    public var parser: String
    public var parserVersion: String
    /// 0-based position of this record among the records made from the file.
    public var index: Int

    public init(
        file: String, sha256: String, bytes: Int, format: String, encoding: String, receivedAt: String,
        parser: String, parserVersion: String, index: Int
    ) {
        self.file = file
        self.sha256 = sha256
        self.bytes = bytes
        self.format = format
        self.encoding = encoding
        self.receivedAt = receivedAt
        self.parser = parser
        self.parserVersion = parserVersion
        self.index = index
    }

    enum CodingKeys: String, CodingKey {
        case file, sha256, bytes, format, encoding, parser, index
        case receivedAt = "received_at"
        case parserVersion = "parser_version"
    }
}
