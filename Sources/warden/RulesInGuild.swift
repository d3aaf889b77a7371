import ArgumentParser
import Foundation
import WardenCore
import WardenPipeline

/// The commands on one guild's stored rules, through ``RuleDesk`` like `PUT /v1/guilds/{guild}/rules/{name}`
/// and its neighbours, so each change writes the same `admin_log` row.
extension Rules {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a guild's stored rules: id, on or off, type, name.")
        @Option(help: "The guild id.") var guild: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let guildID = try snowflake(guild, "--guild")
            let list = try await withOpenStore(store) { db in try await Rules.desk(db).list(guild: guildID) }
            for rule in list.rules {
                print("\(rule.id)\t\(rule.enabled ? "on" : "off")\t\(rule.definition.type.rawValue)\t\(rule.definition.name)")
            }
            if list.rules.isEmpty { print("guild \(guild) has no stored rules") }
        }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace one rule of a guild from a file holding one rule: JSON when the file ends in .json, else YAML (one entry of a pack's rules: list).")
        @Argument(help: "The rule's name (it must match the name in the file).") var name: String
        @Argument(help: "The file with the rule.") var file: String
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The user id recorded as the author of the change.") var by: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let guildID = try snowflake(guild, "--guild")
            let userID = try by.map { try snowflake($0, "--by") }
            let body: RuleBody
            do {
                // A .json file is read as JSON (escapes kept exactly); anything else as YAML.
                body = file.lowercased().hasSuffix(".json") ? .json(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
                                                            : .yaml(try String(contentsOfFile: file, encoding: .utf8))
            } catch { throw CLIError("cannot read \(file): \(error.localizedDescription)") }
            let written = try await withOpenStore(store) { db in try await Rules.desk(db).put(guild: guildID, name: name, body: body, by: userID) }
            print("\(written.created ? "created" : "updated") rule \(name) (id \(written.rule.id)) in guild \(guild)")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a guild's rule on.")
        @Argument(help: "The rule's name.") var name: String
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The user id recorded as the author of the change.") var by: String?
        @OptionGroup var store: StoreOptions

        func run() async throws { try await switchRule(true, name: name, guild: guild, by: by, store: store) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a guild's rule off.")
        @Argument(help: "The rule's name.") var name: String
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The user id recorded as the author of the change.") var by: String?
        @OptionGroup var store: StoreOptions

        func run() async throws { try await switchRule(false, name: name, guild: guild, by: by, store: store) }
    }

    static func switchRule(_ enabled: Bool, name: String, guild: String, by: String?, store: StoreOptions) async throws {
        let guildID = try snowflake(guild, "--guild")
        let userID = try by.map { try snowflake($0, "--by") }
        let switched = try await withOpenStore(store) { db in try await Rules.desk(db).setEnabled(enabled, rule: name, guild: guildID, by: userID) }
        print("rule \(switched.name) is \(switched.enabled ? "on" : "off") in guild \(guild)")
    }
}
