import Foundation
import WardenCore
import WardenLLM
import WardenPipeline
import WardenSupport

/// Checks a setting's value before it is stored, so a typo cannot silently break a guild's policy. Known
/// keys are checked against what their reader accepts; unknown keys only need to be JSON. Shared by
/// `warden settings set` and `PUT /v1/guilds/{guild}/settings/{scope}/{key}`.
public enum SettingValidator {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let scope: String, key: String, reason: String
        public var description: String { "invalid value for \(scope).\(key): \(reason)" }
    }

    public static func validate(scope: String, key: String, json: String) throws(Invalid) {
        guard (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) != nil else {
            throw Invalid(scope: scope, key: key, reason: "the value must be JSON (strings in quotes), got: \(json)")
        }
        do {
            if scope == GuildPolicy.scope, let known = GuildPolicy.Key(rawValue: key) {
                var policy = GuildPolicy()
                try GuildPolicyLoader.apply(known, json: Data(json.utf8), to: &policy)
                for step in policy.ladder.steps {
                    if let problem = step.action.problems().first { throw Invalid(scope: scope, key: key, reason: "\(problem.0): \(problem.1)") }
                }
            }
            if scope == QuotaGate.settingsScope && key == QuotaGate.settingsKey {
                _ = try QuotaPolicy.parseOverrides(try JSONValue.parse(json))
            }
            if scope == SupportSettings.scope {
                try SupportSettings.validate(key: key, json: json)
            }
        } catch let error as Invalid {
            throw error
        } catch {
            throw Invalid(scope: scope, key: key, reason: "\(error)")
        }
    }
}
