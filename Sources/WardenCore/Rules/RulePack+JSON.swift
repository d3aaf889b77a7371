import Foundation

extension RulePack {
    /// One rule sent on its own as a JSON object (the API's `PUT rules/{name}` with `application/json`, a
    /// `.json` file for `warden rules put`), checked like a rule of a pack file.
    ///
    /// JSON is read as JSON, not as YAML: escapes such as surrogate pairs (`"\ud83d\udd25"`, what
    /// Python's `json.dumps` writes) and every character a JSON string may hold raw (U+FFFF, U+0085) are
    /// kept exactly.
    /// - Throws: the first problem found, with `source` as its file.
    public static func rule(json: [UInt8], source: String) throws(RuleIssue) -> RuleDefinition {
        let first = json.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        guard first == UInt8(ascii: "{") else {
            throw RuleIssue(file: source, message: first == nil ? "the body is empty; send one rule as a JSON object"
                                                                 : "the body must be one rule, as a JSON object")
        }
        let definition: RuleDefinition
        do {
            definition = try JSONDecoder().decode(RuleDefinition.self, from: Data(json))
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw RuleIssue(file: source, message: "not valid JSON: \(syntaxProblem(json, context))")
        } catch {
            throw RuleIssue(file: source, message: describe(error))
        }
        if let problem = RuleValidator.problems(in: definition, file: source).first { throw problem }
        return definition
    }

    /// Where the JSON text goes wrong, in the words of the message parser (it names the byte): Foundation's
    /// decoder says only "The given data was not valid JSON."
    private static func syntaxProblem(_ json: [UInt8], _ context: DecodingError.Context) -> String {
        do throws(IngestError) { _ = try JSONValue.parse(json) } catch {
            if case .malformedJSON(let detail) = error { return detail }
        }
        return context.debugDescription
    }
}
