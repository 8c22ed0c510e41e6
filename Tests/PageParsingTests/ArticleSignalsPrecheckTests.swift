import Foundation
import Testing

@testable import PageParsing

/// `ArticlePageReader.mayHaveSignals` lets the parser skip reading a page as an article when no
/// layout signal can be found. It must never say "no" to a page on which `read()` finds one, or
/// an article page would come out as plain text.
@Suite("article signal precheck")
struct ArticleSignalsPrecheckTests {
    /// The precheck's "no" implies `read()` finds no signal (the only property output depends on).
    private func checkAgrees(_ text: String, label: String) {
        let lines = PageLines(text)
        guard !lines.isEmpty else { return }
        let language = NewsPageParser.pageLanguage(lines)
        let signals = ArticlePageReader(lines: lines, language: language).read().signals
        if !ArticlePageReader.mayHaveSignals(lines, language: language) {
            #expect(signals == 0, "\(label): the precheck said no, read() found \(signals) signal(s)")
        }
    }

    @Test("every fixture: a page with signals is never ruled out")
    func fixtures() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestPaths.fixtures.path)
        var checked = 0
        for name in names where name.hasSuffix(".txt") {
            let bytes = try TestPaths.bytes(TestPaths.fixtures.appendingPathComponent(name))
            guard let decoded = try? TextDecoder.decode(bytes) else { continue }
            checkAgrees(decoded.text, label: name)
            checked += 1
        }
        #expect(checked >= 10)
    }

    @Test("article fixtures may have signals; plain prose is ruled out")
    func decisions() throws {
        for name in ["article_wire_en.txt", "article_footer_en.txt", "article_de.txt", "article_fr.txt"] {
            let text = try TestPaths.text(TestPaths.fixtures.appendingPathComponent(name))
            let lines = PageLines(text)
            #expect(ArticlePageReader.mayHaveSignals(lines, language: NewsPageParser.pageLanguage(lines)), "\(name)")
        }
        let prose = """
            Harbour Works Begin After Long Delay

            Crews moved onto the quay on Monday. The council had approved the plan in spring,
            after two years of talks with the port's owners.

            Residents said the noise was bearable. Work is due to end before the winter storms.
            """
        let lines = PageLines(prose)
        #expect(!ArticlePageReader.mayHaveSignals(lines, language: "en"))
        #expect(ArticlePageReader(lines: lines, language: "en").read().signals == 0)
    }

    @Test("a wire dateline, a repeated headline, a footer or a date alone is enough to read the page")
    func singleSignals() {
        let body = "\n\nThe council met on Monday and approved the budget for the coming year.\n"
        let pages = [
            "Budget Approved\n\nLYON (Example Wire) - The council met on Monday and approved the budget.\n",
            "Budget Approved\nBudget approved" + body,
            "Budget Approved" + body + "\n© 2024 Example Wire\n",
            "Budget Approved\nMarch 3, 2024" + body,
            "Budget Approved\nBy Jane Doe" + body,
            "Tags: council, budget\nBudget Approved" + body,
            "Budget Approved" + body + "\nShare this:\n",
        ]
        for page in pages {
            let lines = PageLines(page)
            let signals = ArticlePageReader(lines: lines, language: "en").read().signals
            #expect(signals > 0, "\(page)")
            #expect(ArticlePageReader.mayHaveSignals(lines, language: "en"), "\(page)")
        }
    }

    @Test("the wire dateline rule refuses every text the looser precheck rule refuses")
    func wireDatelineRules() {
        let texts = [
            "PARIS (Example Wire) - Ministers met.", "Paris (Example Wire) - Ministers met.",
            "ST. JOHN'S (Wire) – Snow fell.", "ZÜRICH (Agentur) - Der Rat tagte.", "OSLO, March 3 (Wire) — Talks.",
            "NEW YORK 2 (Wire) - x", "(Wire) - no city", "A (Wire) - short", "LYON", "lyon (Wire) - x",
            "MÜNCHEN, 3. März (dpa) - Text", "Ñ (Wire) - x", "",
        ]
        for text in texts where !CreditLines.mayOpenWireDateline(text) {
            #expect(CreditLines.wireDateline(text) == nil, "\(text)")
        }
        #expect(CreditLines.mayOpenWireDateline("PARIS (Example Wire) - Ministers met."))
        #expect(CreditLines.wireDateline("PARIS (Example Wire) - Ministers met.") != nil)
        #expect(!CreditLines.mayOpenWireDateline("Paris (Example Wire) - Ministers met."))
    }

    @Test("generated pages mixing signal lines and prose: the precheck never rules out a page with signals")
    func generated() {
        let pool = [
            "Harbour Works Begin After Long Delay", "harbour works begin after long delay", "Council Votes",
            "Crews moved onto the quay on Monday, and the council had approved the plan in spring.",
            "after two years of talks with the port's owners and the unions.",
            "Residents said the noise was bearable (for now) - work ends in winter.",
            "PARIS (Example Wire) - Ministers met on Friday.", "PARIS, March 3 (Example Wire) — Talks resumed.",
            "ST. JOHN'S (Wire) – Snow fell.", "Oslo (Wire) - lower case city.", "OSLO", "(Wire) - no city",
            "March 3, 2021", "Published: 2021-03-05 10:15 GMT", "Updated: March 5, 2021 14:40 GMT", "3.4.2021",
            "By Hanna Berglund and Tom Achebe", "By Staff", "Von Anna Schmidt", "Tags: Energy, Wind power",
            "Topics: a | b", "Keywords: harbour, port, crews", "© 2021 Example Wire. All rights reserved.",
            "Copyright 2020 Example Media", "All rights reserved.", "Share this:", "Facebook Twitter Email",
            "Example is a registered trademark of Example Inc.", "Read more: Port Strike Ends",
            "Related", "Skip to content", "Home » News", "1 2 3 Next »", "12 comments", "Lesen Sie auch",
            "Le conseil s'est réuni lundi, et il a approuvé le budget.", "ZÜRICH (Agentur) - Der Rat tagte.",
            "", "", "",
        ]
        var random = SeededRandom(seed: 0x5EED_A871)
        for round in 0..<3000 {
            let count = 1 + random.below(10)
            var lines: [String] = []
            for _ in 0..<count { lines.append(pool[random.below(pool.count)]) }
            checkAgrees(lines.joined(separator: "\n"), label: "round \(round): \(lines)")
        }
    }
}
