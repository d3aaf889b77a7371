import Foundation

/// A guild's raid protection (`bot_settings`, scope `automod`, key `raid_protection`): when joins within
/// `window_seconds` pass a threshold (all joins, joins of accounts younger than `young_account_days`, or joins
/// with near-identical usernames, each counted on its own), the guild enters raid mode: moderators are
/// alerted, Discord's incident actions pause invites and DMs for `lockdown_hours` (at most 24, Discord's
/// limit), and every member joining during the raid gets `action`. Raid mode ends after `quiet_seconds`
/// without a join.
public struct RaidPolicy: Codable, Sendable, Equatable {
    public var enabled: Bool
    public var windowSeconds: Double
    public var joins: Int
    public var youngAccountDays: Double
    public var youngJoins: Int
    public var similarNames: Int
    public var quietSeconds: Double
    public var lockdownHours: Double
    public var action: RuleAction

    public static let standard = RaidPolicy()

    public init(enabled: Bool = true, windowSeconds: Double = 10, joins: Int = 10, youngAccountDays: Double = 7, youngJoins: Int = 5,
                similarNames: Int = 5, quietSeconds: Double = 300, lockdownHours: Double = 1,
                action: RuleAction = RuleAction(type: .timeout, severity: 3, durationSeconds: 3_600, reason: "Joined during a raid")) {
        self.enabled = enabled; self.windowSeconds = windowSeconds; self.joins = joins; self.youngAccountDays = youngAccountDays
        self.youngJoins = youngJoins; self.similarNames = similarNames; self.quietSeconds = quietSeconds
        self.lockdownHours = lockdownHours; self.action = action
    }

    enum CodingKeys: String, CodingKey {
        case enabled, windowSeconds = "window_seconds", joins, youngAccountDays = "young_account_days", youngJoins = "young_joins"
        case similarNames = "similar_names", quietSeconds = "quiet_seconds", lockdownHours = "lockdown_hours", action
    }

    /// Every field is optional in the setting; what is left out keeps its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RaidPolicy.standard
        self.init(enabled: try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled,
                  windowSeconds: try c.decodeIfPresent(Double.self, forKey: .windowSeconds) ?? d.windowSeconds,
                  joins: try c.decodeIfPresent(Int.self, forKey: .joins) ?? d.joins,
                  youngAccountDays: try c.decodeIfPresent(Double.self, forKey: .youngAccountDays) ?? d.youngAccountDays,
                  youngJoins: try c.decodeIfPresent(Int.self, forKey: .youngJoins) ?? d.youngJoins,
                  similarNames: try c.decodeIfPresent(Int.self, forKey: .similarNames) ?? d.similarNames,
                  quietSeconds: try c.decodeIfPresent(Double.self, forKey: .quietSeconds) ?? d.quietSeconds,
                  lockdownHours: try c.decodeIfPresent(Double.self, forKey: .lockdownHours) ?? d.lockdownHours,
                  action: try c.decodeIfPresent(RuleAction.self, forKey: .action) ?? d.action)
    }

    /// What is wrong with the policy, in words, or nil.
    public var problem: String? {
        if !(windowSeconds >= 1 && windowSeconds <= 3_600) { return "window_seconds must be 1-3600" }
        for (name, value) in [("joins", joins), ("young_joins", youngJoins), ("similar_names", similarNames)] where !(2...10_000).contains(value) {
            return "\(name) must be 2-10000 joins"
        }
        if !(youngAccountDays > 0 && youngAccountDays <= 3_650) { return "young_account_days must be more than 0 and at most 3650" }
        if !(quietSeconds >= 10 && quietSeconds <= 86_400) { return "quiet_seconds must be 10-86400" }
        if !(lockdownHours >= 0 && lockdownHours <= 24) { return "lockdown_hours must be 0-24 (Discord pauses invites and DMs for at most 24 hours)" }
        if let problem = action.problems().first { return "action.\(problem.field): \(problem.message)" }
        return nil
    }

    /// The joins of one window, as counted when a member joins (theirs included).
    public struct Counts: Sendable, Equatable {
        public var joins: Int
        public var youngJoins: Int
        public var similarNames: Int
        public init(joins: Int, youngJoins: Int, similarNames: Int) { self.joins = joins; self.youngJoins = youngJoins; self.similarNames = similarNames }
    }

    /// What put a guild in raid mode: which count, how many, against what threshold.
    public struct Trigger: Sendable, Equatable, Codable {
        public var kind: String
        public var observed: Int
        public var threshold: Int
        public init(kind: String, observed: Int, threshold: Int) { self.kind = kind; self.observed = observed; self.threshold = threshold }
    }

    /// The first threshold `counts` reaches (all joins, then young accounts, then similar names), or nil.
    public func trigger(_ counts: Counts) -> Trigger? {
        guard enabled else { return nil }
        if counts.joins >= joins { return Trigger(kind: "joins", observed: counts.joins, threshold: joins) }
        if counts.youngJoins >= youngJoins { return Trigger(kind: "young_accounts", observed: counts.youngJoins, threshold: youngJoins) }
        if counts.similarNames >= similarNames { return Trigger(kind: "similar_names", observed: counts.similarNames, threshold: similarNames) }
        return nil
    }

    /// A username's key for "near-identical": its skeleton's letters only, so raider_01, raider_02 and
    /// rаider03 (Cyrillic а) are one name.
    public static func nameKey(_ username: String, normalizer: Normalizer = Normalizer()) -> String {
        let text = normalizer.normalize(username, views: ViewSet([.skeleton]).closedOverParents)
        let bytes = text.view(.skeleton)?.bytes ?? Array(username.lowercased().utf8)
        return String(decoding: bytes.filter { ($0 >= 0x61 && $0 <= 0x7A) || $0 >= 0x80 }, as: UTF8.self)
    }
}
