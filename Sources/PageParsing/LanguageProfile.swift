/// The words that steer language detection and the flattened-body heuristics for one language.
struct LanguageProfile: Sendable {
    /// ISO 639-1 code written into records.
    let code: String
    /// Short, frequent words: language detection counts them.
    let stopWords: [String]
    /// Function words, sentence starters, non-heading starts and finite verbs (see `WordClasses`).
    let lexicon: Lexicon
    /// True where every noun is capitalized (German): capitalization says little about sentence starts.
    let capitalizesNouns: Bool
    /// Regular past-tense suffix ("ed" in English): a heading never ends with such a verb.
    let pastTenseSuffix: String?

    init(
        code: String, functionWords: String, sentenceStarters: String, nonHeadingStarts: String, finiteVerbs: String,
        extraStopWords: String, capitalizesNouns: Bool = false, pastTenseSuffix: String? = nil
    ) {
        self.code = code
        self.lexicon = Lexicon([
            (functionWords, .functionWord), (sentenceStarters, .sentenceStarter), (nonHeadingStarts, .nonHeadingStart),
            (finiteVerbs, .finiteVerb),
        ])
        self.capitalizesNouns = capitalizesNouns
        self.pastTenseSuffix = pastTenseSuffix
        let words = (functionWords + " " + finiteVerbs + " " + extraStopWords).split(separator: " ")
        self.stopWords = Array(Set(words.map { String($0) }))
    }

    static let english = LanguageProfile(
        code: "en",
        functionWords: """
            a an the of on in at to for with and or but by from as into over under about than that this these those \
            his her its their our my your not no nor so if via per up out off after before during without within \
            against between among upon onto toward towards other such some any all each every more most
            """,
        sentenceStarters: """
            the a an in on at during following though although despite but however after before when while as since \
            according both some several many he she it they we this that these those there his her their its our \
            one if thus meanwhile yet still instead also for from with by under over among
            """,
        nonHeadingStarts:
            "he she it they we i you although though while because since whereas unless if when but and or so as according",
        finiteVerbs:
            "said says told tells added adds noted asked is are was were has have had will would can could should may might must did does",
        extraStopWords: "be been which who also were they this not",
        pastTenseSuffix: "ed")

    static let german = LanguageProfile(
        code: "de",
        functionWords: """
            der die das den dem des ein eine einen einem einer eines und oder aber mit von vom zu zum zur auf aus bei \
            nach für über unter vor im am als wie um durch gegen ohne bis seit nicht kein keine sein seine ihr ihre dass
            """,
        sentenceStarters: """
            der die das ein eine einen im am auf nach vor während trotz doch aber jedoch als wenn weil seit laut bereits \
            zudem dabei er sie es wir man dies diese dieser dieses mit für bei von zu seine ihre unter über
            """,
        nonHeadingStarts: "er sie es wir ich du man weil obwohl während wenn aber und oder denn dass laut",
        finiteVerbs:
            "sagte sagt erklärte erklärt ist sind war waren hat haben hatte hatten wird werden wurde wurden kann können soll sollen muss müssen",
        extraStopWords: "sich auch noch nur schon wurde werden",
        capitalizesNouns: true)

    static let french = LanguageProfile(
        code: "fr",
        functionWords: """
            le la les l un une des du de d et ou mais avec pour par sur sous dans en au aux à ce cette ces son sa ses \
            leur leurs que qui ne pas plus entre vers chez sans
            """,
        sentenceStarters: """
            le la les un une des dans en au aux à après avant pendant malgré mais cependant selon depuis alors ainsi il \
            elle ils elles on nous ce cette ces son sa ses leur pour par avec sur lors dès
            """,
        nonHeadingStarts: "il elle ils elles on je nous vous mais et ou car parce puisque quand lorsque si selon",
        finiteVerbs: "a dit déclaré est sont était étaient ont avait avaient sera seront peut doit",
        extraStopWords: "été aussi comme nous leur")

    static let spanish = LanguageProfile(
        code: "es",
        functionWords: """
            el la los las un una unos unas de del y o pero con para por en al a su sus que se no entre sobre sin hacia \
            desde hasta lo
            """,
        sentenceStarters: """
            el la los las un una en durante tras después antes pero sin embargo según desde además también él ella \
            ellos nosotros este esta estos estas su sus para por con sobre al del mientras aunque
            """,
        nonHeadingStarts: "él ella ellos ellas yo nosotros pero y o porque aunque cuando si según mientras",
        finiteVerbs: "dijo afirmó es son era eran fue fueron ha han había habían será serán puede pueden debe",
        extraStopWords: "como más muy también este esta")

    static let italian = LanguageProfile(
        code: "it",
        functionWords: """
            il lo la i gli le un una uno di del della dei delle degli e o ma con per da in nel nella a al alla su sul \
            che non tra fra
            """,
        sentenceStarters: """
            il lo la i gli le un una uno in durante dopo prima ma tuttavia secondo da inoltre anche lui lei loro questo \
            questa questi queste suo sua per con su nel nella mentre
            """,
        nonHeadingStarts: "lui lei loro io noi ma e o perché sebbene quando se secondo mentre",
        finiteVerbs: "ha hanno disse detto è sono era erano fu sarà saranno può possono deve",
        extraStopWords: "anche come più questo questa stato essere")

    static let dutch = LanguageProfile(
        code: "nl",
        functionWords: """
            de het een en of maar met van voor op in aan bij naar uit om door over te tot zijn haar hun dat die niet
            """,
        sentenceStarters: """
            de het een in tijdens na voor maar echter volgens sinds ook hij zij ze we wij dit deze dat die zijn haar \
            hun met op bij om
            """,
        nonHeadingStarts: "hij zij ze wij we ik maar en of omdat hoewel wanneer als volgens terwijl",
        finiteVerbs:
            "zei zegt is zijn was waren heeft hebben had hadden wordt worden werd werden zal zullen kan kunnen moet",
        extraStopWords: "ook nog wel er deze dit")

    static let portuguese = LanguageProfile(
        code: "pt",
        functionWords: """
            o a os as um uma de do da dos das e ou mas com para por em no na nos nas ao à que não se entre sobre sem
            """,
        sentenceStarters: """
            o a os as um uma em durante após depois antes mas porém segundo desde além também ele ela eles elas este \
            esta estes estas seu sua para por com sobre no na nos nas
            """,
        nonHeadingStarts: "ele ela eles elas eu nós mas e ou porque embora quando se segundo enquanto",
        finiteVerbs: "disse afirmou é são era eram foi foram tem têm tinha será serão pode podem deve",
        extraStopWords: "mais também como pelo pela seu sua")

    static let russian = LanguageProfile(
        code: "ru",
        functionWords: "и в во не на с со к по из за от о об у для но а или что как это",
        sentenceStarters: """
            в на по после до но однако согласно также он она они мы это этот эта эти его ее их с для при
            """,
        nonHeadingStarts: "он она они мы я но и или потому хотя когда если согласно пока",
        finiteVerbs: "сказал сказала заявил заявила является был была были будет будут может могут должен",
        extraStopWords: "его уже также так же при после")

    /// Every supported language, in detection priority order (ties go to the earlier one).
    static let all: [LanguageProfile] = [english, german, french, spanish, italian, dutch, portuguese, russian]

    /// The profile for an ISO 639-1 code; English when the language is unknown.
    static func forCode(_ code: String?) -> LanguageProfile {
        all.first { $0.code == code } ?? english
    }
}

/// What a word is in a language's lexicon; a word can be several of these.
struct WordClasses: OptionSet, Sendable {
    let rawValue: UInt8

    /// Articles, prepositions, conjunctions, determiners: a heading never ends with one, and they
    /// do not count as a heading's content words.
    static let functionWord = WordClasses(rawValue: 1 << 0)
    /// Capitalized, these begin a sentence: a boundary before one is strong evidence.
    static let sentenceStarter = WordClasses(rawValue: 1 << 1)
    /// Pronouns and conjunctions: a heading never begins with one.
    static let nonHeadingStart = WordClasses(rawValue: 1 << 2)
    /// Reporting verbs and auxiliaries: a heading never contains one.
    static let finiteVerb = WordClasses(rawValue: 1 << 3)
}

/// A language's word lists as one table from the hash of a lowercased word (`WordHash.folded`)
/// to its classes, so one look-up answers every list.
struct Lexicon: Sendable {
    private var table: HashCounter

    /// Builds from space-separated word lists and the class of each list's words.
    init(_ lists: [(words: String, classes: WordClasses)]) {
        var classes: [UInt64: UInt8] = [:]
        for (words, wordClasses) in lists {
            for word in words.split(separator: " ") {
                classes[WordHash.folded(String(word)), default: 0] |= wordClasses.rawValue
            }
        }
        table = HashCounter(capacity: classes.count)
        for (hash, wordClasses) in classes { table.add(hash, Int32(wordClasses)) }
    }

    /// The classes of the word with hash `hash` (empty for a word in no list).
    @inline(__always)
    func classes(of hash: UInt64) -> WordClasses { WordClasses(rawValue: UInt8(truncatingIfNeeded: table.value(hash))) }
}
