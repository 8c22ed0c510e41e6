import Testing

@testable import PageParsing

/// Datelines in the forms pages print them, to ISO 8601 as printed.
@Suite("dates")
struct DateParserTests {
    @Test(
        "date lines become ISO 8601; the raw text is kept",
        arguments: [
            ("Friday, 09 December 2016 11:48 AM", "en", "2016-12-09T11:48:00", "Friday, 09 December 2016 11:48 AM"),
            ("December 9, 2016", "en", "2016-12-09", "December 9, 2016"),
            ("Dec. 9th, 2016 at 3:05 p.m.", "en", "2016-12-09T15:05:00", "Dec. 9th, 2016 at 3:05 p.m."),
            ("Published: March 5, 2021 10:15 GMT", "en", "2021-03-05T10:15:00Z", "March 5, 2021 10:15 GMT"),
            ("Updated 2021-11-02", "en", "2021-11-02", "2021-11-02"),
            ("2021-11-02T07:00:00+01:00", "en", "2021-11-02T07:00:00+01:00", "2021-11-02T07:00:00+01:00"),
            ("2021-04-02T08:30:00.000Z", "en", "2021-04-02T08:30:00Z", "2021-04-02T08:30:00.000Z"),
            ("12 June 2021 00:30 UTC+2", "en", "2021-06-12T00:30:00+02:00", "12 June 2021 00:30 UTC+2"),
            ("12/06/2021", "en", "2021-12-06", "12/06/2021"),
            ("12/06/2021", "fr", "2021-06-12", "12/06/2021"),
            ("25/06/2021 18:00", "en", "2021-06-25T18:00:00", "25/06/2021 18:00"),
            ("09.12.2016, 11:48 Uhr", "de", "2016-12-09T11:48:00", "09.12.2016, 11:48 Uhr"),
            ("Veröffentlicht am 7. Juli 2021, 16:20 Uhr", "de", "2021-07-07T16:20:00", "7. Juli 2021, 16:20 Uhr"),
            ("Stand: 3. März 2021 9.15 Uhr MEZ", "de", "2021-03-03T09:15:00+01:00", "3. März 2021 9.15 Uhr MEZ"),
            ("Publié le vendredi 5 mars 2021 à 14h30", "fr", "2021-03-05T14:30:00", "vendredi 5 mars 2021 à 14h30"),
            ("1er avril 2021", "fr", "2021-04-01", "1er avril 2021"),
            (
                "Publicado el 3 de agosto de 2021 a las 18:05", "es", "2021-08-03T18:05:00",
                "3 de agosto de 2021 a las 18:05"
            ),
            ("lunedì 4 ottobre 2021, ore 9:30", "it", "2021-10-04T09:30:00", "lunedì 4 ottobre 2021, ore 9:30"),
            ("Gepubliceerd op 5 mei 2021 om 14:30", "nl", "2021-05-05T14:30:00", "5 mei 2021 om 14:30"),
            ("Atualizado em 2 de março de 2021 às 10h05", "pt", "2021-03-02T10:05:00", "2 de março de 2021 às 10h05"),
            ("5 марта 2021 г., 14:30 МСК", "ru", "2021-03-05T14:30:00", "5 марта 2021 г., 14:30"),
            ("Monday, 1 March 2021 9:00 PM EST", "en", "2021-03-01T21:00:00-05:00", "Monday, 1 March 2021 9:00 PM EST"),
            ("29 February 2024", "en", "2024-02-29", "29 February 2024"),
        ])
    func dates(_ line: String, _ language: String, _ iso: String, _ raw: String) throws {
        let parsed = try #require(DateParser.parse(line, language: language))
        #expect(parsed.iso == iso)
        #expect(parsed.raw == raw)
    }

    @Test("labels mark updates; a byline may follow the date")
    func labelsAndBylines() throws {
        let updated = try #require(
            PageLine.with("Last updated: 6 March 2021") { DateParser.parseLine($0, language: "en") })
        #expect(updated.isUpdate && updated.iso == "2021-03-06")
        let posted = try #require(
            PageLine.with("Posted on March 3, 2021 by Lena Ortiz") { DateParser.parseLine($0, language: "en") })
        #expect(!posted.isUpdate && posted.iso == "2021-03-03" && posted.remainder == "by Lena Ortiz")
        var article = RawArticle()
        article.apply(posted)
        #expect(article.authors == ["Lena Ortiz"])
        #expect(article.published?.raw == "March 3, 2021")
    }

    @Test(
        "not dates: prose, impossible days, times without dates, unknown zones are not invented",
        arguments: [
            "The council met on March 3, 2021 to vote.", "30 February 2021", "31/04/2021", "Updated 3 hours ago",
            "Chapter 12", "10:45", "In 2021 the port grew.", "Page 2 of 5",
        ])
    func notDates(_ line: String) {
        #expect(PageLine.with(line) { DateParser.parseLine($0, language: "en") } == nil)
    }

    @Test("a zone the parser does not know is left out, not guessed")
    func unknownZone() throws {
        let parsed = try #require(DateParser.parse("3 March 2021 10:00 XYZT", language: "en"))
        #expect(parsed.iso == "2021-03-03T10:00:00")
        #expect(parsed.remainder == "XYZT")
    }

    @Test("Unix times in JSON are read as UTC")
    func unixTimes() {
        #expect(UnixTime.iso(0) == "1970-01-01T00:00:00Z")
        #expect(UnixTime.iso(1_617_700_000) == "2021-04-06T09:06:40Z")
        #expect(UnixTime.iso(951_782_400) == "2000-02-29T00:00:00Z")
        #expect(UnixTime.seconds("1617700000000") == 1_617_700_000)
        #expect(UnixTime.seconds("12") == nil)
    }
}
