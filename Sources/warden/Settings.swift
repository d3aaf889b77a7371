import ArgumentParser
import Foundation
import WardenCore
import WardenLLM
import WardenPipeline
import WardenStore
import WardenServer
import WardenSupport

struct Settings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read and change a guild's settings (bot_settings; every change is kept in settings_history).",
        subcommands: [Get.self, Set.self]
    )

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a guild's settings in a scope.")
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The settings scope.") var scope: String = GuildPolicy.scope
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let guildID = try snowflake(guild, "--guild")
            let database = try await store.open()
            let settings = try await SettingsRepository(database: database).all(guild: guildID, scope: scope)
            await database.close()
            for s in settings { print("\(s.scope).\(s.key) = \(s.valueJSON)") }
            if settings.isEmpty { print("no settings in scope \(scope) (defaults apply)") }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set one setting to a JSON value.",
            discussion: """
            Automod keys (scope automod): escalation_ladder {"steps":[{"points":3,"action":{"type":"timeout","duration_seconds":600,"severity":3}}],"half_life_hours":72},
            mod_channel_id "123", exempt_roles ["1","2"], exempt_channels ["3"], llm_deadline_ms 1500, llm_on_outage "fail_open",
            appeal_window_days 14 (1-365: how long a member may appeal an automod action).
            Support keys (scope support): faq_threshold 3, proposal_ttl_days 28,
            verification {"merchants":["Ko-fi"],"prices":[{"amount":5,"currency":"USD"}],"window_days":30}.
            """)
        @Argument(help: "The key.") var key: String
        @Argument(help: "The value, as JSON.") var value: String
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The settings scope.") var scope: String = GuildPolicy.scope
        @Option(help: "The user id recorded as the author of the change.") var by: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let guildID = try snowflake(guild, "--guild")
            let userID = try by.map { try snowflake($0, "--by") }
            do { try SettingValidator.validate(scope: scope, key: key, json: value) } catch {
                throw ValidationError(error.description)
            }
            let database = try await store.open()
            try await SettingsRepository(database: database).set(guild: guildID, scope: scope, key: key, valueJSON: value,
                                                                 valueType: nil, by: userID)
            await database.close()
            print("\(scope).\(key) = \(value)")
        }
    }
}
