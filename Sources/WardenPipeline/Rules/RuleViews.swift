import WardenCore

/// One stored rule of a guild: its row id, whether it runs, and its definition in pack form.
///
/// JSON keys are the definition's own (a pack file's), so encode it without a key strategy.
public struct RuleView: Codable, Sendable, Equatable {
    public var id: Int64
    public var enabled: Bool
    public var definition: RuleDefinition

    public init(id: Int64, enabled: Bool, definition: RuleDefinition) {
        self.id = id; self.enabled = enabled; self.definition = definition
    }
}

/// A guild's rules, in the order they are stored.
public struct RuleList: Codable, Sendable, Equatable {
    public var rules: [RuleView]
}

/// A rule switched on or off.
public struct RuleSwitch: Codable, Sendable, Equatable {
    public var name: String
    public var enabled: Bool
}

/// A rule written by ``RuleDesk/put(guild:name:body:by:)``: the rule, and whether it is new.
public struct RuleWrite: Sendable, Equatable {
    public var rule: RuleView
    /// True when the guild had no rule of that name before.
    public var created: Bool
}
