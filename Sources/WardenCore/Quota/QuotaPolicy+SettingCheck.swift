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
