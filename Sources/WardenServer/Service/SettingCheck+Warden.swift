import WardenCore
import WardenLLM
import WardenPipeline
import WardenSupport

extension SettingCheck {
    /// Every settings scope Warden checks before storing a value: the automod policy, the operator's LLM
    /// quotas, the support desk. The HTTP API and the CLI give their ``SettingDesk`` this list.
    public static let warden: [SettingCheck] = [
        .automod,
        .quotaOverrides(scope: QuotaGate.settingsScope, key: QuotaGate.settingsKey),
        .support,
    ]
}
