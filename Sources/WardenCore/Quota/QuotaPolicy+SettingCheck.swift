extension SettingCheck {
    /// The per-guild quota overrides (`llm.quota_limits` as the quota gate reads them): accepted when
    /// ``QuotaPolicy/parseOverrides(_:)`` accepts them.
    public static func quotaOverrides(scope: String, key: String) -> SettingCheck {
        SettingCheck(scope: scope) { (candidate: String, json: String) throws(SettingRejection) in
            guard candidate == key else { return }
            do { _ = try QuotaPolicy.parseOverrides(try JSONValue.parse(json)) } catch {
                throw SettingRejection("\(error)")
            }
        }
    }
}

extension SettingCheck {
    /// The guild's own daily limit (`llm.guild_daily_limit` as the quota gate reads it): accepted when
    /// ``QuotaPolicy/parseGuildLimit(_:)`` accepts it.
    public static func guildQuota(scope: String, key: String) -> SettingCheck {
        SettingCheck(scope: scope) { (candidate: String, json: String) throws(SettingRejection) in
            guard candidate == key else { return }
            do { _ = try QuotaPolicy.parseGuildLimit(try JSONValue.parse(json)) } catch {
                throw SettingRejection("\(error)")
            }
        }
    }
}
