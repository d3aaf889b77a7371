/// The four rule types of `automod_rules.rule_type`.
public enum RuleType: String, Codable, Sendable, CaseIterable {
    case regex, content, spam, ai
}

/// One category of an `ai` rule: flag when the model's confidence reaches `threshold`.
public struct AICategoryRule: Codable, Sendable, Equatable {
    public static let categories = ["harassment", "hate", "sexual", "sexual/minors", "self-harm", "violence",
                                    "illicit", "scam/phishing", "doxxing/pii", "spam"]
    public var category: String
    public var threshold: Double
    public var action: RuleAction?
}

/// A rule as written in a pack (YAML) or stored in `automod_rules.config` (JSON, without name/type/action).
public struct RuleDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var type: RuleType
    public var description: String?
    public var enabled: Bool
    public var views: [ViewKind]?
    public var patterns: [String]?
    public var keywords: [String]?
    public var allow: [String]?
    public var detector: String?
    public var threshold: Int?
    public var windowSeconds: Double?
    public var scope: String?
    public var categories: [AICategoryRule]?
    public var action: RuleAction?
    public var exemptRoles: [Snowflake]?
    public var exemptChannels: [Snowflake]?
    public var channels: [Snowflake]?

    public init(name: String, type: RuleType, enabled: Bool = true, action: RuleAction? = nil) {
        self.name = name; self.type = type; self.enabled = enabled; self.action = action
    }

    enum CodingKeys: String, CodingKey {
        case name, type, description, enabled, views, patterns, keywords, allow, detector, threshold
        case window, windowSeconds = "window_seconds", scope, categories, action
        case exemptRoles = "exempt_roles", exemptChannels = "exempt_channels", channels
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        let typeName = try c.decode(String.self, forKey: .type)
        guard let kind = RuleType(rawValue: typeName) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription:
                "unknown rule type '\(typeName)' (expected regex, content, spam or ai)")
        }
        type = kind
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
        patterns = try c.decodeIfPresent([String].self, forKey: .patterns)
        keywords = try c.decodeIfPresent([String].self, forKey: .keywords)
        allow = try c.decodeIfPresent([String].self, forKey: .allow)
        detector = try c.decodeIfPresent(String.self, forKey: .detector)
        threshold = try c.decodeIfPresent(Int.self, forKey: .threshold)
        if let seconds = try c.decodeIfPresent(Double.self, forKey: .windowSeconds) {
            windowSeconds = seconds
        } else if let text = try? c.decodeIfPresent(String.self, forKey: .window) {
            guard let seconds = DurationText.seconds(text) else {
                throw DecodingError.dataCorruptedError(forKey: .window, in: c, debugDescription: "not a duration: '\(text)' (use e.g. 10s, 1m)")
            }
            windowSeconds = seconds
        } else {
            windowSeconds = try c.decodeIfPresent(Double.self, forKey: .window)
        }
        scope = try c.decodeIfPresent(String.self, forKey: .scope)
        categories = try c.decodeIfPresent([AICategoryRule].self, forKey: .categories)
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
        try c.encodeIfPresent(patterns, forKey: .patterns)
        try c.encodeIfPresent(keywords, forKey: .keywords)
        try c.encodeIfPresent(allow, forKey: .allow)
        try c.encodeIfPresent(detector, forKey: .detector)
        try c.encodeIfPresent(threshold, forKey: .threshold)
        try c.encodeIfPresent(windowSeconds, forKey: .windowSeconds)
        try c.encodeIfPresent(scope, forKey: .scope)
        try c.encodeIfPresent(categories, forKey: .categories)
        try c.encodeIfPresent(action, forKey: .action)
        try c.encodeIfPresent(exemptRoles, forKey: .exemptRoles)
        try c.encodeIfPresent(exemptChannels, forKey: .exemptChannels)
        try c.encodeIfPresent(channels, forKey: .channels)
    }

    /// The views this rule matches on, with the documented defaults per type.
    public var effectiveViews: [ViewKind] {
        if let views, !views.isEmpty { return views }
        switch type {
        case .regex: return [.skeleton, .leet, .joined]
        case .content: return [.skeleton, .leet, .collapsed, .joined]
        case .spam, .ai: return []
        }
    }

    /// The action, or the conservative default (delete, severity 1) when a rule names none.
    public var effectiveAction: RuleAction { action ?? RuleAction(type: .delete, severity: 1) }
}
