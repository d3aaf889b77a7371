import WardenCore

/// A change to a guild's rules, as a backtest tries it before it is saved: the same three changes the
/// rule desk saves (`put` one rule or import a pack, `enable`, `disable`).
public enum RuleChange: Sendable, Equatable {
    /// Create or replace these rules (by name).
    case put([RuleDefinition])
    /// Switch the named rule on.
    case enable(String)
    /// Switch the named rule off.
    case disable(String)

    /// What the change is, for the answer: `put no-pineapple`, `enable mention-spam`.
    public var summary: String {
        switch self {
        case .put(let rules): "put " + rules.map(\.name).joined(separator: ", ")
        case .enable(let name): "enable \(name)"
        case .disable(let name): "disable \(name)"
        }
    }

    /// The guild's rules after the change: `rules` are the stored ones (each with its row id), in order;
    /// a put replaces the rule of the same name in place (keeping its id) or is appended without one.
    /// - Throws: `RuleError.ruleNotFound` when enabling or disabling a rule the guild does not have.
    func applied(to rules: [RuleSource], guild: Int64) throws(RuleError) -> [RuleSource] {
        var rules = rules
        switch self {
        case .put(let definitions):
            for definition in definitions {
                if let index = rules.firstIndex(where: { $0.definition.name == definition.name }) {
                    rules[index].definition = definition
                } else {
                    rules.append(RuleSource(id: nil, definition: definition))
                }
            }
        case .enable(let name), .disable(let name):
            guard let index = rules.firstIndex(where: { $0.definition.name == name }) else { throw .ruleNotFound(name, guild: guild) }
            if case .enable = self { rules[index].definition.enabled = true } else { rules[index].definition.enabled = false }
        }
        return rules
    }
}
