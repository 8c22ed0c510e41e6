/// Reads bylines: "By Jane Doe and John Roe", "Von Anna Schmidt und Max Müller", "Par Marie Dupont et
/// Jean Martin", "Author: …". Names are split at commas and the language's "and"; a trailing single
/// word after a comma ("By Jane Doe, Newswire") is the credit (the agency), not an author.
enum BylineParser {
    struct Byline: Equatable {
        var authors: [String]
        var credit: String?
    }

    /// Prefixes that open a byline, lowercase, with their trailing space or colon.
    private static let prefixes = PhraseList([
        "written by ", "posted by ", "words by ", "story by ", "reporting by ", "by ", "von ", "par ", "por ", "di ",
        "door ", "author: ", "authors: ", "autor: ", "autorin: ", "autoren: ", "auteur : ", "auteur: ", "auteurs : ",
        "autore: ", "autores: ", "auteurs: ", "автор: ", "авторы: ", "text: ", "texte : ",
    ])
    private static let conjunctions: [[UInt8]] = [
        " and ", " & ", " und ", " et ", " y ", " e ", " en ", " и ", " with ", " mit ", " avec ", " con ", " com ",
    ].map { Array($0.utf8) }
    /// What may follow the names: a role or a date ("By Jane Doe | Staff Writer").
    private static let roleSeparators: [[UInt8]] = [" | ", " - ", " – ", " — ", " · "].map { Array($0.utf8) }
    /// Lowercase words allowed inside a name.
    private static let particles: Set<String> = [
        "de", "da", "das", "do", "dos", "van", "von", "der", "den", "la", "le", "du", "di", "del", "della", "bin",
        "ibn", "al", "el", "ter", "ten", "zu", "y", "e",
    ]
    /// Role words that may follow a name after a comma or dash ("Jane Doe, Staff Writer").
    private static let roles = PhraseSet([
        "staff", "writer", "reporter", "correspondent", "editor", "contributor", "columnist", "redakteur", "redaktion",
        "korrespondent", "korrespondentin", "journaliste", "rédacteur", "correspondant", "periodista", "redactor",
        "corresponsal", "giornalista", "redattore", "corrispondente", "verslaggever", "correspondent", "jornalista",
        "repórter", "корреспондент",
    ])

    /// The byline in `text`, or nil when it is not one.
    static func parse(_ text: String) -> Byline? { PageLine.with(text) { parse($0) } }

    /// The byline in `line`, or nil when the line is not one.
    static func parse(_ line: PageLine) -> Byline? {
        guard line.byteCount <= 160, line.wordCount <= 16, let prefixCount = prefixes.prefixLength(of: line.head) else {
            return nil
        }
        let text = line.utf8
        var end = text.count
        for separator in roleSeparators {
            if let cut = firstOffset(of: separator, in: line.head, from: prefixCount, to: end) { end = cut }
        }
        var parts: [String] = []
        var partStart = prefixCount
        var index = prefixCount
        while index <= end {
            var cutWidth = 0
            if index == end {
                cutWidth = 1
            } else if line.head[index] == UInt8(ascii: ",") {
                cutWidth = 1
            } else if line.head[index] == 0x20,
                let conjunction = conjunctions.first(where: { Folding.hasPrefix(line.head, $0, at: index) }),
                index + conjunction.count <= end
            {
                cutWidth = conjunction.count
            }
            if cutWidth > 0 {
                let part = String(decoding: UnsafeBufferPointer(rebasing: text[partStart..<index]), as: UTF8.self)
                    .trimming(" .;")
                if !part.isEmpty { parts.append(String(part)) }
                index += cutWidth
                partStart = index
            } else {
                index += 1
            }
        }
        var authors: [String] = []
        var credit: String? = nil
        for (index, part) in parts.enumerated() {
            let words = part.utf8.split(separator: 0x20).map { Substring($0) }
            if words.allSatisfy({ roles.contains(Folding.fold(String($0))) }) { continue }
            guard isName(words) else { return nil }
            if words.count == 1, index == parts.count - 1, !authors.isEmpty, afterComma(part, in: line.text) {
                credit = part
            } else {
                authors.append(part)
            }
        }
        return authors.isEmpty ? nil : Byline(authors: authors, credit: credit)
    }

    private static func afterComma(_ part: String, in text: String) -> Bool {
        text.hasSuffix(", " + part) || text.hasSuffix(", " + part + ".")
    }

    /// One to five words, each capitalized, an initial, or a name particle; no digits.
    private static func isName(_ words: [Substring]) -> Bool {
        guard (1...5).contains(words.count) else { return false }
        var capitalized = 0
        for word in words {
            let utf8 = word.utf8
            guard let first = utf8.first, !utf8.contains(where: { $0 &- 0x30 < 10 }) else { return false }
            if first &- 0x41 < 26 {
                capitalized += 1
            } else if first >= 0x80, let scalar = word.unicodeScalars.first, scalar.properties.isUppercase {
                capitalized += 1
            } else if !particles.contains(String(word)) {
                return false
            }
        }
        return capitalized > 0
    }

    private static func firstOffset(
        of phrase: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int
    ) -> Int? {
        guard end - start >= phrase.count else { return nil }
        for offset in start...(end - phrase.count) where Folding.hasPrefix(bytes, phrase, at: offset) {
            return offset
        }
        return nil
    }
}
