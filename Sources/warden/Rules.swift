import ArgumentParser
import Foundation
import WardenApp
import WardenCore
import WardenPipeline
import WardenStore

struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check, try out and import rule packs; list, put, enable and disable a guild's rules, and backtest a change before saving it (the same desk as the HTTP API).",
        subcommands: [Check.self, Test.self, Import.self, List.self, Put.self, Enable.self, Disable.self, Backtest.self]
    )

    /// The rule desk on an open store. No default pack: the CLI never imports one behind the admin's back.
    static func desk(_ database: any Database) throws -> RuleDesk {
        try buildApp(database, WardenApp.Configuration()).rules
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a rule pack: every problem with file, rule, field and PCRE2 offset; non-zero exit if any.")

        @Argument(help: "A folder of YAML rule files (or one file).")
        var path: String = "rules"

        func run() throws {
            let (rules, issues) = try RulePackDirectory.load(path)
            for issue in issues { print("error: \(issue)") }
            let byType = Dictionary(grouping: rules, by: \.definition.type).mapValues(\.count)
            let counts = RuleType.allCases.compactMap { type in byType[type].map { "\($0) \(type.rawValue)" } }.joined(separator: ", ")
            print("\(rules.count) rules OK (\(counts))" + (issues.isEmpty ? "" : "; \(issues.count) problems"))
            if !issues.isEmpty { throw ExitCode(1) }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pack over sample text or messages in memory and show what matches (nothing is stored).")

        @Argument(help: "A folder of YAML rule files (or one file).")
        var path: String = "rules"

        @Option(name: .shortAndLong, help: "Text to test (may be repeated).")
        var text: [String] = []

        @Option(name: .shortAndLong, help: "A file of Discord message JSON lines to test.")
        var messages: String?

        func validate() throws {
            if text.isEmpty && messages == nil { throw ValidationError("give --text or --messages") }
        }

        func run() throws {
            let (rules, issues) = try RulePackDirectory.load(path)
            for issue in issues { printError("warning: skipped \(issue)") }
            let set = CompiledRuleSet(rules: rules.map { RuleSource(id: nil, definition: $0.definition) })
            // One trial for every input, so messages tried together count towards each other's spam windows.
            let trial = RuleTrial()
            var inputs: [DiscordMessage] = text.enumerated().map { i, content in
                DiscordMessage(id: Snowflake(UInt64(i + 1)), guildID: Snowflake(1), channelID: Snowflake(1),
                               author: .init(id: Snowflake(UInt64(1000 + i))), content: content, timestamp: Date())
            }
            if let messages {
                var reader = try LineReader(path: messages)
                var n = 0
                while let line = reader.next() {
                    n += 1
                    if line.isEmpty { continue }
                    do { inputs.append(try MessageDecoder().decode(line)) }
                    catch { printError("line \(n): \(error)") }
                }
            }
            for message in inputs {
                let outcome = trial.run(message, rules: set, policy: GuildPolicy(), now: Date())
                let (evaluation, decision) = (outcome.evaluation, outcome.decision)
                let shown = message.content.count > 60 ? String(message.content.prefix(57)) + "..." : message.content
                print("\(decision.verdict.rawValue.uppercased())\t\(shown.debugDescription)")
                for match in evaluation.matches {
                    let where_ = match.evidence.view.map { " view=\($0.rawValue)" } ?? ""
                    let what = match.evidence.text.map { " text=\($0.debugDescription)" }
                        ?? match.evidence.detector.map { " \($0) \(match.evidence.observed ?? 0)>=\(match.evidence.threshold ?? 0)" } ?? ""
                    print("  \(match.rule) (\(match.type.rawValue), \(match.action.type.rawValue))\(where_)\(what)")
                }
                for failure in evaluation.failures { print("  ERROR \(failure.rule): \(failure.code) \(failure.message)") }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a pack into a guild's automod_rules/automod_actions (rules with the same name are updated; each change is audited in admin_log).")

        @Argument(help: "A folder of YAML rule files (or one file).")
        var path: String = "rules"

        @Option(help: "The guild id.")
        var guild: String

        @Option(help: "The user id recorded as creator.")
        var by: String?

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let guildID = try snowflake(guild, "--guild")
            let userID = try by.map { try snowflake($0, "--by") }
            let (rules, issues) = try RulePackDirectory.load(path)
            for issue in issues { print("error: \(issue)") }
            if !issues.isEmpty { throw CLIError("not imported: fix the \(issues.count) problems above first", exitCode: 1) }
            let definitions = rules.map(\.definition)
            let written = try await withOpenStore(store) { db in
                try await Rules.desk(db).importPack(definitions, guild: guildID, by: userID)
            }
            print("imported \(written.count) rules into guild \(guild)")
        }
    }
}
