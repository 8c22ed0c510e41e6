import Testing

@testable import PageParsing

/// The line tests behind page metadata: bylines, tag lists, credits, widgets, chrome, language.
@Suite("metadata lines")
struct MetadataLineTests {
    @Test(
        "bylines give authors (and a trailing agency as credit)",
        arguments: [
            ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"], nil),
            ("By Jane Doe, John Roe and Ann Poe", ["Jane Doe", "John Roe", "Ann Poe"], nil),
            ("BY MARTA KOWAL | Staff Writer", ["MARTA KOWAL"], nil),
            ("By Jane Doe, Newswire", ["Jane Doe"], "Newswire"),
            ("Von Anna Schmidt und Max Müller", ["Anna Schmidt", "Max Müller"], nil),
            ("Par Marie Dupont et Jean-Luc Martin", ["Marie Dupont", "Jean-Luc Martin"], nil),
            ("Por Lucía Ferrer y Mateo Salas", ["Lucía Ferrer", "Mateo Salas"], nil),
            ("Door Jan de Vries en Piet van Dijk", ["Jan de Vries", "Piet van Dijk"], nil),
            ("Author: R. K. Nair", ["R. K. Nair"], nil),
        ] as [(String, [String], String?)])
    func bylines(_ line: String, _ authors: [String], _ credit: String?) throws {
        let byline = try #require(BylineParser.parse(line))
        #expect(byline.authors == authors)
        #expect(byline.credit == credit)
    }

    @Test(
        "sentences that start like bylines are not bylines",
        arguments: [
            "By the time the ferry arrived, the storm had passed.", "Von der Leyen says talks will go on", "By 2030",
            "Par exemple",
        ])
    func notBylines(_ line: String) {
        #expect(BylineParser.parse(line) == nil)
    }

    @Test("tag lines with | , ; separators; Keywords lines fill keywords too; tags trimmed and unique")
    func tagLines() throws {
        let pipes = try #require(PageLine.with("Tags: Storms | Harbour |  Ferries ") { Markers.labeledList($0) })
        #expect(pipes.items == ["Storms", "Harbour", "Ferries"] && !pipes.keywords)
        let topics = try #require(PageLine.with("Topics: Energy, Wind power, North Sea") { Markers.labeledList($0) })
        #expect(topics.items == ["Energy", "Wind power", "North Sea"])
        let keywords = try #require(PageLine.with("Keywords: trams; Amberton") { Markers.labeledList($0) })
        #expect(keywords.items == ["trams", "Amberton"] && keywords.keywords)
        #expect(
            PageLine.with("Mots-clés : Montagne | Neige") { Markers.labeledList($0) }?.items == ["Montagne", "Neige"])
        #expect(PageLine.with("Note: the ferry is late") { Markers.labeledList($0) } == nil)
        #expect(
            ListNormalizer.unique([" Storms", "storms", "Harbour", "STORMS", "", "Häfen", "HÄFEN", "Harbour "]) == [
                "Storms", "Harbour", "Häfen",
            ])
    }

    @Test("an unlabeled footer keyword list needs three short items")
    func keywordLists() {
        #expect(
            PageLine.with("Lindqvist, port, grain, silos") { Markers.keywordList($0) } == [
                "Lindqvist", "port", "grain", "silos",
            ])
        #expect(PageLine.with("Ships queued, waited, and left.") { Markers.keywordList($0) } == nil)
        #expect(PageLine.with("Harbour, port") { Markers.keywordList($0) } == nil)
    }

    @Test("copyright notices name their holder")
    func copyrights() {
        #expect(
            CreditLines.copyright("© Copyright 2021 Harbourline Press. All rights reserved.")?.holder
                == "Harbourline Press")
        #expect(CreditLines.copyright("© Eastgate Media Group, Inc.")?.holder == "Eastgate Media Group, Inc.")
        #expect(CreditLines.copyright("Copyright © 2010-2021 The Fjord Courier")?.holder == "The Fjord Courier")
        #expect(CreditLines.copyright("(c) 2021 L’Écho des Cimes. Tous droits réservés.")?.holder == "L’Écho des Cimes")
        #expect(CreditLines.copyright("Copyrighted material is everywhere.") == nil)
        #expect(CreditLines.copyright("The ferry is back.") == nil)
    }

    @Test("wire datelines give the agency and the text after the dash")
    func wireDatelines() throws {
        let wire = try #require(CreditLines.wireDateline("OSLO (Polar Wire) - A new farm opens."))
        #expect(wire.agency == "Polar Wire" && wire.text == "A new farm opens.")
        let dated = try #require(CreditLines.wireDateline("SÃO PAULO, March 3 (dpa) — Rain fell."))
        #expect(dated.agency == "dpa" && dated.text == "Rain fell.")
        #expect(CreditLines.wireDateline("The mayor (who was late) - said nothing.") == nil)
        #expect(CreditLines.wireDateline("OSLO (Polar Wire) said nothing.") == nil)
    }

    @Test("share widgets, page chrome and related-block headings are recognised; prose is not")
    func chromeAndWidgets() {
        for line in ["Share this:", "Facebook Twitter Email", "3Like our page", "12 Shares", "Teilen", "Partager"] {
            #expect(PageLine.with(line) { Markers.isShareWidget($0) }, "\(line)")
        }
        for line in ["Our page", "Share prices fell on Monday.", "Like a storm"] {
            #expect(!PageLine.with(line) { Markers.isShareWidget($0) }, "\(line)")
        }
        for line in [
            "You are here: Home » News", "Scroll To Top", "Feed Subscription", "Skip to content", "2 Comments",
            "1 2 3 … 10 Next »", "Page 1 of 4", "Nach oben",
        ] {
            #expect(PageLine.with(line) { Markers.isChrome($0) }, "\(line)")
        }
        for line in [
            "Home prices rose", "Search for the missing sailor continues", "10 ships in the harbour",
            "2 Comments today", "2024", "3 ships 4 boats",
        ] {
            #expect(!PageLine.with(line) { Markers.isChrome($0) }, "\(line)")
        }
        #expect(PageLine.with("Related articles:") { Markers.isRelatedHeading($0) })
        #expect(PageLine.with("Lesen Sie auch") { Markers.isRelatedHeading($0) })
        #expect(
            PageLine.with("Read more: Storm closes the port") { Markers.standaloneLink($0) } == "Storm closes the port")
        #expect(PageLine.with("Lire aussi : Le prix augmente") { Markers.standaloneLink($0) } == "Le prix augmente")
    }

    @Test(
        "teasers and read-more markers in several languages",
        arguments: [
            ("The port reopened on Monday after two ... Read More »", "The port reopened on Monday after two"),
            ("The port reopened on Monday … Continue reading →", "The port reopened on Monday"),
            ("Der Hafen ist wieder offen … Weiterlesen »", "Der Hafen ist wieder offen"),
            ("Le port a rouvert lundi... Lire la suite", "Le port a rouvert lundi"),
            ("El puerto reabrió el lunes … Leer más »", "El puerto reabrió el lunes"),
            ("The port reopened on Monday. [Continue reading]", "The port reopened on Monday."),
            ("The port reopened on Monday […]", "The port reopened on Monday"),
            ("Read More »", ""),
        ])
    func teasers(_ line: String, _ text: String) {
        #expect(PageLine.with(line) { Markers.teaserText($0) } == text)
    }

    @Test("every read-more marker ends a teaser, in any letter case and behind any decoration")
    func everyMarker() {
        for phrase in Markers.readMore.phrases {
            let marker = String(decoding: phrase, as: UTF8.self)
            for written in [marker, marker.uppercased(), marker.capitalized] {
                for line in [
                    "The harbour reopened … \(written)", "The harbour reopened... \(written) »",
                    "The harbour reopened … \(written) →", "The harbour reopened … [\(written)]",
                ] {
                    #expect(PageLine.with(line) { Markers.teaserText($0) } == "The harbour reopened", "\(line)")
                }
            }
        }
    }

    @Test("prose that mentions reading is not a teaser")
    func notTeasers() {
        #expect(
            PageLine.with("Visitors can read more about the port in the library.") { Markers.teaserText($0) } == nil)
        #expect(PageLine.with("He wanted to read more") { Markers.teaserText($0) } == nil)
    }

    @Test(
        "language detection over stop words",
        arguments: [
            ("The council said that the harbour will reopen after the storm, and the ferries are back.", "en"),
            ("Der Stadtrat hat die Pläne am Dienstag beschlossen, und die Arbeiten beginnen im Mai.", "de"),
            ("Le conseil a annoncé que le port rouvrira après la tempête et que les ferries sont de retour.", "fr"),
            (
                "El ayuntamiento dijo que el puerto volverá a abrir después de la tormenta y que los barcos han vuelto.",
                "es"
            ),
            ("Il consiglio ha detto che il porto riaprirà dopo la tempesta e che i traghetti sono tornati.", "it"),
            ("De gemeente zei dat de haven na de storm weer opengaat en dat de veerboten terug zijn.", "nl"),
            ("O conselho disse que o porto vai reabrir depois da tempestade e que os barcos não voltaram.", "pt"),
            ("Совет заявил, что порт откроется после шторма, и что паромы уже вернулись на линию.", "ru"),
        ])
    func languages(_ text: String, _ code: String) {
        #expect(LanguageDetector.detect([text]) == code)
    }

    @Test("too little text claims no language")
    func noLanguage() {
        #expect(LanguageDetector.detect(["Harbour"]) == nil)
        #expect(LanguageDetector.detect(["12 34 56"]) == nil)
    }

    @Test("the footer-notice check of short lines agrees with the rights and trademark checks, up to 200 bytes")
    func footerNoticeAgrees() {
        let notices = [
            "All Rights Reserved.", "Alle Rechte vorbehalten", "tous droits réservés", "Todos los derechos reservados",
            "Example is a registered trademark of Example Inc.", "eine eingetragene Marke", "Handelsmerk",
            "все права защищены", "All rights are ours", "a trade mark",
        ]
        var checked = 0
        for notice in notices {
            for padding in stride(from: 0, through: 190, by: 7) {
                for text in [
                    String(repeating: "x", count: padding) + " " + notice,
                    notice + " " + String(repeating: "y", count: padding),
                ] {
                    PageLine.with(text) { line in
                        guard line.isShort else { return }
                        let expected = Markers.mentionsRightsReserved(line) || Markers.isTrademarkNotice(line)
                        #expect(
                            Markers.mentionsFooterNotice(line, filter: PairFilter(line.head)) == expected, "\(text)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 400)
    }
}
