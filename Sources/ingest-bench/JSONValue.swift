/// A JSON document for `--json`, rendered compactly with keys in the order given.
enum JSONValue {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case integer(Int)
    case bool(Bool)
    case null

    /// `value` as a number, or null when absent or not finite.
    static func from(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .number(value)
    }

    /// `value`, or null when absent.
    static func from(_ value: Int?) -> JSONValue { value.map(JSONValue.integer) ?? .null }

    /// `value`, or null when absent.
    static func from(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    var rendered: String {
        switch self {
        case .object(let members):
            return "{" + members.map { Self.quoted($0.0) + ":" + $0.1.rendered }.joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map(\.rendered).joined(separator: ",") + "]"
        case .string(let text): return Self.quoted(text)
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
        case .integer(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        }
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
