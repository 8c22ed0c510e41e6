import IngestModel
import Testing

@testable import IngestService

/// Reading fingerprints back from stored lines, as the duplicate index does when it catches up.
@Suite("fingerprints of stored lines")
struct FingerprintLineTests {
    static func built(_ text: String) throws -> RecordBuilder.Output {
        try RecordBuilder().build(
            bytes: Array(text.utf8), fileName: "a \"quoted\" name.txt", receivedAt: "2026-11-22T10:00:00Z"
        ).get()
    }

    static func storedLine(_ text: String) throws -> [UInt8] {
        let output = try built(text)
        var line: [UInt8] = []
        try #require(output.records.first).appendJSONLine(to: &line)
        return line
    }

    @Test("the byte search finds what a JSON parser finds in lines ingestd writes")
    func fastMatchesParsed() throws {
        let texts = [
            "Headline\n\nA body with \"quotes\", a backslash \\ and \"fingerprint\":{\"sha256\":\" inside.\n",
            "Überschrift\n\nDer Text enthält Umlaute und einen Gedankenstrich – wie üblich.\n",
        ]
        for text in texts {
            let line = try Self.storedLine(text)
            let fast = try #require(DuplicateIndex.fastFingerprint(ofLine: line[...]))
            let parsed = try #require(DuplicateIndex.parsedFingerprint(ofLine: line[...]))
            #expect(fast == parsed)
            #expect(DuplicateIndex.fingerprint(ofLine: line[...]) == parsed)
        }
    }

    @Test("the fingerprints built with the records are those their stored lines give back")
    func builtMatchesStored() throws {
        let texts = [
            "Headline\n\nA first body, plain.\n",
            "Überschrift\n\nDer Text enthält Umlaute und einen Gedankenstrich – wie üblich.\n",
        ]
        for text in texts {
            let output = try Self.built(text)
            #expect(output.fingerprints.count == output.records.count)
            for (record, built) in zip(output.records, output.fingerprints) {
                var line: [UInt8] = []
                record.appendJSONLine(to: &line)
                #expect(DuplicateIndex.fingerprint(ofLine: line[...]) == built)
                let fromHex = DuplicateIndex.Fingerprint(
                    shaHex: record.fingerprint.sha256, simhashHex: record.fingerprint.simhash, idHex: record.id)
                #expect(fromHex == built)
            }
        }
    }

    @Test("hex fields are read in place: either case, at least 32 digits, nothing but hex digits")
    func hexPairs() {
        let digits = "0123456789abcdef0011223344556677"
        let pair = DuplicateIndex.Fingerprint.pair(digits)
        #expect(pair?.0 == 0x0123_4567_89ab_cdef)
        #expect(pair?.1 == 0x0011_2233_4455_6677)
        #expect(DuplicateIndex.Fingerprint.pair(digits.uppercased())?.0 == pair?.0)
        #expect(DuplicateIndex.Fingerprint.pair(digits + "ffff")?.1 == pair?.1)  // sha256 hex: the first 32 digits
        #expect(DuplicateIndex.Fingerprint.pair(String(digits.dropLast())) == nil)
        #expect(DuplicateIndex.Fingerprint.pair("g" + digits.dropFirst()) == nil)
        #expect(DuplicateIndex.Fingerprint.pair(String(digits.dropLast()) + " ") == nil)
    }

    @Test("lines in another key order fall back to the JSON parser")
    func otherLayoutsAreParsed() throws {
        let sha = String(repeating: "ab", count: 32)
        let line = Array(
            #"{"fingerprint":{"simhash":"00000000000000ff","sha256":"\#(sha)"},"id":"\#(String(repeating: "1", count: 32))"}"#
                .utf8)
        #expect(DuplicateIndex.fastFingerprint(ofLine: line[...]) == nil)
        let parsed = try #require(DuplicateIndex.fingerprint(ofLine: line[...]))
        #expect(parsed.simhash == 0xff)
        #expect(DuplicateIndex.fingerprint(ofLine: Array("not json".utf8)[...]) == nil)
    }
}
