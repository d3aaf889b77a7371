import ArgumentParser
import Foundation
import WardenApp
import WardenCore
import WardenLLM
import WardenPipeline
import WardenStore
import WardenSupport

struct Settings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read and change a guild's settings (bot_settings; every change is kept in settings_history).",
        subcommands: [Get.self, Set.self, History.self, Rollback.self]
    )

    /// The settings desk on an open store, with every scope's checks (as the HTTP API has it).
    static func desk(_ database: any Database) throws -> SettingDesk {
        try buildApp(database, WardenApp.Configuration()).settings
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a guild's settings in a scope.")
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The settings scope.") var scope: String = GuildPolicy.scope
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let guildID = try snowflake(guild, "--guild")
            let settings = try await withOpenStore(store) { db in try await Settings.desk(db).get(guild: guildID, scope: scope).settings }
            for s in settings { print("\(s.scope).\(s.key) = \(s.value?.encoded() ?? "null")") }
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
            try await withOpenStore(store) { db in
                let desk = try Settings.desk(db)
                // Refused as a usage error, before anything is written (as before the desk existed).
                do throws(SettingError) { try desk.validate(scope: scope, key: key, json: value) } catch {
                    throw ValidationError(error.description)
                }
                _ = try await desk.set(guild: guildID, scope: scope, key: key, json: value, by: userID)
            }
            print("\(scope).\(key) = \(value)")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one setting's changes, newest first (ids for rollback).")
        @Argument(help: "The key.") var key: String
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The settings scope.") var scope: String = GuildPolicy.scope
        @Option(help: "At most this many changes (1-500).") var limit: Int = 50
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let guildID = try snowflake(guild, "--guild")
            let page = try await withOpenStore(store) { db in
                try await Settings.desk(db).history(guild: guildID, scope: scope, key: key, limit: max(1, min(limit, 500)))
            }
            for change in page.changes {
                let old = change.oldValue?.encoded() ?? "(none)", new = change.newValue?.encoded() ?? "null"
                print("#\(change.id) \(change.changeType): \(old) -> \(new)" + (change.changedBy.map { " by \($0)" } ?? ""))
            }
            if page.changes.isEmpty { print("no changes of \(scope).\(key)") }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore the value a setting had before one change (refused if today's checks would refuse it).")
        @Argument(help: "The key.") var key: String
        @Argument(help: "The change id (from `settings history`).") var change: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The settings scope.") var scope: String = GuildPolicy.scope
        @Option(help: "The user id recorded as the author of the rollback.") var by: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let guildID = try snowflake(guild, "--guild")
            let userID = try by.map { try snowflake($0, "--by") }
            let restored = try await withOpenStore(store) { db in
                try await Settings.desk(db).rollback(guild: guildID, scope: scope, key: key, change: change, by: userID)
            }
            print("\(scope).\(key) = \(restored.value?.encoded() ?? "null")")
        }
    }
}
