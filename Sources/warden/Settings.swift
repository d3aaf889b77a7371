import ArgumentParser
import Foundation
import WardenCore
import WardenLLM
import WardenPipeline
import WardenStore
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
            mod_channel_id "123", exempt_roles ["1","2"], exempt_channels ["3"].
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
            guard (try? JSONSerialization.jsonObject(with: Data(value.utf8), options: [.fragmentsAllowed])) != nil else {
                throw ValidationError("the value must be JSON (strings in quotes), got: \(value)")
            }
            if scope == GuildPolicy.scope, let known = GuildPolicy.Key(rawValue: key) {
                try check(known, Data(value.utf8))
            }
            if scope == QuotaGate.settingsScope && key == QuotaGate.settingsKey {
                do { _ = try QuotaPolicy.parseOverrides(try JSONValue.parse(value)) } catch {
                    throw ValidationError("invalid value for \(scope).\(key): \(error)")
                }
            }
            if scope == SupportSettings.scope {
                do { try SupportSettings.validate(key: key, json: value) } catch {
                    throw ValidationError("invalid value for \(scope).\(key): \(error)")
                }
            }
            let database = try await store.open()
            try await SettingsRepository(database: database).set(guild: guildID, scope: scope, key: key, valueJSON: value,
                                                                 valueType: nil, by: userID)
            await database.close()
            print("\(scope).\(key) = \(value)")
        }

        /// Refuses values the pipeline could not read, so a typo cannot silently break a guild's policy.
        func check(_ key: GuildPolicy.Key, _ data: Data) throws {
            var policy = GuildPolicy()
            do { try GuildPolicyLoader.apply(key, json: data, to: &policy) } catch {
                throw ValidationError("invalid value for automod.\(key.rawValue): \(error)")
            }
            for step in policy.ladder.steps {
                if let problem = step.action.problems().first { throw ValidationError("\(problem.0): \(problem.1)") }
            }
        }
    }
}
