import Foundation
import WardenCore

extension SettingCheck {
    /// The automod policy's settings (`automod.*`): a known key's value must be what
    /// ``GuildPolicyLoader`` reads, and a ladder's actions must pass their own checks. Other keys of the
    /// scope (bookkeeping such as `default_pack_imported`) only need to be JSON.
    public static let automod = SettingCheck(scope: GuildPolicy.scope) { (key: String, json: String) throws(SettingRejection) in
        guard let known = GuildPolicy.Key(rawValue: key) else { return }
        var policy = GuildPolicy()
        do { try GuildPolicyLoader.apply(known, json: Data(json.utf8), to: &policy) } catch let error as DecodingError {
            throw SettingRejection(Self.reason(error, key: known))
        } catch {
            throw SettingRejection("\(error)")
        }
        for step in policy.ladder.steps {
            if let problem = step.action.problems().first { throw SettingRejection("\(problem.field): \(problem.message)") }
        }
    }

    /// A decoding failure in words: what kind of value the key takes (Foundation's own text names Swift internals).
    private static func reason(_ error: DecodingError, key: GuildPolicy.Key) -> String {
        let expected: String
        switch key {
        case .escalationLadder: expected = #"an object like {"steps":[{"points":3,"action":{"type":"timeout","duration_seconds":600}}],"half_life_hours":72}"#
        case .modChannelID: expected = "a channel id (digits, in quotes)"
        case .muteRoleID: expected = "a role id (digits, in quotes)"
        case .manualWarningPoints: expected = "a number of points"
        case .exemptRoles, .exemptChannels: expected = "an array of ids (digits, in quotes)"
        case .llmDeadlineMillis, .appealWindowDays, .logRetentionDays: expected = "a whole number"
        case .llmOnOutage: expected = "a string"
        case .discordAutomodPoints: expected = "a number of points"
        case .raidProtection: expected = #"an object like {"joins":10,"window_seconds":10,"young_account_days":7,"young_joins":5,"similar_names":5,"quiet_seconds":300,"lockdown_hours":1,"action":{"type":"timeout","duration_seconds":3600}}"#
        }
        var path = ""
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        @unknown default: break
        }
        return "\(key.rawValue)\(path) must be \(expected)" + (path.isEmpty ? "" : " (the value at \(path) is wrong)")
    }
}
