/// Makes plausible news-article plain text: a headline, a blank line, then paragraphs of sentences
/// wrapped at 72 columns, about `targetBytes` long (never longer). Article `number` of a seed is
/// always the same bytes, and no two articles are alike: each dateline carries the article number.
struct ArticleGenerator: Sendable {
    let seed: UInt64
    let targetBytes: Int

    func article(_ number: Int) -> [UInt8] {
        var random = SplitMix64(seed: SplitMix64.mix(seed) ^ SplitMix64.mix(UInt64(number) &+ 0x5EED))
        var text = headline(&random) + "\n\n"
        var paragraph = "\(random.pick(Words.cities)) (Newswire, story \(number)) -"
        var sentencesLeft = random.within(2...5)
        while true {
            let sentence = Self.sentence(&random)
            // The wrapped paragraph has the same length: wrapping only turns spaces into newlines.
            if text.utf8.count + paragraph.utf8.count + 1 + sentence.utf8.count + 1 > targetBytes { break }
            paragraph += " " + sentence
            sentencesLeft -= 1
            if sentencesLeft == 0 {
                text += Self.wrap(paragraph) + "\n\n"
                paragraph = ""
                sentencesLeft = random.within(2...5)
            }
        }
        if !paragraph.isEmpty { text += Self.wrap(paragraph) + "\n" }
        return Array(text.utf8)
    }

    private func headline(_ random: inout SplitMix64) -> String {
        let words = [
            random.pick(Words.subjects), random.pick(Words.verbs), random.pick(Words.adjectives),
            random.pick(Words.nouns), random.pick(Words.prepositions), random.pick(Words.cities),
        ]
        return words.joined(separator: " ").split(separator: " ").map { Self.capitalized(String($0)) }
            .joined(separator: " ")
    }

    private static func sentence(_ random: inout SplitMix64) -> String {
        var words = [nounPhrase(&random, subject: true), random.pick(Words.verbs), nounPhrase(&random, subject: false)]
        for _ in 0..<random.within(0...2) {
            words += [random.pick(Words.prepositions), nounPhrase(&random, subject: false)]
        }
        if random.below(3) == 0 { words[words.count - 1] += "," + random.pick(Words.attributions) }
        return capitalized(words.joined(separator: " ")) + "."
    }

    private static func nounPhrase(_ random: inout SplitMix64, subject: Bool) -> String {
        if subject && random.below(3) == 0 { return random.pick(Words.subjects) }
        let adjective = random.below(2) == 0 ? random.pick(Words.adjectives) + " " : ""
        let rest = adjective + random.pick(Words.nouns)
        var determiner = random.pick(Words.determiners)
        if determiner == "a" && "aeiou".contains(rest.first!) { determiner = "an" }
        return determiner + " " + rest
    }

    private static func capitalized(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// Breaks a paragraph into lines of at most 72 columns at spaces.
    private static func wrap(_ paragraph: String) -> String {
        var out = ""
        var line = ""
        for word in paragraph.split(separator: " ") {
            if !line.isEmpty && line.utf8.count + 1 + word.utf8.count > 72 {
                out += line + "\n"
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return out + line
    }
}

/// Vocabulary for generated articles.
private enum Words {
    static let cities = [
        "Lisbon", "Oslo", "Nairobi", "Montreal", "Osaka", "Valencia", "Porto Alegre", "Gdansk", "Adelaide",
        "Tallinn", "Accra", "Lyon", "Hamburg", "Seattle", "Kraków", "Bergen", "Cork", "Bilbao",
    ]
    static let subjects = [
        "the city council", "regional officials", "the ministry", "local residents", "the port authority",
        "union leaders", "the central bank", "researchers", "the transport agency", "hospital staff",
        "the school board", "farmers", "investors", "the court", "emergency services", "the mayor",
    ]
    static let verbs = [
        "approved", "rejected", "announced", "delayed", "questioned", "expanded", "reviewed", "funded",
        "criticised", "welcomed", "proposed", "completed", "suspended", "defended", "investigated", "revised",
    ]
    static let adjectives = [
        "new", "controversial", "long-awaited", "temporary", "regional", "annual", "ambitious", "costly",
        "revised", "independent", "emergency", "public", "coastal", "digital", "historic", "modest",
    ]
    static let nouns = [
        "budget", "plan", "report", "bridge", "agreement", "project", "inquiry", "tariff", "rail line",
        "housing scheme", "water system", "festival", "contract", "strike", "hospital wing", "harbour",
        "tax rebate", "wind farm", "library", "ferry route", "survey", "pension reform",
    ]
    static let determiners = ["the", "a", "the", "its", "the city's", "a second", "the first", "this year's"]
    static let prepositions = [
        "after", "before", "despite", "during", "for", "near", "without", "under", "alongside", "ahead of",
    ]
    static let attributions = [
        " officials said", " according to a statement", " a spokesperson confirmed", " critics argued",
        " the report found", " sources said",
    ]
}
