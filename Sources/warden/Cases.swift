import ArgumentParser
import Foundation
import WardenCore
import WardenPipeline
import WardenStore

struct Cases: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cases: record a moderator's action (warn, timeout, mute, kick, ban, unban, unmute, note), list, show, correct a reason, end what is due (the same desk as the HTTP API).",
        subcommands: [Add.self, List.self, Show.self, Edit.self, Expire.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a moderator's action against a member; the bot performs it from the events feed.")
        @Argument(help: "warn, timeout, mute, kick, ban, unban, unmute or note.") var action: String
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The member.") var user: String
        @Option(help: "The moderator recording it.") var moderator: String
        @Option(help: "Why (required; the member and the other moderators read it).") var reason: String
        @Option(help: "How long: 30s, 10m, 1h, 7d (timeout: required; ban and mute: temporary).") var duration: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), u = try snowflake(user, "--user"), m = try snowflake(moderator, "--moderator")
            let seconds = try duration.map { text -> Int in
                guard let value = DurationText.seconds(text).map({ Int($0) }) else { throw ValidationError("--duration must be like 30s, 10m, 1h or 7d, got '\(text)'") }
                return value
            }
            let recorded = try await withOpenStore(store) { db in
                try await CaseDesk(database: db).record(guild: g, user: u, action: action, reason: reason, durationSeconds: seconds, moderator: m)
            }
            print("case #\(recorded.case.number): \(recorded.case.action) of member \(recorded.case.userID)"
                  + (recorded.actions.isEmpty ? "" : "; for the bot: \(recorded.actions.map(\.type.rawValue).joined(separator: ", ")) (event \(recorded.eventID ?? 0))"))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A guild's cases, or one member's, newest first.")
        @Option(help: "The guild id.") var guild: String
        @Option(help: "Only this member's.") var user: String?
        @Option(help: "At most this many (1-500).") var limit: Int = 50
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild")
            let u = try user.map { try snowflake($0, "--user") }
            let cases = try await withOpenStore(store) { db in try await CaseDesk(database: db).list(guild: g, user: u, before: nil, limit: limit) }
            for c in cases {
                // The reason is a moderator's text: escaped, so it cannot forge lines of this listing.
                print("#\(c.number) \(c.createdAt) \(c.source) \(c.action) member \(c.userID) by \(c.moderatorID.map(\.description) ?? "automod")"
                      + (c.durationSeconds.map { " for \($0)s" } ?? "") + (c.logID.map { " log \($0)" } ?? "") + ": " + (c.reason ?? "").debugDescription)
            }
            if cases.isEmpty { print("no cases") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One case as JSON.")
        @Argument(help: "The case number.") var number: Int
        @Option(help: "The guild id.") var guild: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild")
            let view = try await withOpenStore(store) { db in try await CaseDesk(database: db).find(guild: g, number: number) }
            try printJSON(view)
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Correct a case's reason (audited in admin_log with the old and new reason).")
        @Argument(help: "The case number.") var number: Int
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The moderator correcting it.") var moderator: String
        @Option(help: "The new reason.") var reason: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), m = try snowflake(moderator, "--moderator")
            let view = try await withOpenStore(store) { db in try await CaseDesk(database: db).editReason(guild: g, number: number, reason: reason, moderator: m) }
            print("case #\(view.number): reason changed")
        }
    }

    struct Expire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End the temporary bans and mutes that are due, each once with a punishment_expired event (warden serve does this every 5 seconds).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let ended = try await withOpenStore(store) { db in try await CaseDesk(database: db).expireDue() }
            print("ended \(ended) temporary punishment(s)")
        }
    }
}
