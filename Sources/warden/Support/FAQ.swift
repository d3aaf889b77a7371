import ArgumentParser
import Foundation
import WardenCore
import WardenStore
import WardenSupport

struct FAQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faq",
        abstract: "FAQ proposals drafted from clusters of similar tickets; staff approval; FAQ search; deflection figures.",
        subcommands: [Proposals.self, Draft.self, Show.self, Approve.self, Reject.self, Search.self, Deflection.self]
    )

    struct Proposals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a guild's pending proposals (expiring overdue ones first).")
        @Option(help: "The guild id.") var guild: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild")
            let proposals = try await withOpenStore(store) { db in try await FAQDesk(database: db).pending(guild: g) }
            for p in proposals {
                print("#\(p.id) [\(p.sourceTicketIDs.count) tickets, cluster \(p.clusterKey)] \(p.title)")
            }
            if proposals.isEmpty { print("no pending proposals") }
        }
    }

    struct Draft: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draft a proposal by hand (staff know an answer before three tickets ask for it); it waits for approval like the others.")
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The staff member drafting it.") var by: String
        @Option(help: "The question, as members ask it.") var title: String
        @Option(help: "The answer.") var answer: String
        @Option(help: "Search keywords, comma-separated.") var keywords: String = ""
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), actor = try snowflake(by, "--by")
            let words = keywords.split(separator: ",").map(String.init)
            let proposal = try await withOpenStore(store) { db in
                try await FAQDesk(database: db).draft(guild: g, by: actor, title: title, answer: answer, keywords: words)
            }
            print("drafted proposal #\(proposal.id): \(proposal.title)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one proposal with its source tickets' summaries.")
        @Argument(help: "The proposal id.") var id: Int64
        @Option(help: "The guild id.") var guild: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild")
            let detail = try await withOpenStore(store) { db in try await FAQDesk(database: db).proposal(id, guild: g) }
            let p = detail.proposal
            print("proposal #\(p.id) (\(p.status)), cluster \(p.clusterKey), expires \(p.expiresAt.map { ISO8601DateFormatter().string(from: $0) } ?? "never")")
            print("title: \(p.title)")
            print("answer: \(p.answer)")
            print("keywords: \(p.keywords.joined(separator: ", "))")
            if let reason = p.reason { print("reason: \(reason)") }
            print("source tickets:")
            for s in detail.sources { print("  ticket \(s.ticketID) [\(s.similarityKey ?? "-")]: \(s.summary)") }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a pending proposal (optionally edited) into the guild's FAQ.")
        @Argument(help: "The proposal id.") var id: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The staff member's user id (recorded in admin_log).") var by: String
        @Option(help: "Replace the drafted title.") var title: String?
        @Option(help: "Replace the drafted answer.") var answer: String?
        @Option(help: "Replace the keywords (comma-separated).") var keywords: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), actor = try snowflake(by, "--by")
            let edits = FAQDesk.Edits(title: title, answer: answer,
                                      keywords: keywords.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
            let entry = try await withOpenStore(store) { db in
                try await FAQDesk(database: db).approve(id, guild: g, by: actor, edits: edits)
            }
            print("approved proposal #\(id) as FAQ entry #\(entry.id): \(entry.title)")
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a pending proposal with a reason.")
        @Argument(help: "The proposal id.") var id: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The staff member's user id (recorded in admin_log).") var by: String
        @Option(help: "Why it is rejected.") var reason: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), actor = try snowflake(by, "--by")
            _ = try await withOpenStore(store) { db in try await FAQDesk(database: db).reject(id, guild: g, by: actor, reason: reason) }
            print("rejected proposal #\(id)")
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Search the FAQ a guild sees (its entries and global ones), best first.")
        @Argument(help: "What to look for.") var query: String
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The member searching (recorded in faq_search_logs).") var user: String?
        @Option(help: "At most this many results.") var limit: Int = 5
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), u = try user.map { try snowflake($0, "--user") }
            let hits = try await withOpenStore(store) { db in
                try await FAQDesk(database: db).search(query, guild: g, user: u, limit: limit)
            }
            for hit in hits { print("#\(hit.entry.id) \(hit.entry.title)\n    \(hit.entry.summary)") }
            if hits.isEmpty { print("no FAQ entry matches") }
        }
    }

    struct Deflection: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How often suggested FAQ answers deflect the guild's tickets, and the entries that deflect most.",
            discussion: """
            Suggestion rate: tickets that got a suggestion / tickets opened. Deflection rate: tickets deflected / tickets
            that got a suggestion, where a ticket is deflected when its member said a suggested entry solved it, or when
            it closed with no message from anyone but its opener.
            """)
        @Option(help: "The guild id.") var guild: String
        @Option(help: "Only tickets opened in the last this many days (all time when absent).") var days: Int?
        @Option(help: "List this many entries.") var top: Int = 10
        @Flag(help: "Print the figures as JSON.") var json = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild")
            guard (1...100).contains(top) else { throw ValidationError("--top must be 1 to 100, got \(top)") }
            let s = try await withOpenStore(store) { db in try await FAQDeflectionDesk(database: db).stats(guild: g, days: days, top: top) }
            func percent(_ rate: Double?) -> String { rate.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
            if json {
                let entries: [JSONValue] = s.topEntries.map {
                    .object(["entry_id": .number(Double($0.entryID)), "title": $0.title.map(JSONValue.string) ?? .null,
                             "suggested": .number(Double($0.suggested)), "solved": .number(Double($0.solved)),
                             "closed_without_reply": .number(Double($0.closedWithoutReply)), "deflected": .number(Double($0.deflected))])
                }
                print(JSONValue.object([
                    "guild_id": .string(String(UInt64(bitPattern: g))), "tickets_opened": .number(Double(s.ticketsOpened)),
                    "tickets_suggested": .number(Double(s.ticketsSuggested)), "suggestion_rate": s.suggestionRate.map(JSONValue.number) ?? .null,
                    "deflected": .number(Double(s.deflected)), "solved": .number(Double(s.solved)),
                    "closed_without_reply": .number(Double(s.closedWithoutReply)),
                    "deflection_rate": s.deflectionRate.map(JSONValue.number) ?? .null, "top_entries": .array(entries),
                ]).encoded())
                return
            }
            print("\(days.map { "last \($0) days" } ?? "all time"): \(s.ticketsOpened) ticket(s) opened, \(s.ticketsSuggested) got a suggestion "
                  + "(\(percent(s.suggestionRate))), \(s.deflected) deflected (\(percent(s.deflectionRate))): \(s.solved) said solved, "
                  + "\(s.closedWithoutReply) closed without a staff reply")
            for e in s.topEntries {
                print("  #\(e.entryID) \(e.title ?? "(entry removed)"): deflected \(e.deflected) of \(e.suggested) suggestion(s) "
                      + "(\(e.solved) solved, \(e.closedWithoutReply) closed without reply)")
            }
        }
    }
}
