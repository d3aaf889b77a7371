import Synchronization

/// A rule ready to run: its definition, compiled patterns and its health (PCRE2 limit hits).
public final class CompiledRule: Sendable {
    /// After this many limit hits in a row, a rule is disabled for its guild and moderators are alerted.
    public static let failuresBeforeDisable = 3

    /// Position in the rule set.
    public let index: Int
    /// `automod_rules.id` when the rule came from the store.
    public let id: Int64?
    public let definition: RuleDefinition
    public let views: [ViewKind]
    /// Regex rules: global pattern indices into `CompiledRuleSet.patterns`.
    public let patternIndices: [Int]
    let exemptRoles: Set<Snowflake>
    let exemptChannels: Set<Snowflake>
    let onlyChannels: Set<Snowflake>?

    private let consecutiveFailures = Atomic<Int>(0)
    private let disabledFlag = Atomic<Bool>(false)

    init(index: Int, id: Int64?, definition: RuleDefinition, patternIndices: [Int]) {
        self.index = index; self.id = id; self.definition = definition
        views = definition.effectiveViews
        self.patternIndices = patternIndices
        exemptRoles = Set(definition.exemptRoles ?? [])
        exemptChannels = Set(definition.exemptChannels ?? [])
        onlyChannels = definition.channels.map(Set.init)
    }

    public var name: String { definition.name }
    public var type: RuleType { definition.type }
    public var isDisabled: Bool { disabledFlag.load(ordering: .relaxed) }

    /// Whether the rule applies to a message in `channel` from a member with `roles`.
    func applies(channel: Snowflake, roles: [Snowflake]) -> Bool {
        if let onlyChannels, !onlyChannels.contains(channel) { return false }
        if exemptChannels.contains(channel) { return false }
        if !exemptRoles.isEmpty, roles.contains(where: exemptRoles.contains) { return false }
        return true
    }

    /// Records a limit hit; returns true when this hit disabled the rule.
    func recordFailure() -> Bool {
        let failures = consecutiveFailures.add(1, ordering: .relaxed).newValue
        guard failures >= Self.failuresBeforeDisable else { return false }
        return disabledFlag.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
    }

    func recordSuccess() {
        if consecutiveFailures.load(ordering: .relaxed) != 0 { consecutiveFailures.store(0, ordering: .relaxed) }
    }
}
