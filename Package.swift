// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "ingestd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ingestd", targets: ["ingestd"]),
        .executable(name: "ingestctl", targets: ["ingestctl"]),
        .executable(name: "ingest-bench", targets: ["ingest-bench"]),
        .executable(name: "parse-bench", targets: ["parse-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The article record and its JSON Lines encoding. No I/O.
        .target(name: "IngestModel", dependencies: ["CByteScan"], swiftSettings: strict),
        // Byte-class scans of text with SSE2 (bit masks from vector comparisons), for the parser
        // and the JSON writer; SimHash's word and shingle hashing eight lanes at a time where the
        // CPU has AVX-512.
        .target(name: "CByteScan"),
        // Page parsing: bytes in, article records out. No I/O.
        .target(name: "PageParsing", dependencies: ["IngestModel", "CByteScan"], swiftSettings: strict),
        // The CPU's CRC32C instruction (SSE4.2), for the store's checksums.
        .target(name: "CCRC32C"),
        // Append-only JSON Lines segments, the commit index, recovery. Knows nothing of inotify.
        .target(name: "RecordStore", dependencies: ["CCRC32C"], swiftSettings: strict),
        // inotify on a Dispatch read source. Knows nothing of parsing or the store.
        .target(name: "InboxWatcher", dependencies: ["CEpoll"], swiftSettings: strict),
        /// epoll(7) for the watcher's relay (the Glibc module leaves it out).
        .systemLibrary(name: "CEpoll"),
        // libsystemd: sd_notify, the watchdog, the journal.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // Daemon plumbing: sd_notify (readiness, status, watchdog, reload), log handlers (stderr lines, journal).
        .target(
            name: "DaemonSupport",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The control protocol: request and response types, decoding rules. No I/O.
        .target(name: "ControlProtocol", swiftSettings: strict),
        // The control socket: a Unix stream socket on Dispatch, with limits and peer credentials.
        .target(name: "ControlServer", dependencies: ["ControlProtocol"], swiftSettings: strict),
        // Configuration, the ingest pipeline and the file lifecycle: wires the modules above.
        .target(
            name: "IngestService",
            dependencies: [
                "IngestModel", "PageParsing", "RecordStore", "InboxWatcher", "DaemonSupport", "ControlServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ingestd",
            dependencies: [
                "IngestService", "DaemonSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ingestctl",
            dependencies: [
                "RecordStore", "ControlProtocol", "IngestService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ingest-bench",
            dependencies: [
                "RecordStore",
                "ingestd",  // so that building the bench (or `swift run` of it) also builds the daemon it runs
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Single-core parse throughput of NewsPageParser on the parser fixtures and the shared seeds.
        .executableTarget(name: "parse-bench", dependencies: ["PageParsing", "IngestModel"], swiftSettings: strict),
        .testTarget(name: "IngestModelTests", dependencies: ["IngestModel"], swiftSettings: strict),
        .testTarget(name: "ByteScanTests", dependencies: ["CByteScan"], swiftSettings: strict),
        .testTarget(
            name: "PageParsingTests",
            dependencies: ["PageParsing", "IngestModel"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(name: "RecordStoreTests", dependencies: ["RecordStore"], swiftSettings: strict),
        .testTarget(
            name: "IngestServiceTests",
            dependencies: [
                "IngestService", "InboxWatcher", "DaemonSupport", "ControlProtocol", "RecordStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The bench's own accounting (CPU time, medians, the floor's output).
        .testTarget(name: "IngestBenchTests", dependencies: ["ingest-bench"], swiftSettings: strict),
        // End-to-end tests: run the real ingestd binary on temporary directories.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ingestd", "ingestctl", "PageParsing"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
