import WardenCore
import WardenLLM
import WardenPipeline
import WardenSupport

extension SettingCheck {
    /// Every settings scope Warden checks before storing a value: the automod policy, the operator's LLM
    /// quotas, the support desk. The app gives its ``SettingDesk`` this list, for the API, the CLI and tests.
    public static let warden: [SettingCheck] = [
        .automod,
        .quotaOverrides(scope: QuotaGate.settingsScope, key: QuotaGate.settingsKey),
        .guildQuota(scope: QuotaGate.settingsScope, key: QuotaGate.guildLimitKey),
        .support,
    ]
}
