import RecordStore

/// Fills a store with synthetic records through the store's own `append`, as ingestd would have
/// committed them: one record per input, distinct content keys, batches of `batch` inputs. Each
/// record has the fields ingestd writes (id, fingerprint, source, …) with a short body, so that
/// what the daemon loads at start-up from its records (such as duplicate fingerprints) is real.
enum SyntheticStore {
    static func build(directory: String, records: Int, batch: Int = 1000) throws {
        let store = try RecordStore(directory: directory)
        var entries: [StoreEntry] = []
        entries.reserveCapacity(batch)
        for number in 0..<records {
            entries.append(StoreEntry(key: key(number), lines: Array(line(number).utf8), recordCount: 1))
            if entries.count == batch || number == records - 1 {
                try store.append(entries)
                entries.removeAll(keepingCapacity: true)
            }
        }
    }

    /// 32 sha256-like bytes derived from `number`. The first 8 bytes come from a bijection, so the
    /// store's 8-byte key prefixes never collide.
    static func key(_ number: Int) -> ContentKey {
        ContentKey((0..<4).flatMap { bigEndianBytes(word(number, lane: $0)) })
    }

    /// One JSON line shaped like an ingestd record (about 700 bytes).
    static func line(_ number: Int) -> String {
        let id = hex(word(number, lane: 4)) + hex(word(number, lane: 5))
        let bodySHA = (6..<10).map { hex(word(number, lane: $0)) }.joined()
        let inputSHA = (0..<4).map { hex(word(number, lane: $0)) }.joined()
        return "{\"id\":\"\(id)\",\"schema_version\":1,\"title\":\"Synthetic record \(number)\",\"published\":null,"
            + "\"published_raw\":null,\"updated\":null,\"authors\":[],\"tags\":[],\"keywords\":[],\"summary\":null,"
            + "\"body\":\"Synthetic body of record \(number), written by ingest-bench to measure start-up.\","
            + "\"headings\":[],\"related\":[],\"credit\":null,\"publisher\":null,\"copyright\":null,\"language\":\"en\","
            + "\"word_count\":11,\"fingerprint\":{\"sha256\":\"\(bodySHA)\",\"simhash\":\"\(hex(word(number, lane: 10)))\"},"
            + "\"listing\":null,\"duplicate_of\":null,\"warnings\":[],\"source\":{\"file\":\"synthetic-\(number).txt\","
            + "\"sha256\":\"\(inputSHA)\",\"bytes\":4096,\"format\":\"text\",\"encoding\":\"utf-8\","
            + "\"received_at\":\"2026-01-01T00:00:00.000Z\",\"parser\":\"synthetic\",\"parser_version\":\"1\","
            + "\"index\":0}}\n"
    }

    /// Well-mixed 64-bit value number `lane` of record `number` (lane 0 is a bijection of `number`).
    private static func word(_ number: Int, lane: Int) -> UInt64 {
        SplitMix64.mix(UInt64(number) &+ UInt64(lane) &* 0x9E37_79B9_7F4A_7C15)
    }

    private static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// 16 lowercase hex digits.
    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
