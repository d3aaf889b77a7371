import Foundation
import WardenCore
import WardenStore

/// Reads a guild's automod policy from `bot_settings` (scope `automod`). A malformed value is an error
/// naming the key, not a silent default: moderators must know their ladder is not what they wrote.
public enum GuildPolicyLoader {
    public struct InvalidSetting: Error, CustomStringConvertible, Sendable {
        public let guild: Int64
        public let key: String
        public let reason: String
        public var description: String { "guild \(guild): setting automod.\(key) is invalid: \(reason)" }
    }

    /// Reads one setting's JSON value into `policy`; throws when the value is unusable.
    public static func apply(_ key: GuildPolicy.Key, json data: Data, to policy: inout GuildPolicy) throws {
        switch key {
        case .escalationLadder: policy.ladder = try JSONDecoder().decode(EscalationLadder.self, from: data)
        case .modChannelID: policy.modChannelID = try JSONDecoder().decode(Snowflake.self, from: data)
        case .exemptRoles: policy.exemptRoles = Set(try JSONDecoder().decode([Snowflake].self, from: data))
        case .exemptChannels: policy.exemptChannels = Set(try JSONDecoder().decode([Snowflake].self, from: data))
        case .llmDeadlineMillis:
            let millis = try JSONDecoder().decode(Int.self, from: data)
            guard (50...120_000).contains(millis) else { throw RangeProblem(text: "must be 50-120000 milliseconds, got \(millis)") }
            policy.llmDeadlineMillis = millis
        case .llmOnOutage:
            let name = try JSONDecoder().decode(String.self, from: data)
            guard let parsed = LLMOutagePolicy(rawValue: name) else {
                throw RangeProblem(text: "expected \(LLMOutagePolicy.allCases.map(\.rawValue).joined(separator: " or ")), got '\(name)'")
            }
            policy.llmOnOutage = parsed
        case .appealWindowDays:
            let days = try JSONDecoder().decode(Int.self, from: data)
            guard (1...365).contains(days) else { throw RangeProblem(text: "must be 1-365 days, got \(days)") }
            policy.appealWindowDays = days
        case .discordAutomodPoints:
            let points = try JSONDecoder().decode(Double.self, from: data)
            guard points.isFinite, (0...100).contains(points) else { throw RangeProblem(text: "must be 0-100 points, got \(points)") }
            policy.discordAutomodPoints = points
        case .raidProtection:
            let raid = try JSONDecoder().decode(RaidPolicy.self, from: data)
            if let problem = raid.problem { throw RangeProblem(text: problem) }
            policy.raid = raid
        case .muteRoleID: policy.muteRoleID = try JSONDecoder().decode(Snowflake.self, from: data)
        case .manualWarningPoints:
            let points = try JSONDecoder().decode(Double.self, from: data)
            guard points.isFinite, (0...100).contains(points) else { throw RangeProblem(text: "must be 0-100 points, got \(points)") }
            policy.manualWarningPoints = points
        case .logRetentionDays:
            let days = try JSONDecoder().decode(Int.self, from: data)
            guard (1...3650).contains(days) else { throw RangeProblem(text: "must be 1-3650 days, got \(days)") }
            policy.logRetentionDays = days
        }
    }

    struct RangeProblem: Error, CustomStringConvertible { let text: String; var description: String { text } }

    public static func load(on conn: any SQLConnection, guild: Int64) throws -> GuildPolicy {
        var policy = GuildPolicy()
        for key in GuildPolicy.Key.allCases {
            guard let (json, _) = try SettingsRepository.get(on: conn, guild: guild, scope: GuildPolicy.scope, key: key.rawValue) else { continue }
            do {
                try apply(key, json: Data(json.utf8), to: &policy)
            } catch {
                throw InvalidSetting(guild: guild, key: key.rawValue, reason: "\(error)")
            }
        }
        return policy
    }
}
