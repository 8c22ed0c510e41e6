import Foundation
import PageParsing
import Testing

/// Article-level duplicates across the whole store, and across restarts.
@Suite("duplicate articles")
struct DuplicateTests {
    /// A long body (so one changed word moves the SimHash only a few bits).
    static func body(_ changed: String = "harbour") -> String {
        var words: [String] = []
        for index in 0..<400 {
            words.append(
                ["council", "vote", "budget", "river", "market", "school", "road"][index % 7] + "\(index % 53)")
        }
        words[200] = changed
        return words.joined(separator: " ") + "."
    }

    @Test("identical bodies are stored once; near-identical ones get duplicate_of, also after a restart")
    func acrossStoreAndRestart() throws {
        let near = SimHash.distance(SimHash.compute(Self.body()), SimHash.compute(Self.body("harbor")))
        try #require(near <= 3, "the fixture's near duplicate is \(near) bits away")
        let tree = TempTree()
        var daemon = try DaemonProcess.start(tree)
        tree.drop("a.txt", "First headline\n\n" + Self.body() + "\n")
        try waitUntil("a processed", timeout: 20, log: { daemon.log }) { tree.count(tree.processed) == 1 }
        tree.drop("b.txt", "Another headline, same story\n\n" + Self.body() + "\n")  // same body
        tree.drop("c.txt", "Third headline\n\n" + Self.body("harbor") + "\n")  // one word differs
        try waitUntil("3 processed", timeout: 20, log: { daemon.log }) { tree.count(tree.processed) == 3 }
        var records = tree.records()
        #expect(records.count == 2)
        let first = try #require(records.first { $0["title"] as? String == "First headline" })
        let third = try #require(records.first { $0["title"] as? String == "Third headline" })
        #expect(third["duplicate_of"] as? String == first["id"] as? String)
        #expect(first["duplicate_of"] is NSNull)
        let status = try ControlTests.statusJSON(tree.socket)
        #expect(status["articles_duplicate_skipped"] as? Int == 1)
        #expect(status["articles_near_duplicate"] as? Int == 1)
        #expect(try daemon.stop() == 0)

        // The index survives the restart: the same body again is still a duplicate.
        daemon = try DaemonProcess.start(tree)
        tree.drop("d.txt", "Fourth headline\n\n" + Self.body() + "\n")
        tree.drop("e.txt", "Fifth headline\n\n" + Self.body("harbor") + "\n")
        try waitUntil("5 processed", timeout: 20, log: { daemon.log }) { tree.count(tree.processed) == 5 }
        records = tree.records()
        #expect(records.count == 2)  // d and e carry no new body
        #expect(try daemon.stop() == 0)
    }

    @Test("a lost fingerprint index is rebuilt from the store at start-up")
    func indexRebuiltFromStore() throws {
        let tree = TempTree()
        var daemon = try DaemonProcess.start(tree)
        for index in 0..<5 {
            let unrelated = (0..<300).map { "w\(index)x\($0 % 97)" }.joined(separator: " ")
            tree.drop("other\(index).txt", "Other \(index)\n\n" + unrelated + ".\n")
        }
        tree.drop("a.txt", "First headline\n\n" + Self.body() + "\n")
        try waitUntil("6 processed", timeout: 20, log: { daemon.log }) { tree.count(tree.processed) == 6 }
        #expect(try daemon.stop() == 0)
        let index = tree.state + "/store/fingerprints.idx"
        #expect(FileManager.default.fileExists(atPath: index))
        try FileManager.default.removeItem(atPath: index)

        daemon = try DaemonProcess.start(tree)
        tree.drop("d.txt", "Same body again\n\n" + Self.body() + "\n")
        try waitUntil("7 processed", timeout: 20, log: { daemon.log }) { tree.count(tree.processed) == 7 }
        tree.drop("e.txt", "Near body\n\n" + Self.body("harbor") + "\n")
        try waitUntil("8 processed", timeout: 20, log: { daemon.log }) { tree.count(tree.processed) == 8 }
        let records = tree.records()
        #expect(records.count == 7)  // d is an exact duplicate of a; e is kept as a near one
        let first = try #require(records.first { $0["title"] as? String == "First headline" })
        let near = try #require(records.first { $0["title"] as? String == "Near body" })
        #expect(near["duplicate_of"] as? String == first["id"] as? String)
        #expect(FileManager.default.fileExists(atPath: index))
        #expect(try daemon.stop() == 0)
    }

    @Test("near duplicates are not stored when duplicates.near is skip")
    func skipNear() throws {
        let tree = TempTree()
        let config = tree.config("duplicates:\n  near: skip\n")
        let daemon = try DaemonProcess.start(tree, extra: ["--config", config])
        tree.drop("a.txt", "First\n\n" + Self.body() + "\n")
        try waitUntil("a processed", timeout: 20, log: { daemon.log }) { tree.count(tree.processed) == 1 }
        tree.drop("c.txt", "Near\n\n" + Self.body("harbor") + "\n")
        tree.drop("f.txt", "Different\n\nA different story about a ferry timetable and a bakery.\n")
        try waitUntil("3 processed", timeout: 20, log: { daemon.log }) { tree.count(tree.processed) == 3 }
        let titles = Set(tree.records().compactMap { $0["title"] as? String })
        #expect(titles == ["First", "Different"])
        #expect(try daemon.stop() == 0)
    }
}
