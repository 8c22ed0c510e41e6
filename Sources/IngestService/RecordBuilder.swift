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
        /// Each record's duplicate-index fingerprint, from the digests themselves (not their hex).
        var fingerprints: [DuplicateIndex.Fingerprint]
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
        var fingerprints: [DuplicateIndex.Fingerprint] = []
        records.reserveCapacity(result.articles.count)
        fingerprints.reserveCapacity(result.articles.count)
        for (index, draft) in result.articles.enumerated() {
            let source = SourceInfo(
                file: fileName, sha256: inputHex, bytes: bytes.count, format: result.format, encoding: result.encoding,
                receivedAt: receivedAt, parser: parser.name, parserVersion: parser.version, index: index)
            // The paragraphs joined into the body; the fingerprint and the word count are taken from it.
            let body = draft.body
            let (simhash, wordCount) = SimHash.computeWithWordCount(body)
            let bodyDigest = Self.sha256(of: body)
            let id = Self.recordID(inputHex: inputHex, index: index)
            records.append(
                ArticleRecord(
                    draft: draft, body: body, wordCount: wordCount, id: Self.hex(id),
                    fingerprint: Fingerprint(sha256: Self.hex(bodyDigest), simhash: SimHash.hex(simhash)),
                    source: source))
            fingerprints.append(DuplicateIndex.Fingerprint(bodyDigest: bodyDigest, simhash: simhash, idDigest: id))
        }
        if records.isEmpty { return .failure(.noText) }
        return .success(Output(records: records, inputSHA256: digest, fingerprints: fingerprints))
    }

    /// The sha256 digest of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        SHA256.hash(data: bytes).withUnsafeBytes { Array($0) }
    }

    /// `bytes` as lowercase hex, two digits a byte.
    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex($0) }
    }

    /// Lowercase hex of `bytes`, written straight into the string's storage.
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { digits in
            for (index, byte) in bytes.enumerated() {
                digits[2 * index] = hexDigit(byte >> 4)
                digits[2 * index + 1] = hexDigit(byte & 0xF)
            }
            return 2 * bytes.count
        }
    }

    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
    }

    /// The sha256 digest of `text`'s UTF-8, hashed in place (no copy of the text).
    static func sha256(of text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { utf8 in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(utf8))
            return hasher.finalize().withUnsafeBytes { Array($0) }
        }
    }

    /// A record's id: the first 16 bytes of the sha256 of "<input sha256 hex>/<index>" (written as hex).
    static func recordID(inputHex: String, index: Int) -> [UInt8] {
        var hasher = SHA256()
        var inputHex = inputHex
        inputHex.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        var suffix = "/" + String(index)
        suffix.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize().withUnsafeBytes { Array($0[..<16]) }
    }
}
