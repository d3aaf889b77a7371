import Foundation

/// The name of a rule kind, as in `automod_rules.rule_type`, a pack's `type:` and a match's `type`.
/// Each kind declares its own in its file (`Rules/Kinds/`); the registry is `RuleKinds.all`.
public struct RuleType: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    public let rawValue: String

    /// The registered kind of that name, or nil.
    public init?(rawValue: String) {
        guard RuleKinds.named(rawValue) != nil || Self.recordedOnly.contains(where: { $0.rawValue == rawValue }) else { return nil }
        self.rawValue = rawValue
    }

    /// Matches Warden records but no rule of its own produces: Discord's native AutoMod hits. No rule of this
    /// type can be written (a rule's `type:` must name a kind in ``RuleKinds``).
    public static let discordAutomod = RuleType(registered: "discord_automod")
    /// A member who joined during a raid (the guild's `raid_protection`).
    public static let raid = RuleType(registered: "raid")
    static let recordedOnly: [RuleType] = [.discordAutomod, .raid]

    /// For the kinds' own `static let`s, which the registry lists.
    init(registered name: String) { rawValue = name }

    /// Every registered kind's name, in registry order.
    public static var allCases: [RuleType] { RuleKinds.all.map { $0.type } }

    public var description: String { rawValue }

    /// The kind's configuration type.
    public var kind: (any RuleKind.Type)? { RuleKinds.named(rawValue) }
}

/// A problem a kind found in its own configuration: the field (e.g. `patterns[2]`), what is wrong and,
/// for regex compile errors, PCRE2's offset.
public struct RuleKindProblem: Sendable, Equatable {
    public var field: String
    public var message: String
    public var offset: Int?
    public init(_ field: String, _ message: String, offset: Int? = nil) {
        self.field = field; self.message = message; self.offset = offset
    }
}

/// One kind of rule (`regex`, `content`, `spam`, `ai`): the fields only it has, decoded and encoded at the
/// same level as the shared ones (so packs and `automod_rules.config` keep one flat object), its checks,
/// the views it matches by default, and how it is compiled into a guild's rule set.
///
/// One file per kind under `Rules/Kinds/`, listed once in `RuleKinds.all`. Kinds act at compile time:
/// the content scan and the spam tracker run what the kinds compiled, with no call back into a kind per
/// message.
public protocol RuleKind: Codable, Sendable, Equatable {
    /// The kind's name.
    static var type: RuleType { get }
    /// The views the kind matches when a rule names none; empty when the kind does not match text (then a
    /// rule of this kind may not name views at all).
    static var defaultViews: [ViewKind] { get }
    /// A configuration with no field set (what a rule of this kind is before its fields are filled in).
    init()
    /// Everything that would make a rule of this kind misbehave, in the order the fields are written.
    func problems() -> [RuleKindProblem]
    /// Adds the rule's patterns, keywords, spam rule or model categories to the rule set being compiled.
    /// Only called for a rule without problems.
    func compile(_ rule: RuleSetBuilder.Rule, into builder: inout RuleSetBuilder)
    /// The regular expressions a rule-by-rule bot would run for this rule (the benchmark's naive baseline);
    /// empty for kinds that do not match text.
    func baselinePatterns() -> [String]
    /// The keywords and patterns the rule adds to its guild's rule set, counted against ``RuleLimits``
    /// (bytes are counted for every kind alike); zero for kinds that add neither.
    var size: RuleSize { get }
}

extension RuleKind {
    public static var defaultViews: [ViewKind] { [] }
    public func baselinePatterns() -> [String] { [] }
    public var size: RuleSize { .zero }

    /// Equality across kinds, for `RuleDefinition`'s `==`.
    func isSame(as other: any RuleKind) -> Bool { (other as? Self) == self }
}

/// The registry of rule kinds: adding one is its file in `Rules/Kinds/` plus one line here.
public enum RuleKinds {
    /// Every rule kind, in the order error messages and documents list them.
    public static let all: [any RuleKind.Type] = [RegexKind.self, ContentKind.self, SpamKind.self, AIKind.self, AttachmentsKind.self, ProfileKind.self]

    /// The kind named `name`, or nil.
    public static func named(_ name: String) -> (any RuleKind.Type)? { all.first { $0.type.rawValue == name } }
}
