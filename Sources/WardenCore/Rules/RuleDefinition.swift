/// A rule as written in a pack (YAML) or stored in `automod_rules.config` (JSON, whose name, type and
/// enabled flag the row's columns override, and whose action lives in `automod_actions`).
///
/// Only what every kind shares is here; the kind's own fields are in `config` (see `RuleKind`), decoded
/// from and encoded into the same flat object.
public struct RuleDefinition: Codable, Sendable, Equatable {
    /// A decoder `userInfo` key: a `RuleType` that wins over the object's `type` (a stored row's column).
    public static let typeOverride: CodingUserInfoKey = {
        // Optional whichever way the standard library declares the initializer (failable before Swift 6.2).
        let key: CodingUserInfoKey? = CodingUserInfoKey(rawValue: "warden.ruleTypeOverride")
        guard let key else { preconditionFailure("a constant, valid key") }
        return key
    }()

    public var name: String
    public var description: String?
    public var enabled: Bool
    /// The text views a `regex` or `content` rule matches; nil for the kind's default.
    public var views: [ViewKind]?
    /// The kind's own fields; its type is the rule's type.
    public var config: any RuleKind
    public var action: RuleAction?
    public var exemptRoles: [Snowflake]?
    public var exemptChannels: [Snowflake]?
    public var channels: [Snowflake]?

    /// The rule's kind.
    public var type: RuleType { Swift.type(of: config).type }

    /// A rule of `config`'s kind.
    public init(name: String, config: any RuleKind, enabled: Bool = true, action: RuleAction? = nil) {
        self.name = name; self.config = config; self.enabled = enabled; self.action = action
    }

    /// A rule of the registered kind `type` with none of its fields set.
    public init(name: String, type: RuleType, enabled: Bool = true, action: RuleAction? = nil) {
        self.init(name: name, config: (type.kind ?? RegexKind.self).init(), enabled: enabled, action: action)
    }

    /// The kind's configuration if it is of kind `K`.
    public func config<K: RuleKind>(as kind: K.Type) -> K? { config as? K }

    enum CodingKeys: String, CodingKey {
        case name, type, description, enabled, views, action
        case exemptRoles = "exempt_roles", exemptChannels = "exempt_channels", channels
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        let typeName: String
        if let override = decoder.userInfo[Self.typeOverride] as? RuleType { typeName = override.rawValue }
        else { typeName = try c.decode(String.self, forKey: .type) }
        guard let kind = RuleKinds.named(typeName) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription:
                "unknown rule type '\(typeName)' (expected \(RuleType.allCases.map(\.rawValue).listed("or")))")
        }
        description = try c.decodeIfPresent(String.self, forKey: .description)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        if let names = try c.decodeIfPresent([String].self, forKey: .views) {
            views = try names.map { name in
                guard let view = ViewKind(rawValue: name) else {
                    throw DecodingError.dataCorruptedError(forKey: .views, in: c, debugDescription:
                        "unknown view '\(name)' (expected one of \(ViewKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return view
            }
        }
        // The kind's fields sit between the shared ones in the object, so its errors come in the same order.
        config = try kind.init(from: decoder)
        action = try c.decodeIfPresent(RuleAction.self, forKey: .action)
        exemptRoles = try c.decodeIfPresent([Snowflake].self, forKey: .exemptRoles)
        exemptChannels = try c.decodeIfPresent([Snowflake].self, forKey: .exemptChannels)
        channels = try c.decodeIfPresent([Snowflake].self, forKey: .channels)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(type.rawValue, forKey: .type)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encode(enabled, forKey: .enabled)
        try c.encodeIfPresent(views?.map(\.rawValue), forKey: .views)
        try config.encode(to: encoder)
        try c.encodeIfPresent(action, forKey: .action)
        try c.encodeIfPresent(exemptRoles, forKey: .exemptRoles)
        try c.encodeIfPresent(exemptChannels, forKey: .exemptChannels)
        try c.encodeIfPresent(channels, forKey: .channels)
    }

    public static func == (a: RuleDefinition, b: RuleDefinition) -> Bool {
        a.name == b.name && a.description == b.description && a.enabled == b.enabled && a.views == b.views
            && a.config.isSame(as: b.config) && a.action == b.action && a.exemptRoles == b.exemptRoles
            && a.exemptChannels == b.exemptChannels && a.channels == b.channels
    }

    /// The views this rule matches on: its own (each once: a keyword is compiled once per view), or its
    /// kind's default.
    public var effectiveViews: [ViewKind] {
        if let views, !views.isEmpty {
            var seen = Set<ViewKind>()
            return views.filter { seen.insert($0).inserted }
        }
        return Swift.type(of: config).defaultViews
    }

    /// The action, or the conservative default (delete, severity 1) when a rule names none.
    public var effectiveAction: RuleAction { action ?? RuleAction(type: .delete, severity: 1) }
}
