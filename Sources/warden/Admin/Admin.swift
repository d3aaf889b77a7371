import ArgumentParser

/// `warden admin`: the operator's commands (tokens, settings, migrations, LLM quotas).
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Operate Warden: API tokens, guild settings, migrations, LLM quotas.",
        subcommands: [Token.self, Webhook.self, Settings.self, Migrate.self, Quota.self]
    )
}
