public import IngestModel

/// The bytes of one input file and what is known about it. Parsers never touch the file system.
public struct ParseInput: Sendable {
    public var bytes: [UInt8]
    /// The file's name (for format hints such as `.json`); may be empty.
    public var fileName: String

    public init(bytes: [UInt8], fileName: String = "") {
        self.bytes = bytes
        self.fileName = fileName
    }
}

/// The articles a parser found in one input.
public struct ParseResult: Sendable, Equatable {
    public var articles: [ArticleDraft]
    /// The layout recognised (e.g. `text`).
    public var format: String
    /// The text encoding the bytes were decoded from.
    public var encoding: String

    public init(articles: [ArticleDraft], format: String, encoding: String) {
        self.articles = articles
        self.format = format
        self.encoding = encoding
    }
}

/// Why an input could not be turned into records. `reason` is a short machine-friendly code and
/// `message` a sentence for the person reading failed/.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var message: String

    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }

    public static let empty = ParseError(reason: "empty", message: "the file is empty")
    public static let noText = ParseError(reason: "no_text", message: "the file holds no text to parse")

    public static func binary(_ detail: String) -> ParseError {
        ParseError(reason: "binary", message: "the file is not text: \(detail)")
    }

    public var description: String { "\(reason): \(message)" }
}

/// Turns the bytes of one input into article drafts. Implementations are pure: no I/O, no clocks.
public protocol PageParser: Sendable {
    /// Short name written into each record's `source.parser`.
    var name: String { get }
    /// Written into `source.parser_version`; change it whenever output for the same input changes.
    var version: String { get }
    func parse(_ input: ParseInput) throws(ParseError) -> ParseResult
}
