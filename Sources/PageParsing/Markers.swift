/// Marker phrases of page layouts in the languages the parser knows, and the line tests built on
/// them. Phrases are lowercase; lines are compared through their folded bytes (`PageLine.head`,
/// `PageLine.tail`), and every test first rules lines out by length or a byte check, so a long
/// paragraph costs next to nothing.
enum Markers {
    // MARK: Teasers on listing pages

    /// A teaser line ends with one of these (before arrows or guillemets).
    static let readMore = PhraseList([
        "read more", "continue reading", "read the full story", "read full story", "read the rest of this entry",
        "read the full article", "full story", "keep reading", "weiterlesen", "mehr lesen", "zum artikel",
        "lire la suite", "lire plus", "la suite", "leer más", "seguir leyendo", "continuar leyendo", "leggi tutto",
        "continua a leggere", "leggi di più", "lees meer", "verder lezen", "lees verder", "leia mais",
        "continuar lendo", "continue lendo", "читать далее", "читать дальше", "подробнее",
    ])

    /// What `mayBeTeaser` compares of a `readMore` phrase: up to three ASCII bytes before its last
    /// one, nearest first (a non-ASCII byte ends the comparison as a match).
    private struct TeaserEnding {
        var before: (UInt8, UInt8, UInt8) = (0, 0, 0)
        var count = 0
        /// The phrase's last byte.
        var last: UInt8 = 0
    }

    /// The `TeaserEnding`s of the phrases ending with byte `b` are
    /// `teaserEndings[teaserEndingStart[b]..<teaserEndingStart[b + 1]]`: flat arrays of plain values,
    /// read for every line of a page without touching a reference count.
    private static let (teaserEndings, teaserEndingStart): ([TeaserEnding], [Int]) = {
        var endings: [TeaserEnding] = []
        var starts = [0]
        for last in 0..<256 {
            for phrase in readMore.phrases where Int(phrase[phrase.count - 1]) == last {
                var ending = TeaserEnding()
                ending.last = UInt8(last)
                withUnsafeMutableBytes(of: &ending.before) { before in
                    var back = 1
                    while back < min(4, phrase.count) && phrase[phrase.count - 1 - back] < 0x80 {
                        before[back - 1] = phrase[phrase.count - 1 - back]
                        back += 1
                    }
                    ending.count = back - 1
                }
                endings.append(ending)
            }
            starts.append(endings.count)
        }
        return (endings, starts)
    }()

    /// The last two bytes of the `readMore` phrases that end in two ASCII bytes, as
    /// `PairFilter.bit`s.
    private static let teaserEndingPairs: UInt64 = teaserEndings.filter { $0.count > 0 }.reduce(0) {
        $0 | PairFilter.bit($1.before.0, $1.last)
    }

    /// The ASCII last bytes of the `readMore` phrases whose byte before the last is not ASCII
    /// (bit `b % 64` of word `b / 64`): `mayBeTeaser` compares nothing before such a last byte.
    private static let teaserAnyBefore: (UInt64, UInt64) = teaserEndings.filter { $0.count == 0 && $0.last < 0x80 }
        .reduce((0, 0)) { bits, ending in
            ending.last >= 64
                ? (bits.0, bits.1 | 1 << UInt64(ending.last - 64)) : (bits.0 | 1 << UInt64(ending.last), bits.1)
        }

    /// Whether some `readMore` phrase ends with the ASCII byte `last` after a non-ASCII byte.
    @inline(__always)
    private static func endsAfterAnyByte(_ last: UInt8) -> Bool {
        (last >= 64 ? teaserAnyBefore.1 >> UInt64(last - 64) : teaserAnyBefore.0 >> UInt64(last)) & 1 != 0
    }

    /// Indices of `readMore` phrases by their last byte.
    private static let readMoreByLastByte: [[Int]] = {
        var table = [[Int]](repeating: [], count: 256)
        for (index, phrase) in readMore.phrases.enumerated() { table[Int(phrase[phrase.count - 1])].append(index) }
        return table
    }()

    private static let ellipsisCharacter: [UInt8] = [0xE2, 0x80, 0xA6]
    private static let threeDots = Array("...".utf8)
    private static let bracketedEllipsis = Array("[\u{2026}]".utf8)
    private static let bracketedDots = Array("[...]".utf8)

    /// If `line` is a teaser ("… Read More »", "… [Continue reading]", "…excerpt […]"), its text
    /// without the marker and the trailing ellipsis; "" when the line is the marker alone.
    static func teaserText(_ line: PageLine) -> String? {
        guard mayBeTeaser(line) else { return nil }
        let tail = line.foldedTail()
        var end = tail.count
        var decorated = false
        while end > 0, let (width, isArrow) = decorationEnding(tail, end) {
            end -= width
            decorated = decorated || isArrow
        }
        let tailStart = line.byteCount - tail.count
        guard end > 0 else { return nil }
        for markerIndex in readMoreByLastByte[Int(tail[end - 1])] {
            let marker = readMore.phrases[markerIndex]
            guard Folding.hasSuffix(tail, marker, end: end) else { continue }
            let cut = end - marker.count
            if cut == 0 {
                if tailStart == 0 { return "" }
                continue
            }
            let before = tail[cut - 1]
            guard
                before == 0x20 || before == UInt8(ascii: ".") || before == UInt8(ascii: "[")
                    || before == UInt8(ascii: "(") || before == UInt8(ascii: "|") || before >= 0x80
            else { continue }
            var leadEnd = cut
            while leadEnd > 0,
                tail[leadEnd - 1] == 0x20 || tail[leadEnd - 1] == UInt8(ascii: "[")
                    || tail[leadEnd - 1] == UInt8(ascii: "(")
                    || tail[leadEnd - 1] == UInt8(ascii: "|")
            {
                leadEnd -= 1
            }
            let ellipsis =
                Folding.hasSuffix(tail, ellipsisCharacter, end: leadEnd)
                || Folding.hasSuffix(tail, threeDots, end: leadEnd)
            guard decorated || ellipsis else { continue }
            let body = line.text.utf8.prefix(tailStart + cut)
            return String(trimEllipsis(Substring(body)))
        }
        if Folding.hasSuffix(tail, bracketedEllipsis, end: tail.count)
            || Folding.hasSuffix(tail, bracketedDots, end: tail.count)
        {
            return String(trimEllipsis(line.text[...]))
        }
        return nil
    }

    /// Cheap test on the raw line end: a marker's last letter after the decorations, or "[…]".
    private static func mayBeTeaser(_ line: PageLine) -> Bool {
        let raw = line.utf8
        let bytes = UnsafeBufferPointer(rebasing: raw[max(0, raw.count - 16)...])
        var end = bytes.count
        while end > 0 {
            let last = bytes[end - 1]
            if last == 0x20 || last == UInt8(ascii: ".") || last == UInt8(ascii: "-") || last == UInt8(ascii: "(")
                || last == UInt8(ascii: ")") || last == UInt8(ascii: ">")
            {
                end -= 1
            } else if last == UInt8(ascii: "]") {
                return true
            } else if last >= 0x80 && end >= 2 && bytes[end - 2] == 0xC2 && last == 0xBB {
                end -= 2  // »
            } else if last >= 0x80 && end >= 3 && bytes[end - 3] == 0xE2 {
                end -= 3  // › → ▸ ► … – —
            } else {
                break
            }
        }
        guard end > 0 else { return false }
        var last = bytes[end - 1]
        if last &- 0x41 < 26 { last |= 0x20 }
        // A line ending in a non-ASCII letter ("… LEGGI DI PIÙ", "… подробнее", "… ЧИТАТЬ ДАЛЕЕ")
        // may end with a marker in either case: `teaserText` folds it and decides.
        if last >= 0x80 { return true }
        // Most lines are ruled out by their last two bytes (when both are ASCII).
        if end >= 2 && !endsAfterAnyByte(last) {
            var before = bytes[end - 2]
            if before &- 0x41 < 26 { before |= 0x20 }
            if before < 0x80 && teaserEndingPairs & PairFilter.bit(before, last) == 0 { return false }
        }
        // A marker ending with that letter whose last few bytes match too (ASCII compared
        // folded; anything else, or the window's edge, counts as a match).
        for slot in teaserEndingStart[Int(last)]..<teaserEndingStart[Int(last) + 1] {
            let ending = teaserEndings[slot]
            let count = ending.count
            let matches = withUnsafeBytes(of: ending.before) { before in
                var back = 1
                while back <= count && end - 1 - back >= 0 {
                    var byte = bytes[end - 1 - back]
                    if byte >= 0x80 { return true }
                    if byte &- 0x41 < 26 { byte |= 0x20 }
                    if byte != before[back - 1] { return false }
                    back += 1
                }
                return true
            }
            if matches { return true }
        }
        return false
    }

    /// The width of a decoration ending at `end` and whether it is an arrow or bracket.
    private static func decorationEnding(_ bytes: UnsafeBufferPointer<UInt8>, _ end: Int) -> (Int, Bool)? {
        let last = bytes[end - 1]
        switch last {
        case 0x20, UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"): return (1, false)
        case UInt8(ascii: ">"), UInt8(ascii: "]"): return (1, true)
        default: break
        }
        if end >= 2 && bytes[end - 2] == 0xC2 && last == 0xBB { return (2, true) }  // »
        guard end >= 3 else { return nil }
        let lead = bytes[end - 3]
        let middle = bytes[end - 2]
        if lead == 0xE2 && middle == 0x80 && last == 0xBA { return (3, true) }  // ›
        if lead == 0xE2 && middle == 0x86 && last == 0x92 { return (3, true) }  // →
        if lead == 0xE2 && middle == 0x96 && (last == 0xB8 || last == 0xBA) { return (3, true) }  // ▸ ►
        if lead == 0xE2 && middle == 0x80 && (last == 0xA6 || last == 0x93 || last == 0x94) { return (3, false) }
        return nil
    }

    /// Drops a trailing "...", "…", "[…]", "[...]" and spaces (and leading spaces).
    static func trimEllipsis(_ text: Substring) -> Substring {
        let bytes = Array(text.utf8)
        var start = 0
        var end = bytes.count
        func isTrimmed(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: "|")
        }
        while start < end && bytes[start] == 0x20 { start += 1 }
        let ellipses: [[UInt8]] = [
            Array("[\u{2026}]".utf8), Array("[...]".utf8), [0xE2, 0x80, 0xA6], Array("...".utf8),
        ]
        var changed = true
        while changed {
            changed = false
            while end > start && isTrimmed(bytes[end - 1]) { end -= 1 }
            for ellipsis in ellipses where end - start >= ellipsis.count && Folding.hasSuffix(bytes, ellipsis, end: end)
            {
                end -= ellipsis.count
                changed = true
            }
        }
        let utf8 = text.utf8
        return Substring(
            utf8[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)])
    }

    // MARK: Page chrome

    /// Whole lines of navigation, subscription and layout text.
    static let chromeLines = PhraseSet([
        "feed subscription", "scroll to top", "back to top", "skip to content", "skip to main content", "menu",
        "search", "subscribe", "sign in", "log in", "login", "home", "advertisement", "anzeige", "werbung",
        "publicité", "publicidad", "pubblicità", "advertentie", "publicidade", "реклама", "toggle navigation",
        "main menu", "navigation", "close", "previous post", "next post", "older posts", "newer posts", "load more",
        "print this page", "leave a comment", "leave a reply", "no comments", "comments", "comments are closed",
        "post navigation", "nach oben", "zum seitenanfang", "retour en haut", "volver arriba", "torna su",
        "naar boven", "voltar ao topo", "наверх", "rss", "rss feed", "newsletter", "older entries", "newer entries",
    ])

    /// Lines starting with these are navigation (breadcrumbs, pagination).
    static let chromePrefixes = PhraseList([
        "you are here", "home »", "home >", "home /", "home ›", "startseite »", "startseite >", "accueil »",
        "accueil >", "inicio »", "inicio >", "sie sind hier", "vous êtes ici", "usted está aquí", "ti trovi in",
        "u bent hier", "você está aqui", "вы здесь", "page 1 of", "page 1 de", "seite 1 von", "página 1 de",
        "pagina 1 di", "pagina 1 van", "« older", "« previous", "next page", "« newer", "posted in uncategorized",
    ])

    private static let commentWords = PhraseSet([
        "comment", "comments", "kommentar", "kommentare", "commentaire", "commentaires", "comentario", "comentarios",
        "commento", "commenti", "reacties", "reactie", "comentários", "комментарии",
    ])
    private static let paginationWords = PhraseSet([
        "next", "previous", "prev", "older", "newer", "page", "of", "suivant", "précédent", "weiter", "zurück",
        "siguiente", "anterior", "successivo", "precedente", "volgende", "vorige", "próximo", "далее", "назад",
    ])

    static func isChrome(_ line: PageLine) -> Bool {
        guard line.byteCount <= 200 else { return false }
        let bytes = line.head
        var start = 0
        var end = bytes.count
        while end > start, let (width, _) = decorationEnding(bytes, end) { end -= width }
        while start < end && (bytes[start] == 0x20 || bytes[start] == UInt8(ascii: "<") || bytes[start] == 0xC2) {
            start += bytes[start] == 0xC2 ? 2 : 1  // « (C2 AB)
        }
        if start < end && chromeLines.contains(bytes, start..<end) { return true }
        if chromePrefixes.prefixLength(of: bytes) != nil { return true }
        guard line.hasDigit else { return false }
        // "12 comments": two words, a number and a comment word.
        var first = 0..<0
        var second = 0..<0
        var words = 0
        forEachWord(of: bytes) { word in
            words += 1
            if words == 1 { first = word } else if words == 2 { second = word }
            return words <= 2
        }
        if words == 2, first.allSatisfy({ bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }),
            commentWords.contains(bytes, second)
        {
            return true
        }
        return isPagination(bytes)
    }

    /// "1 2 3 … 10 Next »": numbers, arrows and paging words only, with at least one number.
    private static func isPagination(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var words = 0
        var numbers = 0
        var other = false  // a word with letters that is not a paging word
        forEachWord(of: bytes) { word in
            words += 1
            var letters = false
            var digits = false
            for index in word {
                let byte = bytes[index]
                if byte >= 0x30 && byte <= 0x39 {
                    digits = true
                } else if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0xC3 && byte <= 0xD4) {
                    letters = true  // ASCII, Latin, Greek and Cyrillic letters (by lead byte)
                }
            }
            if digits && !letters {
                numbers += 1
            } else if letters && !paginationWords.contains(bytes, word) {
                other = true
            }
            return !other
        }
        return words >= 2 && !other && numbers > 0
    }

    /// Byte ranges of the space-separated words of `bytes`.
    static func wordRanges(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var words: [Range<Int>] = []
        forEachWord(of: bytes) { word in
            words.append(word)
            return true
        }
        return words
    }

    /// Calls `body` with the byte range of each space-separated word of `bytes`, in order, until
    /// it returns false (no array of ranges is made: the line tests run on every line).
    static func forEachWord(of bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Bool) {
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x20 {
            if index > start && !body(start..<index) { return }
            start = index + 1
        }
    }

    // MARK: Share widgets

    private static let shareAnchors = PhraseSet([
        "share", "shares", "tweet", "facebook", "twitter", "linkedin", "whatsapp", "pinterest", "reddit", "telegram",
        "email", "e-mail", "print", "like", "likes", "teilen", "drucken", "partager", "imprimer", "compartir",
        "imprimir", "condividi", "stampa", "delen", "printen", "compartilhar", "поделиться", "flipboard", "mail",
    ])
    private static let shareWords = PhraseSet([
        "share", "shares", "tweet", "facebook", "twitter", "linkedin", "whatsapp", "pinterest", "reddit", "telegram",
        "email", "e-mail", "print", "like", "likes", "teilen", "drucken", "partager", "imprimer", "compartir",
        "imprimir", "condividi", "stampa", "delen", "printen", "compartilhar", "поделиться", "flipboard", "mail",
        "this", "article", "story", "page", "on", "via", "x", "messenger", "pocket", "copy", "link", "our", "us",
        "follow", "save", "comment", "comments", "auf", "sur", "en", "em", "su", "per", "artikel", "cet",
        "artículo", "articolo", "artigo", "deze", "diesen", "the",
    ])

    /// "Share this:", "Facebook Twitter Email", "1Like our page", "12 Shares".
    static func isShareWidget(_ line: PageLine) -> Bool {
        guard line.byteCount <= 120, line.wordCount <= 8 else { return false }
        let bytes = line.head
        var anchored = false
        var words = 0
        var start = 0
        for index in 0...bytes.count {
            let separator =
                index == bytes.count || bytes[index] == 0x20 || bytes[index] == UInt8(ascii: "|")
                || bytes[index] == UInt8(ascii: "/") || bytes[index] == UInt8(ascii: ",")
                || bytes[index] == UInt8(ascii: ":")
            guard separator else { continue }
            var wordStart = start
            while wordStart < index && bytes[wordStart] >= 0x30 && bytes[wordStart] <= 0x39 { wordStart += 1 }
            start = index + 1
            guard wordStart < index else { continue }
            if index - wordStart == 2 && bytes[wordStart] == 0xE2 { continue }
            guard shareWords.contains(bytes, wordStart..<index) else { return false }
            anchored = anchored || shareAnchors.contains(bytes, wordStart..<index)
            words += 1
        }
        return words > 0 && anchored
    }

    // MARK: Listing headers

    /// Archive headers that always mean a listing page.
    static let archiveLabels = PhraseSet([
        "tag archives", "tag archive", "category archives", "category archive", "archives", "author archives",
        "monthly archives", "schlagwort-archiv", "schlagwort-archive", "tag-archiv", "archiv der kategorie",
        "kategorie-archiv", "archiv", "archives de l'étiquette", "archives de l’étiquette", "archives de la catégorie",
        "archivo de la etiqueta", "archivo de la categoría", "archivo de categoría", "archivio tag",
        "archivio della categoria", "tag-archief", "tag archief", "categorie archief", "arquivo da tag",
        "arquivos da tag", "arquivo da categoria", "архив метки", "архив рубрики",
    ])
    /// Headers that mean a listing page only when teasers confirm it.
    static let weakArchiveLabels = PhraseSet([
        "tag", "tagged", "posts tagged", "category", "topic", "schlagwort", "kategorie", "thema", "étiquette",
        "catégorie", "etiqueta", "categoría", "categoria", "categorie", "метка", "рубрика",
    ])

    /// The archive's term ("Tag Archives: Storms" → "Storms") and whether the header is explicit.
    static func archiveTerm(_ line: PageLine) -> (term: String, explicit: Bool)? {
        guard line.byteCount <= 160, let colon = line.offset(of: UInt8(ascii: ":"), within: 48) else { return nil }
        let explicit = archiveLabels.contains(line.head, 0..<colon)
        guard explicit || weakArchiveLabels.contains(line.head, 0..<colon) else { return nil }
        let term = line.text.utf8.dropFirst(colon + 1)
        let trimmed = Substring(term).trimming(" \"'“”‘’«»")
        guard !trimmed.isEmpty, LineText.wordCount(trimmed) <= 8 else { return nil }
        return (String(trimmed), explicit)
    }

    // MARK: Tag and keyword lines

    /// Labels of tag lists ("Tags: a | b").
    static let tagLabels = PhraseSet([
        "tags", "topics", "themen", "schlagwörter", "schlagworte", "stichwörter", "stichworte", "mots-clés",
        "mots clés", "étiquettes", "sujets", "thèmes", "etiquetas", "temas", "argomenti", "tag", "trefwoorden",
        "onderwerpen", "assuntos", "теги", "метки", "темы", "filed under", "posted in", "categories", "tagged",
        "tagged with", "kategorien", "catégories", "categorías", "categorie", "categorieën", "categorias",
    ])
    /// Labels of keyword lists ("Keywords: a, b").
    static let keywordLabels = PhraseSet([
        "keywords", "key words", "palabras clave", "parole chiave", "palavras-chave", "ключевые слова",
    ])
    private static let unlabeledListPrefixes = PhraseList(["posted in ", "filed under "])

    /// A labeled list: its items and whether the label names keywords rather than tags.
    static func labeledList(_ line: PageLine) -> (items: [String], keywords: Bool)? {
        guard line.byteCount <= 600 else { return nil }
        let labelEnd: Int
        let restStart: Int
        if let colon = line.offset(of: UInt8(ascii: ":"), within: 26) {
            labelEnd = colon
            restStart = colon + 1
        } else if let prefixCount = unlabeledListPrefixes.prefixLength(of: line.head) {
            labelEnd = prefixCount - 1
            restStart = prefixCount
        } else {
            return nil
        }
        let isKeywords = keywordLabels.contains(line.head, 0..<labelEnd)
        guard isKeywords || tagLabels.contains(line.head, 0..<labelEnd) else { return nil }
        let items = listItems(Substring(line.text.utf8.dropFirst(restStart)))
        guard !items.isEmpty else { return nil }
        return (items, isKeywords)
    }

    /// Splits a list at `|`, else `,`, else `;`, else `•`/`·`.
    static func listItems(_ text: Substring) -> [String] {
        for separator in [UInt8(ascii: "|"), UInt8(ascii: ","), UInt8(ascii: ";")] where text.utf8.contains(separator) {
            return LineText.split(text, separators: [separator])
        }
        for separator in ["•", "·"] where Folding.contains(Array(text.utf8), Array(separator.utf8)) {
            return text.split(separator: Character(separator)).map { String($0.trimming(" ")) }.filter { !$0.isEmpty }
        }
        let single = text.trimming(" ")
        return single.isEmpty ? [] : [String(single)]
    }

    /// An unlabeled keyword list in a footer: three or more short comma-separated items.
    static func keywordList(_ line: PageLine) -> [String]? {
        guard line.byteCount <= 400, line.utf8.contains(UInt8(ascii: ",")), let last = line.lastMeaningful,
            last.properties.isAlphabetic || last.properties.numericType != nil
        else { return nil }
        let items = LineText.split(line.text[...], separators: [UInt8(ascii: ",")])
        guard items.count >= 3 else { return nil }
        for item in items {
            if LineText.wordCount(item) > 4 { return nil }
            if let end = item.unicodeScalars.last, [".", "!", "?", ":"].contains(end) { return nil }
        }
        return items
    }

    // MARK: Cross-links

    /// Cross-link labels that open an inline link to another article ("Read more: …").
    static let linkLabels: [String] = [
        "read more", "read", "opinion", "also read", "read also", "see also", "related", "watch", "listen", "more",
        "analysis", "commentary", "lesen sie auch", "mehr zum thema", "lesen sie mehr", "auch interessant",
        "kommentar", "lire aussi", "à lire aussi", "voir aussi", "lire également", "lea también", "lee también",
        "leer más", "le puede interesar", "leggi anche", "lees ook", "lees meer", "leia também", "leia mais",
        "saiba mais", "veja também", "читайте также", "по теме",
    ]
    static let linkLabelSet = PhraseSet(linkLabels)

    /// Lines that introduce a block of related headlines.
    static let relatedHeadings = PhraseSet([
        "related", "related articles", "related posts", "related stories", "related content", "related coverage",
        "more on this story", "more on this topic", "read more", "read also", "see also", "also read",
        "you may also like", "you might also like", "recommended", "more stories", "read next", "mehr zum thema",
        "das könnte sie auch interessieren", "ähnliche artikel", "lesen sie auch", "weitere artikel", "à lire aussi",
        "lire aussi", "articles similaires", "sur le même sujet", "voir aussi", "noticias relacionadas",
        "artículos relacionados", "te puede interesar", "lee también", "articoli correlati", "leggi anche",
        "potrebbe interessarti", "gerelateerd", "gerelateerde artikelen", "lees ook", "relacionados",
        "notícias relacionadas", "leia também", "veja também", "похожие статьи", "читайте также", "по теме",
    ])

    static func isRelatedHeading(_ line: PageLine) -> Bool {
        line.byteCount <= 60 && relatedHeadings.contains(line.head, 0..<line.head.count)
    }

    /// A whole line "Read more: X" (a cross-link on its own line): X.
    static func standaloneLink(_ line: PageLine) -> String? {
        guard let colon = line.offset(of: UInt8(ascii: ":"), within: 26), linkLabelSet.contains(line.head, 0..<colon)
        else { return nil }
        let target = Substring(line.text.utf8.dropFirst(colon + 1)).trimming(" ")
        return target.isEmpty ? nil : String(target)
    }

    // MARK: Footers

    /// "All rights reserved" in the supported languages.
    static let rightsReserved = PhraseList([
        "all rights reserved", "alle rechte vorbehalten", "tous droits réservés", "todos los derechos reservados",
        "tutti i diritti riservati", "alle rechten voorbehouden", "todos os direitos reservados",
        "все права защищены",
    ])

    /// Rights notices are lines of up to this many bytes; longer ones are prose.
    static let rightsNoticeMaxBytes = 160

    /// A rights notice ("All rights reserved") on a line of up to `rightsNoticeMaxBytes`.
    static func mentionsRightsReserved(_ line: PageLine, filter: PairFilter? = nil) -> Bool {
        line.byteCount <= rightsNoticeMaxBytes
            && rightsReserved.anyContained(in: line.head, filter: filter ?? PairFilter(line.head))
    }

    private static let trademarkWords = PhraseList([
        "trademark", "eingetragene marke", "marque déposée", "marca registrada", "marchio registrato", "handelsmerk",
    ])

    /// `rightsReserved` and `trademarkWords` in one list: a short line is checked for both in one pass.
    private static let footerNotices = PhraseList(
        (rightsReserved.phrases + trademarkWords.phrases).map { String(decoding: $0, as: UTF8.self) })

    /// `mentionsRightsReserved(line) || isTrademarkNotice(line)` for a short line (`isShort`),
    /// with the filter of its head: both lists in one pass where both apply.
    static func mentionsFooterNotice(_ line: PageLine, filter: PairFilter) -> Bool {
        if line.byteCount <= rightsNoticeMaxBytes { return footerNotices.anyContained(in: line.head, filter: filter) }
        return isTrademarkNotice(line, filter: filter)
    }

    /// Trademark notices ("… are registered trademarks of …"), up to 400 bytes.
    static func isTrademarkNotice(_ line: PageLine, filter: PairFilter? = nil) -> Bool {
        guard line.byteCount <= 400 else { return false }
        if line.isShort { return trademarkWords.anyContained(in: line.head, filter: filter ?? PairFilter(line.head)) }
        return trademarkWords.anyContained(in: Folding.fold(line.text))
    }

    /// Company-name endings that identify a publisher line in a footer.
    static let organizationSuffixes = PhraseSet([
        "inc.", "inc", "llc", "ltd", "ltd.", "limited", "gmbh", "ag", "se", "s.a.", "sa", "sas", "s.p.a.", "spa", "srl",
        "s.r.l.", "b.v.", "bv", "n.v.", "nv", "plc", "corp.", "corp", "corporation", "co.", "company", "group",
        "media", "verlag", "kg", "ооо",
    ])

    /// A short line of capitalized words ending in a company suffix ("Example Media, Inc.").
    static func organizationName(_ line: PageLine) -> String? {
        guard line.byteCount <= 80, (2...7).contains(line.wordCount) else { return nil }
        let words = wordRanges(line.head)
        guard let last = words.last else { return nil }
        var suffix = last
        if line.head[suffix.upperBound - 1] == UInt8(ascii: ",") {
            suffix = suffix.lowerBound..<(suffix.upperBound - 1)
        }
        guard organizationSuffixes.contains(line.head, suffix) else { return nil }
        for word in line.text.split(separator: " ") {
            guard let first = word.unicodeScalars.first,
                first.properties.isUppercase || (first.value >= 0x30 && first.value <= 0x39) || first == "&"
            else { return nil }
        }
        if line.lastMeaningful == ".", line.head[last.upperBound - 1] == UInt8(ascii: "."),
            !organizationSuffixes.contains(line.head, last)
        {
            return nil
        }
        return line.text
    }
}
