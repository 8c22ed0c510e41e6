#if canImport(Glibc)
    import Glibc
#endif

/// Generated input files waiting in a staging directory on the inbox's file system.
struct Corpus {
    /// File names, in drop order.
    let names: [String]
    let totalBytes: Int

    /// Writes articles `numbers` of `generator` into `directory` as `article-NNNNNNNNNN.txt`.
    static func generate(_ generator: ArticleGenerator, numbers: Range<Int>, into directory: String) throws -> Corpus {
        let directoryFD = try FileSystem.openDirectory(directory)
        defer { close(directoryFD) }
        var names: [String] = []
        names.reserveCapacity(numbers.count)
        var total = 0
        for number in numbers {
            let name = fileName(number)
            let bytes = generator.article(number)
            try FileSystem.write(bytes, named: name, in: directoryFD)
            names.append(name)
            total += bytes.count
        }
        return Corpus(names: names, totalBytes: total)
    }

    static func fileName(_ number: Int) -> String {
        let digits = String(number)
        return "article-" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits + ".txt"
    }
}

/// Moves staged files into an inbox by rename: atomic, so the daemon never sees a partial file.
final class Dropper {
    private let stagingFD: Int32
    private let inboxFD: Int32

    init(staging: String, inbox: String) throws {
        stagingFD = try FileSystem.openDirectory(staging)
        do { inboxFD = try FileSystem.openDirectory(inbox) } catch {
            close(stagingFD)
            throw error
        }
    }

    deinit {
        close(stagingFD)
        close(inboxFD)
    }

    /// Renames `name` from staging into the inbox; returns the monotonic time just before the rename.
    func drop(_ name: String) throws -> UInt64 {
        let at = MonotonicClock.now()
        guard renameat(stagingFD, name, inboxFD, name) == 0 else { throw BenchError.system("cannot drop \(name)") }
        return at
    }
}
