import ControlProtocol
import Foundation

/// Renders `status` for people: aligned labels, numbers with thousands separators and units.
enum StatusFormatter {
    static func render(_ status: JSONValue) -> String {
        var rows: [(String, String)] = []
        func number(_ key: String) -> Int { status[key]?.int ?? 0 }
        rows.append(("state", status["state"]?.string ?? "unknown"))
        rows.append(("version", (status["version"]?.string ?? "?") + " (pid \(number("pid")))"))
        rows.append(("uptime", duration(number("uptime_seconds"))))
        rows.append(("config", status["config_file"]?.string ?? "(built-in defaults)"))
        let waiting = status["files_waiting"]?.int.map { grouped($0) } ?? "?"
        rows.append(
            (
                "inbox",
                "\(status["inbox"]?.string ?? "?") (\(waiting) waiting, \(grouped(number("files_queued"))) queued)"
            ))
        rows.append(
            (
                "processed",
                "\(files(number("files_processed"))), \(grouped(number("duplicates_skipped"))) duplicates skipped"
            ))
        rows.append(("failed", files(number("files_failed"))))
        rows.append(("articles", "\(grouped(number("articles_written"))) written since start"))
        if let store = status["store"] {
            let segments = store["segments"]?.int ?? 0
            rows.append(
                (
                    "store",
                    "\(bytes(store["bytes"]?.int ?? 0)) in \(segments) segment\(segments == 1 ? "" : "s"), \(grouped(store["records"]?.int ?? 0)) records"
                ))
        }
        if let rates = status["throughput_files_per_second"] {
            let parts = ["1m", "5m", "15m"].map { "\($0) \(rate(rates[$0]?.number ?? 0))" }
            rows.append(("throughput", parts.joined(separator: " · ") + " files/s"))
        }
        if let latency = status["latency_ms"], case .object = latency {
            rows.append(
                (
                    "latency",
                    "p50 \(milliseconds(latency["p50"]?.number ?? 0)) · p99 \(milliseconds(latency["p99"]?.number ?? 0)) (drop to durable)"
                ))
        } else {
            rows.append(("latency", "no files yet"))
        }
        if let degraded = status["degraded"]?.string { rows.append(("degraded", degraded)) }
        rows.append(("last error", status["last_error"]?.string ?? "none"))
        for problem in status["store_problems"]?.array ?? [] { rows.append(("store problem", problem.string ?? "")) }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }.joined(
            separator: "\n")
    }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(abs(value)))
        var out = value < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }

    static func files(_ count: Int) -> String { "\(grouped(count)) file\(count == 1 ? "" : "s")" }

    static func bytes(_ value: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", amount, units[unit])
    }

    static func rate(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.2f", value)
    }

    static func milliseconds(_ value: Double) -> String { String(format: "%.1f ms", value) }

    static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m \(seconds % 60)s" }
        if seconds < 86400 { return "\(seconds / 3600)h \(seconds % 3600 / 60)m" }
        return "\(seconds / 86400)d \(seconds % 86400 / 3600)h"
    }
}
