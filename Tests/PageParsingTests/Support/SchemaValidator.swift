/// A JSON Schema (draft 2020-12) validator for the keywords docs/record.schema.json uses: `type`
/// (a name or an array of names), `required`, `properties`, `additionalProperties` (boolean or
/// schema), `items`, `enum`, `pattern` and `minimum`. Annotations (`$schema`, `$id`, `title`,
/// `description`, `$comment`) are ignored; any other keyword is reported as unsupported, so the
/// schema cannot silently rely on something this validator does not check.
struct SchemaValidator {
    let schema: TestJSON

    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "$comment"]
    static let supported: Set<String> = [
        "type", "required", "properties", "additionalProperties", "items", "enum", "pattern", "minimum",
    ]

    /// Every violation, as "path: message"; empty when `instance` is valid.
    func errors(_ instance: TestJSON) -> [String] {
        var errors: [String] = []
        validate(instance, against: schema, path: "$", into: &errors)
        return errors
    }

    private func validate(_ instance: TestJSON, against schema: TestJSON, path: String, into errors: inout [String]) {
        guard case .object(let keywords) = schema else {
            if schema == .bool(false) { errors.append("\(path): no value is allowed here") }
            return
        }
        for (keyword, value) in keywords {
            if Self.annotations.contains(keyword) { continue }
            guard Self.supported.contains(keyword) else {
                errors.append("\(path): unsupported schema keyword \(keyword)")
                continue
            }
            switch keyword {
            case "type":
                let names = value.arrayValue?.compactMap(\.stringValue) ?? [value.stringValue ?? ""]
                if !names.contains(where: { Self.instance(instance, hasType: $0) }) {
                    errors.append("\(path): expected \(names.joined(separator: " or ")), got \(instance)")
                }
            case "required":
                guard case .object(let members) = instance else { continue }
                for name in value.arrayValue?.compactMap(\.stringValue) ?? []
                where !members.contains(where: { $0.key == name }) {
                    errors.append("\(path): missing required property \(name)")
                }
            case "properties":
                guard case .object(let members) = instance, case .object(let properties) = value else { continue }
                for (name, propertySchema) in properties {
                    if let member = members.first(where: { $0.key == name }) {
                        validate(member.value, against: propertySchema, path: path + "." + name, into: &errors)
                    }
                }
            case "additionalProperties":
                guard case .object(let members) = instance else { continue }
                let declared = Set(
                    (schema["properties"].flatMap { properties -> [String]? in
                        if case .object(let list) = properties { return list.map(\.key) }
                        return nil
                    }) ?? [])
                for member in members where !declared.contains(member.key) {
                    if value == .bool(false) {
                        errors.append("\(path): property \(member.key) is not allowed")
                    } else {
                        validate(member.value, against: value, path: path + "." + member.key, into: &errors)
                    }
                }
            case "items":
                guard case .array(let elements) = instance else { continue }
                for (index, element) in elements.enumerated() {
                    validate(element, against: value, path: "\(path)[\(index)]", into: &errors)
                }
            case "enum":
                if !(value.arrayValue ?? []).contains(instance) {
                    errors.append("\(path): \(instance) is not one of \(value)")
                }
            case "pattern":
                guard case .string(let text) = instance, let pattern = value.stringValue else { continue }
                do {
                    let regex = try Regex(pattern)
                    if text.firstMatch(of: regex) == nil {
                        errors.append("\(path): \"\(text)\" does not match \(pattern)")
                    }
                } catch {
                    errors.append("\(path): invalid pattern \(pattern)")
                }
            case "minimum":
                let limit: Double
                switch value {
                case .integer(let integer): limit = Double(integer)
                case .number(let number): limit = number
                default: continue
                }
                if let number = instance.doubleValue, number < limit {
                    errors.append("\(path): \(instance) is below the minimum \(limit)")
                }
            default: break
            }
        }
    }

    static func instance(_ instance: TestJSON, hasType name: String) -> Bool {
        switch (name, instance) {
        case ("null", .null), ("boolean", .bool), ("integer", .integer), ("number", .integer), ("number", .number),
            ("string", .string), ("array", .array), ("object", .object):
            return true
        default:
            return false
        }
    }
}

extension TestJSON {
    var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }
}
