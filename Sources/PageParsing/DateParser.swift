/// A date found in text: ISO 8601 as printed, and the text it came from.
struct ParsedDate: Sendable, Equatable {
    /// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` plus `Z` or `±HH:MM` when the text names a zone.
    var iso: String
    /// The date as printed (from the weekday or first date word to the end of the time or zone).
    var raw: String
    /// The label said the date is an update ("Updated", "Aktualisiert am", "Mis à jour le", …).
    var isUpdate: Bool
    /// Text after the date that is not part of it (e.g. "by Jane Doe"), trimmed.
    var remainder: String
}

/// Reads dates in the forms news pages print them: with or without weekday, day-month-year with month
/// names in eight languages, month-day-year, numeric (D.M.Y; M/D/Y in English, D/M/Y elsewhere),
/// ISO 8601, 12- or 24-hour times, and time zones. GMT and UTC become `Z`; numeric offsets and a few
/// unambiguous zone abbreviations (CET, EST, …) become `±HH:MM`; no zone is ever invented, and a
/// date without a time stays date-only.
enum DateParser {
    /// A date line: an optional label, a date, optionally a trailing byline; nothing else.
    static func parseLine(_ line: PageLine, language: String?) -> ParsedDate? {
        guard line.hasDigit, line.byteCount <= 120, let parsed = parse(line, language: language) else { return nil }
        if parsed.remainder.isEmpty || BylineParser.parse(parsed.remainder) != nil { return parsed }
        return nil
    }

    /// The first date at the start of `text` (after an optional label), or nil.
    static func parse(_ text: String, language: String?) -> ParsedDate? {
        PageLine.with(text) { parse($0, language: language) }
    }

    static func parse(_ line: PageLine, language: String?) -> ParsedDate? {
        guard line.hasDigit, line.isShort else { return nil }
        let head = line.head
        var start = 0
        var isUpdate = false
        for (label, update) in labels where Folding.hasPrefix(head, label) {
            guard label.count == head.count || !isLetter(head, at: label.count) else { continue }
            start = label.count
            isUpdate = update
            break
        }
        while start < head.count && (head[start] == 0x20 || head[start] == UInt8(ascii: ":")) { start += 1 }
        // A date starts with a number, a month or a weekday (see `DateScanner.scan`): most lines
        // with digits are ruled out by their first token, before the rest is read.
        var firstEnd = start
        switch DateToken.next(head, &firstEnd)?.kind {
        case .number?: break
        case .word(let word)?: guard weekdays.contains(word) || months[word] != nil else { return nil }
        case .symbol?, nil: return nil
        }
        var scanner = DateScanner(tokens: DateToken.tokenize(head, from: start), language: language)
        guard let result = scanner.scan() else { return nil }
        let utf8 = line.utf8
        let raw = String(decoding: UnsafeBufferPointer(rebasing: utf8[result.rawRange]), as: UTF8.self)
        let rest = String(decoding: UnsafeBufferPointer(rebasing: utf8[result.rawRange.upperBound...]), as: UTF8.self)
        let remainder = rest.trimming(" ,;|·-–—()")
        return ParsedDate(iso: result.iso, raw: raw, isUpdate: isUpdate, remainder: String(remainder))
    }

    /// A letter starts at `offset` (ASCII letters, or any non-ASCII letter).
    static func isLetter(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        let byte = bytes[offset]
        if byte < 0x80 { return (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        return Unicode.Scalar(TextNormalizer.decode(bytes, at: offset).0)?.properties.isAlphabetic ?? false
    }

    /// Labels before a date, longest first, and whether they announce an update.
    private static let labels: [([UInt8], Bool)] = {
        let published = [
            "published on", "published", "posted on", "posted", "date", "first published on", "first published",
            "veröffentlicht am", "veröffentlicht", "erschienen am", "datum", "publié le", "publié", "publicado el",
            "publicado em", "publicado", "fecha", "pubblicato il", "pubblicato", "data", "gepubliceerd op",
            "gepubliceerd", "geplaatst op", "опубликовано",
        ]
        let updated = [
            "updated on", "updated", "last updated on", "last updated", "last modified", "modified", "aktualisiert am",
            "aktualisiert", "zuletzt aktualisiert am", "zuletzt aktualisiert", "stand", "mis à jour le", "mis à jour",
            "modifié le", "actualizado el", "actualizado", "aggiornato il", "aggiornato", "bijgewerkt op",
            "bijgewerkt", "atualizado em", "atualizado", "обновлено",
        ]
        return (published.map { (Array($0.utf8), false) } + updated.map { (Array($0.utf8), true) }).sorted {
            $0.0.count > $1.0.count
        }
    }()

    static let months: [String: Int] = {
        var table: [String: Int] = [:]
        let names: [[String]] = [
            [
                "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december",
            ],
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
            [
                "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
                "november", "dezember",
            ],
            ["jän", "feb", "mär", "apr", "mai", "jun", "jul", "aug", "sept", "okt", "nov", "dez"],
            [
                "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                "novembre", "décembre",
            ],
            ["janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc"],
            [
                "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                "noviembre", "diciembre",
            ],
            ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "setiembre", "oct", "nov", "dic"],
            [
                "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
                "ottobre",
                "novembre", "dicembre",
            ],
            ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"],
            [
                "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                "november", "december",
            ],
            ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
            [
                "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
                "novembro", "dezembro",
            ],
            ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"],
            [
                "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                "ноября", "декабря",
            ],
            [
                "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
                "ноябрь", "декабрь",
            ],
        ]
        for list in names {
            for (index, name) in list.enumerated() where table[name] == nil { table[name] = index + 1 }
        }
        table["sept"] = 9
        table["jänner"] = 1
        table["maerz"] = 3
        table["setembro"] = 9
        return table
    }()

    static let weekdays: Set<String> = [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed",
        "thu", "thur", "thurs", "fri", "sat", "sun", "montag", "dienstag", "mittwoch", "donnerstag", "freitag",
        "samstag", "sonnabend", "sonntag", "mo", "di", "mi", "do", "fr", "sa", "so", "lundi", "mardi", "mercredi",
        "jeudi", "vendredi", "samedi", "dimanche", "lun", "mar", "mer", "jeu", "ven", "sam", "dim", "lunes", "martes",
        "miércoles", "jueves", "viernes", "sábado", "domingo", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì",
        "sabato", "domenica", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
        "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "понедельник", "вторник",
        "среда", "четверг", "пятница", "суббота", "воскресенье",
    ]

    /// Zone abbreviations that name one offset only.
    static let namedZones: [String: String] = [
        "cet": "+01:00", "cest": "+02:00", "mez": "+01:00", "mesz": "+02:00", "eet": "+02:00", "eest": "+03:00",
        "west": "+01:00", "bst": "+01:00", "est": "-05:00", "edt": "-04:00", "cdt": "-05:00", "mst": "-07:00",
        "mdt": "-06:00", "pst": "-08:00", "pdt": "-07:00", "msk": "+03:00", "jst": "+09:00", "aest": "+10:00",
        "aedt": "+11:00",
    ]
}

/// One word, number or symbol of a date expression, with its byte range in the line.
struct DateToken {
    enum Kind: Equatable {
        case number(Int, digits: Int)
        case word(String)
        case symbol(Unicode.Scalar)
    }

    var kind: Kind
    var range: Range<Int>

    var word: String? {
        if case .word(let value) = kind { return value }
        return nil
    }

    var symbol: Unicode.Scalar? {
        if case .symbol(let value) = kind { return value }
        return nil
    }

    /// Tokens of folded `bytes` from `start` (at most 40).
    static func tokenize(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> [DateToken] {
        var tokens: [DateToken] = []
        tokens.reserveCapacity(12)
        var index = start
        while tokens.count < 40, let token = next(buffer, &index) { tokens.append(token) }
        return tokens
    }

    /// The token at `index` or after the spaces there, moving `index` past it; nil at the end.
    static func next(_ buffer: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> DateToken? {
        while index < buffer.count && buffer[index] == 0x20 { index += 1 }
        guard index < buffer.count else { return nil }
        let byte = buffer[index]
        if byte &- 0x30 < 10 {
            var value = 0
            var digits = 0
            var end = index
            while end < buffer.count, buffer[end] &- 0x30 < 10, digits < 9 {
                value = value * 10 + Int(buffer[end] &- 0x30)
                digits += 1
                end += 1
            }
            defer { index = end }
            return DateToken(kind: .number(value, digits: digits), range: index..<end)
        }
        if let width = letterWidth(buffer, index) {
            var end = index + width
            while end < buffer.count {
                if let next = letterWidth(buffer, end) {
                    end += next
                } else if buffer[end] == UInt8(ascii: "-"), end + 1 < buffer.count, letterWidth(buffer, end + 1) != nil
                {
                    end += 1
                } else {
                    break
                }
            }
            let word = String(decoding: UnsafeBufferPointer(rebasing: buffer[index..<end]), as: UTF8.self)
            defer { index = end }
            return DateToken(kind: .word(word), range: index..<end)
        }
        let (scalar, width) = TextNormalizer.decode(buffer, at: index)
        defer { index += width }
        return DateToken(kind: .symbol(Unicode.Scalar(scalar) ?? "?"), range: index..<(index + width))
    }

    /// The width of the letter at `index`, or nil when it is not a letter.
    @inline(__always)
    private static func letterWidth(_ buffer: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int? {
        let byte = buffer[index]
        if byte < 0x80 { return (byte | 0x20) &- 0x61 < 26 ? 1 : nil }
        let (scalar, width) = TextNormalizer.decode(buffer, at: index)
        return Unicode.Scalar(scalar)?.properties.isAlphabetic == true ? width : nil
    }
}

/// Walks the tokens of one date expression.
struct DateScanner {
    let tokens: [DateToken]
    let language: String?
    private var position = 0

    init(tokens: [DateToken], language: String?) {
        self.tokens = tokens
        self.language = language
    }

    struct Result {
        var iso: String
        var rawRange: Range<Int>
    }

    mutating func scan() -> Result? {
        guard !tokens.isEmpty else { return nil }
        let start = tokens[0].range.lowerBound
        var date: (Int, Int, Int)? = nil
        if let word = word(at: 0), DateParser.weekdays.contains(word) {
            position = 1
            skipSymbols(".,")
            date = scanDate()
        }
        if date == nil {
            position = 0
            date = scanDate()
        }
        guard let (year, month, day) = date, Self.isValid(year: year, month: month, day: day) else { return nil }
        var end = tokens[position - 1].range.upperBound
        var iso = Self.isoDate(year, month, day)
        let beforeTime = position
        skipConnectors()
        if let (hour, minute, second) = scanTime() {
            iso += Self.isoTime(hour, minute, second)
            end = tokens[position - 1].range.upperBound
            let beforeZone = position
            if let zone = scanZone() {
                iso += zone
                end = tokens[position - 1].range.upperBound
            } else {
                position = beforeZone
            }
        } else {
            position = beforeTime
        }
        return Result(iso: iso, rawRange: start..<end)
    }

    // MARK: Dates

    private mutating func scanDate() -> (Int, Int, Int)? {
        let saved = position
        if let date = scanNumericDate() { return date }
        position = saved
        if let date = scanDayMonthYear() { return date }
        position = saved
        if let date = scanMonthDayYear() { return date }
        position = saved
        return nil
    }

    private mutating func scanNumericDate() -> (Int, Int, Int)? {
        guard case .number(let first, let firstDigits)? = kind(at: position) else { return nil }
        guard let separator = symbol(at: position + 1), Self.isOne(separator, of: "-/."),
            case .number(let second, let secondDigits)? = kind(at: position + 2), secondDigits <= 2,
            symbol(at: position + 3) == separator, case .number(let third, let thirdDigits)? = kind(at: position + 4)
        else { return nil }
        position += 5
        if firstDigits == 4 { return thirdDigits <= 2 ? (first, second, third) : nil }
        guard firstDigits <= 2, thirdDigits == 4 || (thirdDigits == 2 && separator == ".") else { return nil }
        let year = thirdDigits == 2 ? 2000 + third : third
        if separator == "." { return (year, second, first) }
        let monthFirst = (language ?? "en") == "en" ? first <= 12 : second > 12
        return monthFirst ? (year, first, second) : (year, second, first)
    }

    /// "9 December 2016", "9. Dezember 2016", "9th Dec. 2016", "9 de diciembre de 2016", "9 декабря 2016 г."
    private mutating func scanDayMonthYear() -> (Int, Int, Int)? {
        guard case .number(let day, let digits)? = kind(at: position), digits <= 2 else { return nil }
        position += 1
        skipSymbols(".º°ª")
        if let word = word(at: position), Self.dayOrdinals.contains(word) { position += 1 }
        skipWords(Self.particles)
        guard let month = scanMonthName() else { return nil }
        skipWords(Self.particles)
        skipSymbols(",")
        guard case .number(let year, 4)? = kind(at: position) else { return nil }
        position += 1
        if word(at: position) == "г" {
            position += 1
            skipSymbols(".")
        }
        return (year, month, day)
    }

    /// "December 9, 2016", "Dec. 9th, 2016"
    private mutating func scanMonthDayYear() -> (Int, Int, Int)? {
        guard let month = scanMonthName() else { return nil }
        guard case .number(let day, let digits)? = kind(at: position), digits <= 2 else { return nil }
        position += 1
        if let word = word(at: position), Self.englishOrdinals.contains(word) { position += 1 }
        skipSymbols(",")
        guard case .number(let year, 4)? = kind(at: position) else { return nil }
        position += 1
        return (year, month, day)
    }

    private mutating func scanMonthName() -> Int? {
        guard let word = word(at: position), let month = DateParser.months[word] else { return nil }
        position += 1
        skipSymbols(".")
        return month
    }

    // MARK: Times and zones

    private mutating func scanTime() -> (Int, Int, Int)? {
        guard case .number(var hour, let digits)? = kind(at: position), digits <= 2 else { return nil }
        var minute = 0
        var second = 0
        var next = position + 1
        if let separator = symbol(at: next), Self.isOne(separator, of: ":."),
            case .number(let value, 2)? = kind(at: next + 1)
        {
            minute = value
            next += 2
            if symbol(at: next) == ":", case .number(let value, 2)? = kind(at: next + 1) {
                second = value
                next += 2
                if symbol(at: next) == ".", case .number = kind(at: next + 1) { next += 2 }  // fraction
            }
        } else if word(at: next) == "h" {
            next += 1
            if case .number(let value, 2)? = kind(at: next) {
                minute = value
                next += 1
            }
        } else if meridiem(at: next) == nil {
            return nil
        }
        if let (isPM, width) = meridiem(at: next) {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (isPM ? 12 : 0)
            next += width
        }
        if let word = word(at: next), Self.hourWords.contains(word) { next += 1 }
        guard hour < 24, minute < 60, second < 60 else { return nil }
        position = next
        return (hour, minute, second)
    }

    /// "AM", "pm", "a.m.", "p. m.": (is PM, tokens used).
    private func meridiem(at index: Int) -> (Bool, Int)? {
        guard let word = word(at: index) else { return nil }
        if word == "am" || word == "pm" {
            return (word == "pm", symbol(at: index + 1) == "." ? 2 : 1)
        }
        if word == "a" || word == "p", symbol(at: index + 1) == ".", self.word(at: index + 2) == "m" {
            return (word == "p", symbol(at: index + 3) == "." ? 4 : 3)
        }
        return nil
    }

    private mutating func scanZone() -> String? {
        var wrapped = false
        if symbol(at: position) == "(" {
            wrapped = true
            position += 1
        }
        var zone: String? = nil
        if let word = word(at: position) {
            if word == "gmt" || word == "utc" || word == "z" {
                position += 1
                zone = scanOffset() ?? "Z"
            } else if let offset = DateParser.namedZones[word] {
                position += 1
                zone = offset
            }
        } else {
            zone = scanOffset()
        }
        if wrapped {
            guard zone != nil, symbol(at: position) == ")" else { return nil }
            position += 1
        }
        return zone
    }

    /// "+01:00", "+0100", "-5", "+2" after GMT/UTC.
    private mutating func scanOffset() -> String? {
        guard let sign = symbol(at: position), Self.isOne(sign, of: "+-−"),
            case .number(let value, let digits)? = kind(at: position + 1)
        else { return nil }
        var hours = value
        var minutes = 0
        var used = 2
        if digits == 4 {
            hours = value / 100
            minutes = value % 100
        } else if digits <= 2 {
            if symbol(at: position + 2) == ":", case .number(let value, 2)? = kind(at: position + 3) {
                minutes = value
                used = 4
            }
        } else {
            return nil
        }
        guard hours <= 14, minutes < 60 else { return nil }
        position += used
        if hours == 0 && minutes == 0 { return "Z" }
        return "\(sign == "+" ? "+" : "-")\(Self.pad(hours, 2)):\(Self.pad(minutes, 2))"
    }

    // MARK: Helpers

    private static let connectors: Set<String> = [
        "at", "um", "à", "a", "las", "la", "alle", "ore", "om", "às", "в", "kl", "о", "t", "ás", "de",
    ]
    private static let particles: Set<String> = ["de", "del"]
    private static let dayOrdinals: Set<String> = ["st", "nd", "rd", "th", "er", "e", "o", "a"]
    private static let englishOrdinals: Set<String> = ["st", "nd", "rd", "th"]
    private static let hourWords: Set<String> = ["uhr", "h", "hrs", "horas", "ore", "uur"]

    private static func isOne(_ scalar: Unicode.Scalar, of characters: String) -> Bool {
        characters.unicodeScalars.contains(scalar)
    }

    private mutating func skipConnectors() {
        while position < tokens.count {
            if let symbol = tokens[position].symbol, Self.isOne(symbol, of: ",-–—|·/") {
                position += 1
            } else if let word = word(at: position), Self.connectors.contains(word) {
                position += 1
            } else {
                return
            }
        }
    }

    private mutating func skipSymbols(_ characters: String) {
        while position < tokens.count, let symbol = tokens[position].symbol, Self.isOne(symbol, of: characters) {
            position += 1
        }
    }

    private mutating func skipWords(_ words: Set<String>) {
        while let word = word(at: position), words.contains(word) { position += 1 }
    }

    private func kind(at index: Int) -> DateToken.Kind? { index < tokens.count ? tokens[index].kind : nil }
    private func word(at index: Int) -> String? { index < tokens.count ? tokens[index].word : nil }
    private func symbol(at index: Int) -> Unicode.Scalar? { index < tokens.count ? tokens[index].symbol : nil }

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1900...2100).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// "YYYY-MM-DD".
    static func isoDate(_ year: Int, _ month: Int, _ day: Int) -> String {
        digits([
            year / 1000 % 10, year / 100 % 10, year / 10 % 10, year % 10, -1, month / 10, month % 10, -1, day / 10,
            day % 10,
        ])
    }

    /// "THH:MM:SS".
    static func isoTime(_ hour: Int, _ minute: Int, _ second: Int) -> String {
        "T" + digits([hour / 10, hour % 10, -2, minute / 10, minute % 10, -2, second / 10, second % 10])
    }

    /// Digits, with -1 as "-" and -2 as ":".
    private static func digits(_ values: [Int]) -> String {
        String(
            decoding: values.map { $0 == -1 ? UInt8(ascii: "-") : $0 == -2 ? UInt8(ascii: ":") : UInt8(0x30 + $0) },
            as: UTF8.self)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
