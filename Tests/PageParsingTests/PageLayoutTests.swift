import IngestModel
import PageParsing
import Testing

/// Page kinds and the layout rules that the fixtures do not pin down one by one.
@Suite("page layouts")
struct PageLayoutTests {
    let parser = NewsPageParser()

    func parse(_ text: String) throws -> ParseResult {
        try parser.parse(ParseInput(bytes: Array(text.utf8), fileName: "page.txt"))
    }

    @Test("the parser names itself and has a semantic version")
    func identity() {
        #expect(parser.name == "newspage")
        #expect(parser.version.split(separator: ".").count == 3)
        #expect(parser.version.split(separator: ".").allSatisfy { Int($0) != nil })
    }

    @Test("teasers without an archive header still make a listing; the page title is then unknown")
    func listingWithoutHeader() throws {
        let result = try parse(
            """
            Bridge repairs finish early

            The bridge reopened a week ahead of plan.

            The bridge reopened a week ahead of … Read more »

            Library adds Sunday hours

            The library will open on Sundays from May.

            The library will open on Sundays … Read more »
            """)
        #expect(result.format == "listing")
        #expect(result.articles.map(\.title) == ["Bridge repairs finish early", "Library adds Sunday hours"])
        #expect(
            result.articles.map(\.listing) == [
                ListingPosition(title: nil, position: 1), ListingPosition(title: nil, position: 2),
            ])
        #expect(
            result.articles.map(\.summary) == [
                "The bridge reopened a week ahead of", "The library will open on Sundays",
            ])
        #expect(result.articles.allSatisfy { $0.tags.isEmpty })
    }

    @Test("a listing item's own tag line adds to the archive's tag, without duplicates")
    func listingItemTags() throws {
        let result = try parse(
            """
            Category Archives: Weather

            Fog delays morning ferries
            Tags: Ferries, weather

            Thick fog kept the morning ferries in port until ten.

            Thick fog kept the … Continue reading →
            """)
        #expect(result.articles.first?.tags == ["Weather", "Ferries"])
    }

    @Test("text with no layout evidence is plain text, with a warning")
    func plainText() throws {
        let result = try parse("Club notes\n\nWe met on Monday.\n\nWe will meet again.")
        #expect(result.format == "text")
        let draft = try #require(result.articles.first)
        #expect(draft.title == "Club notes")
        #expect(draft.paragraphs == ["We met on Monday.", "We will meet again."])
        #expect(draft.warnings.contains("no news page layout recognised: read as plain text"))
        #expect(draft.language == "en")
    }

    @Test("a single line of text is a body without a title, never an empty record")
    func singleLine() throws {
        let result = try parse("Only one line of text here.")
        #expect(result.articles.count == 1)
        #expect(result.articles[0].title == nil)
        #expect(result.articles[0].body == "Only one line of text here.")
    }

    @Test("article pages: a share widget or a related block between paragraphs does not end the body early")
    func relatedBlockInBody() throws {
        let result = try parse(
            """
            Tags: Trams

            Trams to run later at night

            By Ana Reyes

            The last tram will leave the centre at one in the morning from June.

            Related
            Night buses to be cut
            Tram fares frozen for a year

            The company said demand had grown since the spring.
            """)
        #expect(result.format == "article")
        let draft = try #require(result.articles.first)
        #expect(draft.related == ["Night buses to be cut", "Tram fares frozen for a year"])
        #expect(
            draft.paragraphs == [
                "The last tram will leave the centre at one in the morning from June.",
                "The company said demand had grown since the spring.",
            ])
    }

    @Test("lines of one block are one paragraph; a subheading line needs text after it")
    func blocksAndHeadings() throws {
        let result = try parse(
            """
            Published: 2 May 2022

            Market hall to be restored

            The old market hall will be restored
            over the next two years.

            What changes

            The roof and the clock tower come first.

            Final words
            """)
        let draft = try #require(result.articles.first)
        #expect(draft.published == "2022-05-02")
        #expect(
            draft.paragraphs == [
                "The old market hall will be restored over the next two years.",
                "The roof and the clock tower come first.",
                "Final words",
            ])
        #expect(draft.headings == ["What changes"])
    }
}
