import Crypto
public import IngestModel
public import PageParsing

/// Turns one input's bytes into finished records: parses, then attaches ids, fingerprints and
/// provenance. Shared by the daemon and `ingestd parse`, so both give the same records.
public struct RecordBuilder: Sendable {
    public let parser: any PageParser

    public init(parser: any PageParser = NewsPageParser()) {
        self.parser = parser
    }

    /// The records of one input, or why there are none.
    public struct Output: Sendable {
        public var records: [ArticleRecord]
        public var inputSHA256: [UInt8]
    }

    public func build(bytes: [UInt8], fileName: String, receivedAt: String) -> Result<Output, ParseError> {
        build(bytes: bytes, digest: Self.sha256(bytes), fileName: fileName, receivedAt: receivedAt)
    }

    /// As `build(bytes:fileName:receivedAt:)`, with the input's sha256 already computed.
    public func build(bytes: [UInt8], digest: [UInt8], fileName: String, receivedAt: String) -> Result<
        Output, ParseError
    > {
        let result: ParseResult
        do { result = try parser.parse(ParseInput(bytes: bytes, fileName: fileName)) } catch {
            return .failure(error)
        }
        let inputHex = Self.hex(digest)
        var records: [ArticleRecord] = []
        records.reserveCapacity(result.articles.count)
        for (index, draft) in result.articles.enumerated() {
            let body = draft.body
            let fingerprint = Fingerprint(
                sha256: Self.hex(Self.sha256(Array(body.utf8))), simhash: SimHash.hex(SimHash.compute(body)))
            let source = SourceInfo(
                file: fileName, sha256: inputHex, bytes: bytes.count, format: result.format, encoding: result.encoding,
                receivedAt: receivedAt, parser: parser.name, parserVersion: parser.version, index: index)
            let id = Self.hex(Array(Self.sha256(Array((inputHex + "/" + String(index)).utf8)).prefix(16)))
            records.append(ArticleRecord(draft: draft, id: id, fingerprint: fingerprint, source: source))
        }
        if records.isEmpty { return .failure(.noText) }
        return .success(Output(records: records, inputSHA256: digest))
    }

    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
