import Foundation
import WardenCore

extension SettingCheck {
    /// The automod policy's settings (`automod.*`): a known key's value must be what
    /// ``GuildPolicyLoader`` reads, and a ladder's actions must pass their own checks. Other keys of the
    /// scope (bookkeeping such as `default_pack_imported`) only need to be JSON.
    public static let automod = SettingCheck(scope: GuildPolicy.scope) { (key: String, json: String) throws(SettingRejection) in
        guard let known = GuildPolicy.Key(rawValue: key) else { return }
        var policy = GuildPolicy()
        do { try GuildPolicyLoader.apply(known, json: Data(json.utf8), to: &policy) } catch {
            throw SettingRejection("\(error)")
        }
        for step in policy.ladder.steps {
            if let problem = step.action.problems().first { throw SettingRejection("\(problem.field): \(problem.message)") }
        }
    }
}
