import WardenCore

extension SettingCheck {
    /// The support desk's settings (`support.*`), checked as ``SupportSettings`` reads them.
    public static let support = SettingCheck(scope: SupportSettings.scope) { (key: String, json: String) throws(SettingRejection) in
        do throws(SupportSettings.SettingProblem) { try SupportSettings.validate(key: key, json: json) } catch {
            throw SettingRejection(error.text)
        }
    }
}
