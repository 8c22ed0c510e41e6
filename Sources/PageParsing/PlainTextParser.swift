import IngestModel

/// The generic fallback: title = the first heading-like line, body = the paragraphs after it.
/// Paragraphs are separated by blank lines; the lines of one paragraph are joined by a space.
public struct PlainTextParser: PageParser {
    public let name = "plaintext"
    public let version = "1.0.0"

    public init() {}

    public func parse(_ input: ParseInput) throws(ParseError) -> ParseResult {
        let decoded = try TextDecoder.decode(input.bytes)
        let paragraphs = Self.paragraphs(of: decoded.text)
        guard !paragraphs.isEmpty else { throw .noText }
        var draft = ArticleDraft()
        var bodyParagraphs = paragraphs
        if let first = paragraphs.first, Self.isHeadingLike(first), paragraphs.count > 1 {
            draft.title = first
            bodyParagraphs.removeFirst()
        } else {
            draft.warnings.append("no title: the text does not start with a heading-like line")
        }
        draft.paragraphs = bodyParagraphs
        return ParseResult(articles: [draft], format: "text", encoding: decoded.encoding)
    }

    /// Splits text into cleaned paragraphs at blank lines.
    public static func paragraphs(of text: String) -> [String] {
        var paragraphs: [String] = []
        var current: [String] = []
        for line in TextNormalizer.normalizeNewlines(text).split(separator: "\n", omittingEmptySubsequences: false) {
            let cleaned = TextNormalizer.cleanLine(line)
            if cleaned.isEmpty {
                if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(cleaned)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
        return paragraphs
    }

    /// Short, and not ending like a sentence.
    static func isHeadingLike(_ paragraph: String) -> Bool {
        guard paragraph.count <= 200, let last = paragraph.last else { return false }
        return !".,;:".contains(last)
    }
}
