import Foundation
import WardenCore
import WardenStore

/// A guild's support-desk settings, from `bot_settings` scope `support`:
/// - `faq_threshold`: tickets a cluster needs before an FAQ proposal is drafted (integer >= 3, default 3: the
///   clusterer may still merge or split clusters smaller than 3, which would orphan a proposal's cluster);
/// - `proposal_ttl_days`: days a pending proposal waits for staff before it expires (integer >= 1, default 28);
/// - `verification`: the payment-screenshot policy, `{"merchants": ["Ko-fi"], "prices": [{"amount": 5,
///   "currency": "USD"}], "window_days": 30}` (see `VerificationPolicy`; default: no merchant, so nothing is
///   verified automatically and every screenshot goes to a moderator).
public struct SupportSettings: Sendable, Equatable {
    public static let scope = "support"

    /// The setting keys.
    public enum Key: String, CaseIterable, Sendable {
        case faqThreshold = "faq_threshold"
        case proposalTTLDays = "proposal_ttl_days"
        case verification
    }

    public var faqThreshold: Int = 3
    public var proposalTTLDays: Int = 28
    public var verification = VerificationPolicy(merchants: [])

    public init() {}

    /// The guild's settings read on `conn`; defaults for keys never set.
    public static func load(on conn: any SQLConnection, guild: Int64) throws -> SupportSettings {
        var settings = SupportSettings()
        for key in Key.allCases {
            guard let stored = try SettingsRepository.get(on: conn, guild: guild, scope: scope, key: key.rawValue) else { continue }
            do throws(SettingProblem) { try settings.apply(key, json: stored.value) } catch let reason {
                throw SupportError.invalidSetting(guild: guild, key: key.rawValue, reason: reason.text)
            }
        }
        return settings
    }

    /// Validates a value for `key` (what the settings desk checks before writing, through `SettingCheck.support`).
    /// - Throws: a message saying what is wrong with the value.
    public static func validate(key: String, json: String) throws(SettingProblem) {
        guard let known = Key(rawValue: key) else {
            throw SettingProblem(text: "unknown key; known: " + Key.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var scratch = SupportSettings()
        try scratch.apply(known, json: json)
    }

    /// Why a stored value cannot be used.
    public struct SettingProblem: Error, Sendable, CustomStringConvertible {
        public var text: String
        public var description: String { text }
    }

    private mutating func apply(_ key: Key, json: String) throws(SettingProblem) {
        switch key {
        case .faqThreshold:
            faqThreshold = try Self.integer(json, atLeast: 3)
        case .proposalTTLDays:
            proposalTTLDays = try Self.integer(json, atLeast: 1)
        case .verification:
            do {
                verification = try JSONDecoder().decode(VerificationPolicy.self, from: Data(json.utf8))
            } catch {
                throw SettingProblem(text: "expected {\"merchants\": [...], \"prices\": [{\"amount\": 5, \"currency\": \"USD\"}], \"window_days\": 30}: \(error)")
            }
        }
    }

    private static func integer(_ json: String, atLeast minimum: Int) throws(SettingProblem) -> Int {
        let value: JSONValue
        do { value = try JSONValue.parse(json) } catch { throw SettingProblem(text: "not JSON: \(json)") }
        guard let number = value.numberValue, number.rounded() == number, number >= Double(minimum), number <= 1_000_000 else {
            throw SettingProblem(text: "expected a whole number >= \(minimum), got \(json)")
        }
        return Int(number)
    }
}
