import Foundation

/// A member's LLM tier, from their `premium_subs` row (no active subscription: `free`).
public enum QuotaTier: String, Sendable, CaseIterable, Codable, CodingKeyRepresentable {
    case free, monthly, yearly, lifetime

    /// The tier for a `premium_subs.tier` value. nil (no active subscription) and strings that are not a
    /// tier (a typo, a plan this version does not know) map to `free`: an unknown plan must never grant
    /// unlimited calls, and the member still gets the free allowance. Case and surrounding spaces are ignored.
    public init(stored: String?) {
        let normalized = stored.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        self = normalized.flatMap(QuotaTier.init(rawValue:)) ?? .free
    }
}

/// Why a quota override setting was refused. Each case names the offending key and what was wrong.
public enum QuotaPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting is not a JSON object (`got` is the JSON type found).
    case notAnObject(got: String)
    /// A key that is not a tier.
    case unknownTier(key: String)
    /// A tier's value is not null or a non-negative whole number.
    case invalidLimit(tier: String, reason: String)
    /// The guild's own daily limit (`llm.guild_daily_limit`) is not null or a non-negative whole number.
    case invalidGuildLimit(reason: String)

    public var description: String {
        switch self {
        case .notAnObject(let got):
            return "quota limits must be a JSON object like {\"free\": 10, \"yearly\": null}, got \(got)"
        case .unknownTier(let key):
            return "quota limits: \"\(key)\" is not a tier (expected one of: "
                + QuotaTier.allCases.map(\.rawValue).joined(separator: ", ") + ")"
        case .invalidLimit(let tier, let reason):
            return "quota limits: \"\(tier)\": \(reason)"
        case .invalidGuildLimit(let reason):
            return "the guild's daily limit: \(reason)"
        }
    }
}

/// Daily LLM call limits per tier. A limit of nil means unlimited; 0 means no calls at all.
public struct QuotaPolicy: Sendable, Equatable, Codable {
    /// The limit of each tier. A tier without an entry falls back to `standard`'s limit (so a partial
    /// dictionary never means "unlimited" by accident); an entry holding nil means unlimited.
    public var limits: [QuotaTier: Int?]

    public init(limits: [QuotaTier: Int?]) {
        self.limits = limits
    }

    /// The design's defaults: free 5 calls a day, monthly 25, yearly and lifetime unlimited.
    public static let standard = QuotaPolicy(limits: [.free: 5, .monthly: 25, .yearly: nil, .lifetime: nil])

    /// Calls per day for `tier`; nil means unlimited.
    public func limit(for tier: QuotaTier) -> Int? {
        if let entry = limits[tier] { return entry }
        return Self.standard.limits[tier] ?? nil
    }

    /// Largest accepted limit: whole numbers beyond this cannot be told apart as JSON doubles.
    public static let maximumLimit = 9_007_199_254_740_991

    /// The policy from a guild's `bot_settings` override, e.g. `{"free": 10, "monthly": 50, "yearly": null}`.
    /// Keys must be tier names (exactly, lowercase); values non-negative whole numbers, or null for unlimited.
    /// Tiers the override does not mention keep the standard limit.
    public static func parseOverrides(_ json: JSONValue) throws(QuotaPolicyError) -> QuotaPolicy {
        guard case .object(let members) = json else { throw .notAnObject(got: json.typeName) }
        var policy = standard
        // Sorted so that with several bad keys the error is always about the same one.
        for key in members.keys.sorted() {
            guard let tier = QuotaTier(rawValue: key) else { throw .unknownTier(key: key) }
            switch members[key] ?? .null {
            case .null:
                policy.limits.updateValue(nil, forKey: tier)  // an entry holding nil: unlimited
            case .number(let n):
                guard n.isFinite, n.rounded() == n else {
                    throw .invalidLimit(tier: key, reason: "\(n) is not a whole number")
                }
                guard n >= 0 else { throw .invalidLimit(tier: key, reason: "\(Int64(exactly: n).map(String.init) ?? String(n)) is negative") }
                guard n <= Double(maximumLimit) else {
                    throw .invalidLimit(tier: key, reason: "\(n) is larger than \(maximumLimit)")
                }
                policy.limits.updateValue(Int(n), forKey: tier)
            case let other:
                throw .invalidLimit(tier: key, reason: "expected a non-negative whole number or null, got \(other.typeName) \(other.encoded())")
            }
        }
        return policy
    }

    /// The guild's own daily limit from `llm.guild_daily_limit`: calls Warden makes for the guild itself
    /// rather than for a member (appeal triage). A non-negative whole number, or null for unlimited.
    public static func parseGuildLimit(_ json: JSONValue) throws(QuotaPolicyError) -> Int? {
        switch json {
        case .null: return nil
        case .number(let n):
            guard n.isFinite, n.rounded() == n else { throw .invalidGuildLimit(reason: "\(n) is not a whole number") }
            guard n >= 0 else { throw .invalidGuildLimit(reason: "\(Int64(exactly: n).map(String.init) ?? String(n)) is negative") }
            guard n <= Double(maximumLimit) else { throw .invalidGuildLimit(reason: "\(n) is larger than \(maximumLimit)") }
            return Int(n)
        case let other:
            throw .invalidGuildLimit(reason: "expected a non-negative whole number or null, got \(other.typeName) \(other.encoded())")
        }
    }

    // Encoded as the same object `parseOverrides` reads, listing every tier (null = unlimited), so a stored
    // policy round-trips and stays readable by an admin.
    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        do {
            self = try Self.parseOverrides(json)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var members: [String: JSONValue] = [:]
        for tier in QuotaTier.allCases {
            members[tier.rawValue] = limit(for: tier).map { .number(Double($0)) } ?? .null
        }
        try JSONValue.object(members).encode(to: encoder)
    }
}

/// Where a member stands today, for `/quota`-style answers and the API.
public struct QuotaStatus: Sendable, Equatable, Codable {
    public var tier: QuotaTier
    /// Calls per day; nil is unlimited.
    public var limit: Int?
    /// Calls counted today.
    public var used: Int
    /// Calls left today (never negative); nil is unlimited.
    public var remaining: Int?

    public init(tier: QuotaTier, limit: Int?, used: Int, remaining: Int?) {
        self.tier = tier; self.limit = limit; self.used = used; self.remaining = remaining
    }

    /// `remaining` computed from the limit and the count.
    public init(tier: QuotaTier, limit: Int?, used: Int) {
        self.init(tier: tier, limit: limit, used: used, remaining: limit.map { max(0, $0 - used) })
    }

    private enum CodingKeys: String, CodingKey { case tier, limit, used, remaining }

    // Explicit nulls: a client must see `"limit": null` (unlimited), not a missing key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tier, forKey: .tier)
        try c.encode(limit, forKey: .limit)
        try c.encode(used, forKey: .used)
        try c.encode(remaining, forKey: .remaining)
    }
}
