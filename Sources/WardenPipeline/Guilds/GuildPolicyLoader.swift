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

    public static func load(on conn: any SQLConnection, guild: Int64) throws -> GuildPolicy {
        var policy = GuildPolicy()
        for key in GuildPolicy.Key.allCases {
            guard let (json, _) = try SettingsRepository.get(on: conn, guild: guild, scope: GuildPolicy.scope, key: key.rawValue) else { continue }
            let data = Data(json.utf8)
            do {
                switch key {
                case .escalationLadder: policy.ladder = try JSONDecoder().decode(EscalationLadder.self, from: data)
                case .modChannelID: policy.modChannelID = try JSONDecoder().decode(Snowflake.self, from: data)
                case .exemptRoles: policy.exemptRoles = Set(try JSONDecoder().decode([Snowflake].self, from: data))
                case .exemptChannels: policy.exemptChannels = Set(try JSONDecoder().decode([Snowflake].self, from: data))
                }
            } catch {
                throw InvalidSetting(guild: guild, key: key.rawValue, reason: "\(error)")
            }
        }
        return policy
    }
}
