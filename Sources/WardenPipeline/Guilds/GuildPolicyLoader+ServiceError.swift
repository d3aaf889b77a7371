import WardenCore

extension GuildPolicyLoader.InvalidSetting: ServiceError {
    /// The request was fine; the guild's stored configuration is not, and an admin can fix it.
    public var httpStatus: Int { 409 }
    public var code: String { "invalid_setting" }
    public var message: String {
        "\(description); an admin can fix it with PUT /v1/guilds/{guild}/settings/automod/\(key)"
    }
}
