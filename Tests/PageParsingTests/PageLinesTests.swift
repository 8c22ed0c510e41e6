import Testing

@testable import PageParsing

/// A page's lines share one buffer: each line's text, folded head and folded tail are views into
/// it. These tests hold the views to what the line tests expect of them.
@Suite("page lines")
struct PageLinesTests {
    @Test("text, blocks, word counts and digits of each line; blank lines separate blocks")
    func linesAndBlocks() {
        let lines = PageLines(
            "Harbour Talks Resume\r\n\r\nThe ferry left at 9.\nIt came back late.\n\n\n  Spaced   out  \n")
        #expect(lines.count == 4)
        #expect(
            lines.lines.map(\.text) == [
                "Harbour Talks Resume", "The ferry left at 9.", "It came back late.", "Spaced out",
            ])
        #expect(lines.lines.map(\.block) == [0, 1, 1, 2])
        #expect(lines.lines.map(\.wordCount) == [3, 5, 4, 2])
        #expect(lines.lines.map(\.hasDigit) == [false, true, false, false])
        #expect(lines.lines.map(\.byteCount) == lines.lines.map { $0.text.utf8.count })
    }

    @Test("the head is the folded line up to 200 bytes, else its first 64 bytes")
    func heads() {
        let short = "Ünïcode ÉTÉ Жара " + String(repeating: "Ab", count: 60)
        let long = "Привет МИР " + String(repeating: "Long Line ", count: 30)
        let lines = PageLines(short + "\n" + long)
        #expect(Array(lines[0].head) == Folding.fold(short))
        #expect(lines[0].isShort)
        #expect(!lines[1].isShort)
        #expect(lines[1].head.count == PageLine.headLength)
        #expect(Array(lines[1].head) == Array(Folding.fold(long).prefix(PageLine.headLength)))
    }

    @Test("heads and tails of short and long lines in every order (short lines are folded in runs)")
    func mixedRuns() {
        let short = ["ÉTÉ à PARIS", "Ж", "Zürich ÄÖÜ Straße", "A", "ÀÉÎÕÜ ЁЖЯ ÞÐ end É"]
        let long = [
            "ÉLAN " + String(repeating: "Mixed CASE Ünïcode ", count: 12) + "FIN É",
            String(repeating: "Ж", count: 150),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let picks = (0..<Int.random(in: 1...9, using: &generator)).map { _ in
                Bool.random(using: &generator)
                    ? short.randomElement(using: &generator)! : long.randomElement(using: &generator)!
            }
            let lines = PageLines(picks.joined(separator: "\n"))
            #expect(lines.count == picks.count)
            for index in 0..<lines.count {
                let folded = Folding.fold(picks[index])
                let headCount = lines[index].isShort ? folded.count : PageLine.headLength
                #expect(Array(lines[index].head) == Array(folded.prefix(headCount)), "\(picks)")
                var start = max(0, folded.count - PageLine.tailLength)
                while start < folded.count && folded[start] & 0xC0 == 0x80 { start += 1 }
                #expect(Array(lines[index].foldedTail()) == Array(folded[start...]), "\(picks)")
            }
        }
    }

    @Test("the builder's buffer grows past its first guess and every line keeps its bytes")
    func builderGrows() {
        var builder = PageLineBuilder(expectedBytes: 0)
        let texts = (0..<40).map { "Line \($0) " + String(repeating: "Ünïcode ", count: $0 % 7) }
        for (index, text) in texts.enumerated() {
            builder.add(utf8: Array(text.utf8), block: index / 3, words: 2 + index % 7, hasDigit: true)
        }
        let (storage, lines) = builder.finish()
        withExtendedLifetime(storage) {
            #expect(lines.map(\.text) == texts)
            #expect(lines.map(\.block) == texts.indices.map { $0 / 3 })
            for (line, text) in zip(lines, texts) { #expect(Array(line.head) == Folding.fold(text)) }
        }
    }

    @Test("the tail is the folded end of the line, at most 72 bytes, starting on a character")
    func tails() {
        // Lines of every length around the limits, ending in two-byte characters so that the
        // 72-byte cut falls inside one half of the time.
        for length in [1, 40, 71, 72, 73, 150, 199, 200, 201, 202, 260] {
            for ending in ["x", "É"] {
                let text = String(repeating: "Wörd ", count: 60).prefix(length) + ending
                // A line is valid while its page's lines live.
                let lines = PageLines(String(text))
                withExtendedLifetime(lines) {
                    let line = lines[0]
                    let folded = Folding.fold(line.text)
                    var start = max(0, folded.count - PageLine.tailLength)
                    while start < folded.count && folded[start] & 0xC0 == 0x80 { start += 1 }
                    #expect(Array(line.foldedTail()) == Array(folded[start...]), "length \(length) + \(ending)")
                }
            }
        }
    }

    @Test("a line on its own is the same as that line of a page")
    func lineOnItsOwn() {
        let lines = PageLines("First Line Here\nSecond line, with a Comma.")
        withExtendedLifetime(lines) {
            let inPage = lines[1]
            PageLine.with("Second line, with a Comma.", block: 3) { alone in
                #expect(alone.text == inPage.text)
                #expect(Array(alone.head) == Array(inPage.head))
                #expect(Array(alone.head) == Folding.fold("Second line, with a Comma."))
                #expect(alone.block == 3)
                #expect(alone.wordCount == inPage.wordCount)
                #expect(alone.startsCapitalized && alone.lastMeaningful == ".")
            }
        }
    }

    @Test("plain-text paragraphs join each block's lines from the shared bytes")
    func plainTextJoin() throws {
        let lines = PageLines("A Short Title\n\nfirst line of\nthe body.\n\nSecond paragraph.")
        let draft = try NewsPageParser.plainText(lines, language: nil)
        #expect(draft.title == "A Short Title")
        #expect(draft.paragraphs == ["first line of the body.", "Second paragraph."])
    }
}
