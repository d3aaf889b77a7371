import ArgumentParser
import Foundation
import WardenCore
import WardenPipeline

/// `warden rules backtest`: what a rule change would do to the guild's logged messages (and a JSONL file of
/// the admin's own) before it is saved, through ``RuleDesk/backtest(guild:change:messages:limits:)`` like
/// `POST /v1/guilds/{guild}/rules/backtest`.
extension Rules {
    struct Backtest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a rule change against the guild's automod logs (and --messages) before saving it: what it would newly flag, what it would stop flagging, and the appeals among them. Nothing is stored.")
        @Option(help: "The guild id.") var guild: String
        @Option(help: "A file holding one rule to create or replace (as `rules put` reads it: JSON when it ends in .json, else YAML).")
        var put: String?
        @Option(help: "A pack folder (or file) to import, as `rules import` reads it.") var pack: String?
        @Option(help: "The name of a rule to switch on.") var enable: String?
        @Option(help: "The name of a rule to switch off.") var disable: String?
        @Option(help: "A file of Discord message JSON lines to replay too (at most 10,000).") var messages: String?
        @Option(help: "Replay at most this many of the newest logs (1-100000).") var maxLogs: Int = RuleBacktest.Limits.logCap
        @Flag(help: "Print the answer as JSON, as the API gives it.") var json = false
        @OptionGroup var store: StoreOptions

        func validate() throws {
            let given = [put, pack, enable, disable].compactMap { $0 }
            guard given.count == 1 else { throw ValidationError("give exactly one of --put, --pack, --enable and --disable") }
            guard (1...RuleBacktest.Limits.logCap).contains(maxLogs) else {
                throw ValidationError("--max-logs must be from 1 to \(RuleBacktest.Limits.logCap), got \(maxLogs)")
            }
        }

        func run() async throws {
            let guildID = try snowflake(guild, "--guild")
            let change = try self.change()
            var limits = RuleBacktest.Limits()
            limits.maxLogs = maxLogs
            let samples = try messages.map { try Self.messages(from: $0, limit: limits.maxMessages) } ?? []
            let report = try await withOpenStore(store) { db in
                try await Rules.desk(db).backtest(guild: guildID, change: change, messages: samples, limits: limits)
            }
            if json {
                try printJSON(report)
            } else {
                print(Self.text(report, guild: guild))
            }
        }

        private func change() throws -> RuleChange {
            if let enable { return .enable(enable) }
            if let disable { return .disable(disable) }
            if let pack {
                let (rules, issues) = try RulePackDirectory.load(pack)
                for issue in issues { print("error: \(issue)") }
                if !issues.isEmpty { throw CLIError("not backtested: fix the \(issues.count) problems above first", exitCode: 1) }
                return .put(rules.map(\.definition))
            }
            guard let put else { throw ValidationError("give exactly one of --put, --pack, --enable and --disable") }
            let body: RuleBody
            do {
                body = put.lowercased().hasSuffix(".json") ? .json(Array(try Data(contentsOf: URL(fileURLWithPath: put))))
                                                           : .yaml(try String(contentsOfFile: put, encoding: .utf8))
            } catch { throw CLIError("cannot read \(put): \(error.localizedDescription)") }
            do { return .put([try RuleDesk.rule(from: body, source: put)]) } catch { throw CLIError("\(put): \(error)") }
        }

        /// The file's messages; a line that is not one names its number and what is wrong.
        static func messages(from path: String, limit: Int) throws -> [DiscordMessage] {
            var reader = try LineReader(path: path)
            var messages: [DiscordMessage] = []
            var number = 0
            while let line = reader.next() {
                number += 1
                if line.isEmpty { continue }
                guard messages.count < limit else { throw CLIError("\(path): more than the \(limit) messages a backtest replays") }
                do { messages.append(try MessageDecoder().decode(line)) } catch { throw CLIError("\(path) line \(number): \(error)") }
            }
            return messages
        }

        /// The answer for people; message text is escaped (`debugDescription`), so it cannot forge lines.
        static func text(_ report: RuleBacktest, guild: String) -> String {
            var lines = ["backtest of '\(report.change)' in guild \(guild): replayed \(report.replayed.logs) logs and \(report.replayed.messages) messages"
                         + " in \(report.elapsedMillis) ms" + (report.complete ? "" : " (incomplete)"),
                         "flagged before: \(report.flaggedBefore), after: \(report.flaggedAfter)"]
            func shift(_ name: String, _ shift: RuleBacktest.Shift, approvedMeans: String) {
                lines.append("\(name): \(shift.count) (\(shift.fromLogs) logs, \(shift.fromMessages) messages); of the logs' appeals: "
                             + "\(shift.appeals.approved) approved (\(approvedMeans)), \(shift.appeals.denied) denied, \(shift.appeals.pending) pending")
                for example in shift.examples {
                    let origin = example.source == .log ? "log \(example.logID ?? 0)" + (example.appeal.map { $0 == .none ? "" : " [\($0.rawValue)]" } ?? "")
                                                        : "message \(example.line ?? 0)"
                    let before = ([example.before.verdict.rawValue] + example.before.rules).joined(separator: " ")
                    let after = ([example.after.verdict.rawValue] + example.after.rules).joined(separator: " ")
                    lines.append("  \(origin): \(example.excerpt.debugDescription)  \(before) -> \(after)")
                }
            }
            shift("newly flagged", report.newlyFlagged, approvedMeans: "known false positives flagged again")
            shift("no longer flagged", report.noLongerFlagged, approvedMeans: "known false positives fixed")
            for rule in report.leftOut { lines.append("left out: \(rule)") }
            for note in report.notes { lines.append("note: \(note)") }
            return lines.joined(separator: "\n")
        }
    }
}
