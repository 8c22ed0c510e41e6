import Testing

@testable import PageParsing

/// Recovering paragraphs, inline headings and cross-links from flattened bodies.
@Suite("flattened bodies")
struct BodySegmenterTests {
    func segment(_ paragraphs: [String], language: String = "en") -> BodySegmenter.Output {
        let profile = LanguageProfile.forCode(language)
        let (tokenized, stats) = BodySegmenter.prepare(paragraphs, profile: profile)
        let segmenter = BodySegmenter(profile: profile, stats: stats)
        var output = BodySegmenter.Output()
        for paragraph in tokenized { segmenter.segment(paragraph, into: &output) }
        return output
    }

    @Test("'Read more:' link followed by a heading: the link is cut, the heading splits the paragraph")
    func linkThenHeading() {
        let output = segment([
            "The museum will close for a year. Workers will replace the roof. "
                + "Read more: City museums struggle to pay their heating bills A new roof The builders start in May and "
                + "expect to finish by spring."
        ])
        #expect(output.related == ["City museums struggle to pay their heating bills"])
        #expect(output.headings == ["A new roof"])
        #expect(
            output.paragraphs == [
                "The museum will close for a year. Workers will replace the roof.",
                "The builders start in May and expect to finish by spring.",
            ])
    }

    @Test("'Read:' and 'Opinion:' links without a heading are cut and the paragraph stays whole")
    func linksWithoutHeading() {
        let output = segment([
            "The vote was close. Read: Why the harbour vote matters to fishermen Councillor Ines Moor said she would "
                + "ask for a recount. Opinion: The town deserves a clearer plan The recount is due on Friday."
        ])
        #expect(output.related == ["Why the harbour vote matters to fishermen", "The town deserves a clearer plan"])
        #expect(output.headings.isEmpty)
        #expect(
            output.paragraphs == [
                "The vote was close. Councillor Ines Moor said she would ask for a recount. The recount is due on Friday."
            ])
    }

    @Test("a link headline ending in '?' ends there; a headline with a colon is kept whole")
    func linkEnds() {
        let output = segment([
            "Prices rose again. Read more: Will bread cost more next year? Bakers worry about flour, they said. "
                + "Read more: Harvest report: Wheat yields fall by a third The ministry will publish figures in June."
        ])
        #expect(output.related == ["Will bread cost more next year?", "Harvest report: Wheat yields fall by a third"])
        #expect(
            output.paragraphs == [
                "Prices rose again. Bakers worry about flour, they said. The ministry will publish figures in June."
            ])
    }

    @Test("an unmarked 'Topic: Headline' teaser between sentences is a cross-link, not a heading")
    func unmarkedTeaser() {
        let output = segment([
            "The tunnel closed at noon. Tunnel repairs: Timeline Engineers found water in the lower section. "
                + "Traffic will use the old bridge meanwhile."
        ])
        #expect(output.related == ["Tunnel repairs: Timeline"])
        #expect(output.headings.isEmpty)
        #expect(
            output.paragraphs == [
                "The tunnel closed at noon. Engineers found water in the lower section. Traffic will use the old bridge meanwhile."
            ])
    }

    @Test("inline headings before a sentence-starting word, a name, or after '?'")
    func inlineHeadings() {
        let output = segment([
            "The festival sold out in an hour. Tickets gone in minutes Fans queued overnight outside the box office. "
                + "Plans for next year Organisers said the event would move to a bigger park. Who pays for it? "
                + "The council will cover half of the costs this time."
        ])
        #expect(output.headings == ["Tickets gone in minutes", "Plans for next year", "Who pays for it?"])
        #expect(
            output.paragraphs == [
                "The festival sold out in an hour.", "Fans queued overnight outside the box office.",
                "Organisers said the event would move to a bigger park.",
                "The council will cover half of the costs this time.",
            ])
    }

    @Test("ordinary sentences are left alone: names, titles, verbs, possessives, short endings")
    func noFalseHeadings() {
        let text =
            "Mayor Odile Fenwick said the plan was sound. The new Harbour Master starts on Monday. "
            + "Harbour Master Tomas Rell welcomed the decision. Both the Harbour Master and the mayor spoke. "
            + "A spokesman for Kestrel's Harbour Board declined to comment. The board already warned Tomas Rell about costs. "
            + "Several hundred people watched from the pier near Kestrel. Although the rain stopped Sunday the pier stayed shut."
        let output = segment([text])
        #expect(output.headings.isEmpty, "\(output.headings)")
        #expect(output.related.isEmpty)
        #expect(output.paragraphs == [text])
    }

    @Test("German: only strong boundaries, since every noun is capitalized")
    func german() {
        let output = segment(
            [
                "Die Stadt baut neue Radwege. Der Rat stimmte am Dienstag zu. Baustellen ab Mai Die Arbeiten beginnen "
                    + "im Frühjahr. Lesen Sie auch: Warum Pendler auf das Rad umsteigen Die Händler sind skeptisch."
            ], language: "de")
        #expect(output.headings == ["Baustellen ab Mai"])
        #expect(output.related == ["Warum Pendler auf das Rad umsteigen"])
        #expect(
            output.paragraphs == [
                "Die Stadt baut neue Radwege. Der Rat stimmte am Dienstag zu.",
                "Die Arbeiten beginnen im Frühjahr. Die Händler sind skeptisch.",
            ])
    }

    @Test("a paragraph that is only a cross-link disappears into related")
    func linkOnlyParagraph() {
        let output = segment(["First paragraph here.", "Read more: Storm closes the port", "Last paragraph here."])
        #expect(output.related == ["Storm closes the port"])
        #expect(output.paragraphs == ["First paragraph here.", "Last paragraph here."])
    }
}
