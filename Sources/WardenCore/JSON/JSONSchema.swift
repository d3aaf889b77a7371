import Foundation

/// One way a JSON value fails its schema (or a schema fails strict mode).
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// Where, as a JSONPath from the root `$`: `$.scores.hate`, `$.matches[2].rule`, `$["odd key"]`.
    public var path: String
    /// What is wrong, e.g. `expected integer, got number 0.5`.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Validates JSON values against the JSON Schema subset that OpenAI's strict structured outputs use, so a
/// model's answer is checked on our side even when the provider claims to enforce the schema (local servers
/// often do not).
///
/// Supported keywords: `type` (a name or an array of names; `integer` is a whole number, `number` any
/// number), `properties`, `required`, `additionalProperties` (`false`, `true` or a schema), `items`, `enum`,
/// `const`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (numbers; the draft-4 boolean form is
/// understood too), `minLength`/`maxLength` (counted in Characters, i.e. grapheme clusters), `minItems`,
/// `maxItems`, `anyOf`, and local references (`$ref` of `#`, `#/$defs/...`, `#/definitions/...`), which strict
/// mode allows for recursive schemas. Boolean schemas (`true`, `false`) work anywhere a schema does.
/// Everything else (`pattern`, `format`, `description`, ...) is ignored, as are keywords whose own value
/// has the wrong type: this checks answers, not schemas.
public enum JSONSchema {
    /// Every violation of `schema` by `value`, in document order; empty when the value is valid.
    public static func validate(_ value: JSONValue, against schema: JSONValue) -> [SchemaViolation] {
        var validator = Validator(root: schema)
        validator.check(value, schema, path: "$", refDepth: 0)
        return validator.violations
    }

    /// What OpenAI's strict mode would reject in `schema`: the root must be an object schema (not `anyOf`),
    /// and every object schema must set `additionalProperties: false` and list every property in
    /// `required` (optional fields are expressed as a union with `null` instead). Paths point into the
    /// schema, e.g. `$.properties.scores`.
    public static func strictModeProblems(_ schema: JSONValue) -> [SchemaViolation] {
        var problems: [SchemaViolation] = []
        guard case .object(let root) = schema else {
            return [SchemaViolation(path: "$", message: "the root schema must be an object schema, got \(schema.typeName)")]
        }
        if root["anyOf"] != nil {
            problems.append(SchemaViolation(path: "$", message: "the root schema must not be anyOf"))
        }
        if !Self.types(of: root).contains("object") {
            problems.append(SchemaViolation(path: "$", message: "the root schema must have type \"object\""))
        }
        strictWalk(schema, path: "$", into: &problems)
        return problems
    }

    // MARK: - Strict mode

    private static func strictWalk(_ schema: JSONValue, path: String, into problems: inout [SchemaViolation]) {
        guard case .object(let s) = schema else { return }
        let properties = s["properties"]?.objectValue
        if types(of: s).contains("object") || properties != nil {
            if s["additionalProperties"] != .bool(false) {
                problems.append(SchemaViolation(path: path, message: "additionalProperties must be false"))
            }
            let required = Set(s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let missing = (properties?.keys.sorted() ?? []).filter { !required.contains($0) }
            if !missing.isEmpty {
                problems.append(SchemaViolation(
                    path: path, message: "every property must be required; missing: " + missing.joined(separator: ", ")))
            }
        }
        if let properties {
            for key in properties.keys.sorted() {
                if let sub = properties[key] { strictWalk(sub, path: path + ".properties" + member(key), into: &problems) }
            }
        }
        if let additional = s["additionalProperties"], case .object = additional {
            strictWalk(additional, path: path + ".additionalProperties", into: &problems)
        }
        if let items = s["items"] { strictWalk(items, path: path + ".items", into: &problems) }
        for keyword in ["anyOf", "allOf", "oneOf"] {
            for (i, sub) in (s[keyword]?.arrayValue ?? []).enumerated() {
                strictWalk(sub, path: path + ".\(keyword)[\(i)]", into: &problems)
            }
        }
        for keyword in ["$defs", "definitions"] {
            guard let defs = s[keyword]?.objectValue else { continue }
            for key in defs.keys.sorted() {
                if let sub = defs[key] { strictWalk(sub, path: path + member(keyword) + member(key), into: &problems) }
            }
        }
    }

    // MARK: - Helpers

    /// The type names a schema object declares (`type` as a string or an array of strings).
    static func types(of schema: [String: JSONValue]) -> [String] {
        switch schema["type"] {
        case .string(let name)?: return [name]
        case .array(let names)?: return names.compactMap(\.stringValue)
        default: return []
        }
    }

    /// `.key` for identifier-like keys, `["key"]` (JSON-escaped) otherwise, so paths stay unambiguous.
    static func member(_ key: String) -> String {
        let identifier = !key.isEmpty && key.unicodeScalars.allSatisfy { s in
            s == "_" || ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
        } && !(key.unicodeScalars.first.map { ("0"..."9").contains($0) } ?? true)
        return identifier ? "." + key : "[" + JSONValue.string(key).encoded() + "]"
    }

    /// A short rendering of a value for messages.
    static func show(_ value: JSONValue) -> String {
        let text = value.encoded()
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    private struct Validator {
        let root: JSONValue
        var violations: [SchemaViolation] = []

        /// References that lead to references without consuming any of the value would loop forever.
        static let maxRefDepth = 32

        mutating func fail(_ path: String, _ message: String) {
            violations.append(SchemaViolation(path: path, message: message))
        }

        mutating func check(_ value: JSONValue, _ schema: JSONValue, path: String, refDepth: Int) {
            let s: [String: JSONValue]
            switch schema {
            case .bool(true): return
            case .bool(false): fail(path, "no value is allowed here"); return
            case .object(let members): s = members
            default: return  // not a schema: nothing to check against
            }

            if case .string(let ref)? = s["$ref"] {
                guard refDepth < Self.maxRefDepth else { fail(path, "$ref \(ref) nests too deeply (a reference cycle?)"); return }
                guard let target = resolve(ref) else { fail(path, "unresolvable $ref \(ref)"); return }
                check(value, target, path: path, refDepth: refDepth + 1)
            }

            let declared = JSONSchema.types(of: s)
            if !declared.isEmpty, !declared.contains(where: { Self.matches(value, type: $0) }) {
                let expected = declared.count == 1 ? declared[0] : "one of " + declared.joined(separator: ", ")
                fail(path, "expected \(expected), got \(Self.describe(value))")
                return  // the other keywords would only repeat the type error
            }
            if let options = s["enum"]?.arrayValue, !options.contains(value) {
                fail(path, "\(JSONSchema.show(value)) is not one of " + options.map(JSONSchema.show).joined(separator: ", "))
            }
            if let constant = s["const"], constant != value {
                fail(path, "expected \(JSONSchema.show(constant)), got \(JSONSchema.show(value))")
            }
            if let alternatives = s["anyOf"]?.arrayValue {
                checkAnyOf(value, alternatives, path: path, refDepth: refDepth)
            }

            switch value {
            case .number(let n): checkNumber(n, s, path: path)
            case .string(let text): checkString(text, s, path: path)
            case .array(let elements): checkArray(elements, s, path: path)
            case .object(let members): checkObject(members, s, path: path)
            case .null, .bool: break
            }
        }

        private mutating func checkAnyOf(_ value: JSONValue, _ alternatives: [JSONValue], path: String, refDepth: Int) {
            var firstFailures: [SchemaViolation] = []
            for (i, alternative) in alternatives.enumerated() {
                var branch = Validator(root: root)
                branch.check(value, alternative, path: path, refDepth: refDepth)
                if branch.violations.isEmpty { return }
                if i == 0 { firstFailures = branch.violations }
            }
            let hint = firstFailures.first.map { " (first alternative: \($0))" } ?? ""
            fail(path, "matches none of the \(alternatives.count) anyOf alternatives" + hint)
        }

        private mutating func checkNumber(_ n: Double, _ s: [String: JSONValue], path: String) {
            let exclusiveMinFlag = s["exclusiveMinimum"]?.boolValue == true
            let exclusiveMaxFlag = s["exclusiveMaximum"]?.boolValue == true
            if let minimum = s["minimum"]?.numberValue {
                if exclusiveMinFlag, n <= minimum { fail(path, "\(Self.format(n)) is not greater than \(Self.format(minimum))") }
                else if n < minimum { fail(path, "\(Self.format(n)) is less than the minimum \(Self.format(minimum))") }
            }
            if let maximum = s["maximum"]?.numberValue {
                if exclusiveMaxFlag, n >= maximum { fail(path, "\(Self.format(n)) is not less than \(Self.format(maximum))") }
                else if n > maximum { fail(path, "\(Self.format(n)) is more than the maximum \(Self.format(maximum))") }
            }
            if let bound = s["exclusiveMinimum"]?.numberValue, n <= bound {
                fail(path, "\(Self.format(n)) is not greater than \(Self.format(bound))")
            }
            if let bound = s["exclusiveMaximum"]?.numberValue, n >= bound {
                fail(path, "\(Self.format(n)) is not less than \(Self.format(bound))")
            }
        }

        private mutating func checkString(_ text: String, _ s: [String: JSONValue], path: String) {
            let minLength = Self.count(s["minLength"]), maxLength = Self.count(s["maxLength"])
            guard minLength != nil || maxLength != nil else { return }
            let length = text.count
            if let minLength, length < minLength { fail(path, "length \(length) is shorter than minLength \(minLength)") }
            if let maxLength, length > maxLength { fail(path, "length \(length) is longer than maxLength \(maxLength)") }
        }

        private mutating func checkArray(_ elements: [JSONValue], _ s: [String: JSONValue], path: String) {
            if let minItems = Self.count(s["minItems"]), elements.count < minItems {
                fail(path, "\(elements.count) items, fewer than minItems \(minItems)")
            }
            if let maxItems = Self.count(s["maxItems"]), elements.count > maxItems {
                fail(path, "\(elements.count) items, more than maxItems \(maxItems)")
            }
            if let items = s["items"] {
                for (i, element) in elements.enumerated() { check(element, items, path: path + "[\(i)]", refDepth: 0) }
            }
        }

        private mutating func checkObject(_ members: [String: JSONValue], _ s: [String: JSONValue], path: String) {
            let properties = s["properties"]?.objectValue ?? [:]
            for name in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                fail(path + JSONSchema.member(name), "required property is missing")
            }
            // Sorted so the violations come out in a stable order (dictionaries have none).
            for key in members.keys.sorted() {
                guard let member = members[key] else { continue }
                if let sub = properties[key] {
                    check(member, sub, path: path + JSONSchema.member(key), refDepth: 0)
                } else if let additional = s["additionalProperties"] {
                    if additional == .bool(false) {
                        fail(path + JSONSchema.member(key), "property is not allowed (additionalProperties is false)")
                    } else {
                        check(member, additional, path: path + JSONSchema.member(key), refDepth: 0)
                    }
                }
            }
        }

        /// Resolves `#`, `#/$defs/name` and other local JSON pointers against the root schema.
        private func resolve(_ ref: String) -> JSONValue? {
            guard ref.hasPrefix("#") else { return nil }
            var target = root
            let pointer = ref.dropFirst()
            if pointer.isEmpty { return target }
            guard pointer.hasPrefix("/") else { return nil }
            for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
                let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                switch target {
                case .object(let members):
                    guard let next = members[token] else { return nil }
                    target = next
                case .array(let elements):
                    guard let i = Int(token), elements.indices.contains(i) else { return nil }
                    target = elements[i]
                default:
                    return nil
                }
            }
            return target
        }

        static func matches(_ value: JSONValue, type: String) -> Bool {
            switch (type, value) {
            case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number):
                return true
            case ("integer", .number):
                return value.typeName == "integer"
            default:
                return false
            }
        }

        /// A non-negative integer keyword value (minLength, maxItems, ...), or nil when absent or malformed.
        static func count(_ value: JSONValue?) -> Int? {
            guard let n = value?.numberValue, n >= 0, n.rounded() == n, n < 9.0e15 else { return nil }
            return Int(n)
        }

        static func describe(_ value: JSONValue) -> String {
            switch value {
            case .null: return "null"
            case .bool, .number, .string: return "\(value.typeName) \(JSONSchema.show(value))"
            case .array(let a): return "array of \(a.count)"
            case .object: return "object"
            }
        }

        static func format(_ n: Double) -> String {
            n.rounded() == n && abs(n) < 9.0e15 ? String(Int64(n)) : String(n)
        }
    }
}
