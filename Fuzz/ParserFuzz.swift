// libFuzzer entry point for NewsPageParser. Built by scripts/fuzz-parser with
// -sanitize=fuzzer,address; not part of the SwiftPM package (it has no main).
import IngestModel
import PageParsing

/// File names the first input byte chooses from, so JSON detection by name is fuzzed too.
private let fileNames = ["page.txt", "feed.json", "feed.ndjson", ""]

/// Parses one input and checks the parser's contract: drafts with a body, or a ParseError with a
/// reason and a message. A violated contract traps, which libFuzzer reports as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let fileName = bytes.first.map { fileNames[Int($0) % fileNames.count] } ?? ""
    do {
        let result = try NewsPageParser().parse(ParseInput(bytes: bytes, fileName: fileName))
        precondition(!result.articles.isEmpty, "a result without articles")
        precondition(["listing", "article", "json", "text"].contains(result.format), "unknown format")
        for draft in result.articles {
            precondition(!draft.body.isEmpty, "an article with an empty body")
            precondition(draft.title.map { !$0.isEmpty } ?? true, "an empty title")
        }
    } catch {
        precondition(!error.reason.isEmpty && !error.message.isEmpty, "an error without a reason")
    }
    return 0
}
