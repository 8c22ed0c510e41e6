import IngestModel
import Testing

@Suite("article draft")
struct ArticleDraftTests {
    @Test("paragraphs set in one piece read back as the list, make the same body, and compare equal")
    func joinedParagraphs() {
        let list = ["First paragraph, with a comma.", "Zweiter Absatz: äöü.", "Third."]
        var listed = ArticleDraft()
        listed.paragraphs = list
        var joined = ArticleDraft()
        joined.setParagraphs(joined: list.joined(separator: "\n\n"))
        #expect(joined.paragraphs == list)
        #expect(joined.body == listed.body)
        #expect(joined.body == "First paragraph, with a comma.\n\nZweiter Absatz: äöü.\n\nThird.")
        #expect(joined == listed)

        joined.paragraphs = ["Other."]  // a list set afterwards replaces the joined form
        #expect(joined.body == "Other.")
        #expect(joined != listed)

        var empty = ArticleDraft()
        empty.setParagraphs(joined: "")
        #expect(empty.paragraphs.isEmpty)
        #expect(empty.body.isEmpty)
        #expect(empty == ArticleDraft())
    }
}
