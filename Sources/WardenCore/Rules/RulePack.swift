import Yams

/// A rule from a pack, with the file it came from.
public struct PackRule: Sendable, Equatable {
    public var file: String
    public var definition: RuleDefinition
    public init(file: String, definition: RuleDefinition) { self.file = file; self.definition = definition }
}

/// Rule packs: YAML files of rules. Parsing and validation are pure (text in, rules and issues out);
/// a bad rule is reported and left out, never taking the good ones down with it.
public enum RulePack {
    /// Parses and validates pack files given as (file name, contents).
    public static func parse(files: [(name: String, contents: String)]) -> (rules: [PackRule], issues: [RuleIssue]) {
        var rules: [PackRule] = []
        var issues: [RuleIssue] = []
        var seen: [String: String] = [:]
        for file in files {
            let node: Node?
            do {
                node = try Yams.compose(yaml: file.contents)
            } catch {
                issues.append(RuleIssue(file: file.name, message: "not valid YAML: \(error)"))
                continue
            }
            guard let node else { continue }  // an empty file holds no rules
            guard let list = node.mapping?["rules"]?.sequence else {
                issues.append(RuleIssue(file: file.name, message: "expected a top-level 'rules:' list"))
                continue
            }
            for (position, ruleNode) in list.enumerated() {
                let label = ruleNode.mapping?["name"]?.string ?? "#\(position + 1)"
                let definition: RuleDefinition
                do {
                    definition = try YAMLDecoder().decode(RuleDefinition.self, from: ruleNode)
                } catch {
                    issues.append(RuleIssue(file: file.name, rule: label, message: describe(error)))
                    continue
                }
                if let other = seen[definition.name] {
                    issues.append(RuleIssue(file: file.name, rule: definition.name, field: "name",
                                            message: "duplicate rule name (also in \(other))"))
                    continue
                }
                let problems = RuleValidator.problems(in: definition, file: file.name)
                if problems.isEmpty {
                    seen[definition.name] = file.name
                    rules.append(PackRule(file: file.name, definition: definition))
                } else {
                    issues.append(contentsOf: problems)
                }
            }
        }
        return (rules, issues)
    }

    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch decoding {
        case .keyNotFound(let key, let ctx): return "\(path(ctx.codingPath + [key])): is required"
        case .typeMismatch(let type, let ctx): return "\(path(ctx.codingPath)): expected \(type)"
        case .valueNotFound(let type, let ctx): return "\(path(ctx.codingPath)): expected \(type), found nothing"
        case .dataCorrupted(let ctx): return ctx.codingPath.isEmpty ? ctx.debugDescription : "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
