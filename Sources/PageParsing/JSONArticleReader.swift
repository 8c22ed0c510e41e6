import IngestModel

/// Reads scraper output as JSON: an array of article objects, one object, an object wrapping an
/// array ("articles", "items", "data", …), or JSON Lines / NDJSON (one object per line).
///
/// Elements of a top-level array (or wrapped array) are parsed and turned into drafts one at a time,
/// so memory stays proportional to the drafts, not to the parse tree. Work per article is bounded
/// by its size. More than `maxArticles` articles is refused (`too_many_articles`) as soon as the
/// limit is passed, rather than producing a batch too big to commit; nesting deeper than
/// `JSONScanner.maxDepth` is refused (`invalid_json`). In JSON Lines input, a line that is not valid
/// JSON is skipped with a warning.
struct JSONArticleReader {
    let fileName: String
    /// The most articles one input may hold.
    var maxArticles = Self.defaultMaxArticles

    static let defaultMaxArticles = 100_000

    init(fileName: String) {
        self.fileName = fileName
    }

    /// Keys whose array value holds the articles.
    static let wrapperKeys: Set<String> = [
        "articles", "items", "data", "results", "posts", "entries", "stories", "docs", "documents", "records", "hits",
        "@graph", "news",
    ]

    /// Whether to read `text` as JSON: the file name says so, or the text opens like a JSON object
    /// or array of values.
    static func looksLikeJSON(_ text: String, fileName: String) -> Bool {
        let name = Folding.asciiLowercased(fileName)
        if name.hasSuffix(".json") || name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") { return true }
        var iterator = text.utf8.lazy.filter { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }.makeIterator()
        guard let first = iterator.next(), let second = iterator.next() else { return false }
        switch first {
        case UInt8(ascii: "{"): return second == UInt8(ascii: "\"") || second == UInt8(ascii: "}")
        case UInt8(ascii: "["): return "{[\"]".utf8.contains(second)
        default: return false
        }
    }

    private var isLineDelimited: Bool {
        let name = Folding.asciiLowercased(fileName)
        return name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson")
    }

    /// The drafts of all articles in `text`.
    func read(_ text: String) throws(ParseError) -> [ArticleDraft] {
        var text = text
        var collector = Collector()
        var failure: ParseError? = nil
        text.withUTF8 { bytes in
            do throws(ParseError) {
                try readAll(JSONScanner(bytes: bytes), into: &collector)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        if collector.skippedLines > 0, !collector.drafts.isEmpty {
            collector.drafts[0].warnings.append(
                "skipped \(collector.skippedLines) line(s) that are not valid JSON (first at line \(collector.firstSkippedLine))"
            )
        }
        return collector.drafts
    }

    /// Drafts found so far, and the lines skipped.
    private struct Collector {
        var drafts: [ArticleDraft] = []
        var skippedLines = 0
        var firstSkippedLine = 0
        var objectsWithoutArticle = 0
    }

    private func readAll(_ start: JSONScanner, into collector: inout Collector) throws(ParseError) {
        var scanner = start
        var values = 0
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd { break }
            let valueStart = scanner.position
            do {
                try readTopLevel(&scanner, into: &collector)
                values += 1
            } catch let error as ParseError {
                throw error
            } catch let error as JSONError {
                guard values > 0 || isLineDelimited else {
                    throw ParseError(reason: "invalid_json", message: "the file is not valid JSON: \(error)")
                }
                collector.skippedLines += 1
                if collector.skippedLines == 1 { collector.firstSkippedLine = lineNumber(scanner.bytes, valueStart) }
                scanner.position = valueStart  // resume on the line after the broken one
                while let byte = scanner.peek, byte != 0x0A { scanner.position += 1 }
            } catch {
                throw ParseError(reason: "invalid_json", message: "the file is not valid JSON")
            }
        }
        if collector.drafts.isEmpty {
            throw ParseError(reason: "no_articles", message: "the JSON holds no object with a title or body")
        }
    }

    /// One top-level value: streams arrays and wrapped arrays element by element.
    private func readTopLevel(_ scanner: inout JSONScanner, into collector: inout Collector) throws(any Error) {
        scanner.skipWhitespace()
        if scanner.peek == UInt8(ascii: "[") {
            try streamArray(&scanner, into: &collector)
        } else if scanner.peek == UInt8(ascii: "{") {
            scanner.position += 1
            var members: [JSONMember] = []
            if !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try scanner.parseKey()
                    scanner.skipWhitespace()
                    if Self.wrapperKeys.contains(Folding.asciiLowercased(key)) && scanner.peek == UInt8(ascii: "[") {
                        try streamArray(&scanner, into: &collector)
                    } else {
                        members.append(JSONMember(key: key, value: try scanner.parseValue()))
                    }
                } while scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
            }
            try handle(.object(members), depth: 0, into: &collector)
        } else {
            try handle(try scanner.parseValue(), depth: 0, into: &collector)
        }
    }

    private func streamArray(_ scanner: inout JSONScanner, into collector: inout Collector) throws(any Error) {
        try scanner.expect(UInt8(ascii: "["))
        if scanner.consume(UInt8(ascii: "]")) { return }
        repeat {
            try handle(try scanner.parseValue(), depth: 1, into: &collector)
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "]"))
    }

    /// An article object becomes a draft; wrappers and arrays are searched (a few levels deep).
    private func handle(_ value: JSONValue, depth: Int, into collector: inout Collector) throws(ParseError) {
        switch value {
        case .object(let members):
            if let draft = JSONArticleMapper.draft(members) {
                guard collector.drafts.count < maxArticles else {
                    throw ParseError(
                        reason: "too_many_articles",
                        message: "the file holds more than \(maxArticles) articles; split it into smaller files")
                }
                collector.drafts.append(draft)
                return
            }
            guard depth < 4 else { return }
            for member in members where Self.wrapperKeys.contains(Folding.asciiLowercased(member.key)) {
                try handle(member.value, depth: depth + 1, into: &collector)
            }
        case .array(let elements):
            guard depth < 4 else { return }
            for element in elements { try handle(element, depth: depth + 1, into: &collector) }
        default:
            return
        }
    }

    private func lineNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) -> Int {
        var line = 1
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A { line += 1 }
        return line
    }
}
