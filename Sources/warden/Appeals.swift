import ArgumentParser
import Foundation
import WardenLLM
import WardenPipeline
import WardenStore

struct Appeals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Appeals against automod decisions: file one for a member, list, show, approve or deny (the same desk as the HTTP API).",
        subcommands: [File.self, List.self, Show.self, Approve.self, Deny.self]
    )

    struct File: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "File an appeal of one automod log for the member it is about.")
        @Argument(help: "The automod log id (log_id in the decision).") var log: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The member appealing.") var user: String
        @Option(help: "Why the member thinks the decision is wrong.") var reason: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), u = try snowflake(user, "--user")
            // As through the API: with an LLM configured (WARDEN_LLM_*), the appeal's triage is queued with it.
            let triage: Bool
            do { triage = try LLMConfiguration.fromEnvironment() != nil } catch { throw CLIError("LLM configuration: \(error)") }
            let appeal = try await withOpenStore(store) { db in
                try await AppealDesk(database: db, triage: triage).file(guild: g, logID: log, user: u, reason: reason)
            }
            print("appeal #\(appeal.id) of log \(appeal.logID): pending" + (triage ? "; triage queued (run by warden serve or warden support work)" : ""))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a guild's appeals (pending unless --status says otherwise), newest first.")
        @Option(help: "The guild id.") var guild: String
        @Option(help: "pending, approved or denied.") var status: String = "pending"
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild")
            guard let wanted = AppealStatus(rawValue: status), wanted != .none else {
                throw ValidationError("--status must be pending, approved or denied, got '\(status)'")
            }
            let views = try await withOpenStore(store) { db in try await AppealDesk(database: db).list(guild: g, status: wanted, limit: 100) }
            for view in views {
                let rule = view.rule.map { "\($0.name) (\($0.type))" } ?? "no rule"
                // The reason is the member's text: escaped, so it cannot forge lines of this listing.
                print("#\(view.appeal.id) log \(view.log.id) member \(view.appeal.userID) \(view.log.actionTaken) by \(rule): "
                      + view.appeal.reason.debugDescription + (view.triage.map { "\n    triage: " + Appeals.brief($0) } ?? ""))
            }
            if views.isEmpty { print("no \(wanted.rawValue) appeals") }
        }
    }

    /// One line on a triage: the model's suggestion (never a decision) and any instruction attempt.
    static func brief(_ triage: AppealTriage) -> String {
        var text = triage.status.rawValue
        if let suggestion = triage.suggestion, let confidence = triage.confidence {
            text += ", suggests \(suggestion.rawValue) (confidence \(String(format: "%.2f", confidence)))"
        }
        if let note = triage.note { text += ": \(note)" }
        if triage.injection.flagged {
            let signals = (triage.injection.appeal + triage.injection.message).map(\.rawValue)
            text += "; WARNING: the appeal tries to instruct the model" + (signals.isEmpty ? " (reported by the model)" : " (\(Set(signals).sorted().joined(separator: ", ")))")
        }
        return text
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one appeal with its log, rule, evidence, AI analysis and triage, as JSON.")
        @Argument(help: "The appeal id.") var id: Int64
        @Option(help: "The guild id.") var guild: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild")
            let view = try await withOpenStore(store) { db in try await AppealDesk(database: db).show(guild: g, id: id) }
            try printJSON(view)
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve: reversal actions go to the events feed, the log's points are refunded, a false positive is counted.")
        @Argument(help: "The appeal id.") var id: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The moderator deciding.") var by: String
        @Option(help: "A note for the record.") var note: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), moderator = try snowflake(by, "--by")
            let outcome = try await withOpenStore(store) { db in try await AppealDesk(database: db).approve(guild: g, id: id, moderator: moderator, note: note) }
            let actions = outcome.actions.map(\.type.rawValue).joined(separator: ", ")
            print("appeal #\(id) approved; reversal event \(outcome.eventID)" + (actions.isEmpty ? "" : " (\(actions))"))
        }
    }

    struct Deny: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deny an appeal with a note.")
        @Argument(help: "The appeal id.") var id: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The moderator deciding.") var by: String
        @Option(help: "Why (required).") var note: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), moderator = try snowflake(by, "--by")
            _ = try await withOpenStore(store) { db in try await AppealDesk(database: db).deny(guild: g, id: id, moderator: moderator, note: note) }
            print("appeal #\(id) denied")
        }
    }
}
