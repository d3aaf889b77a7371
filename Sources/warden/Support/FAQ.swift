import ArgumentParser
import Foundation
import WardenStore
import WardenSupport

struct FAQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faq",
        abstract: "FAQ proposals drafted from clusters of similar tickets; staff approval; FAQ search.",
        subcommands: [Proposals.self, Draft.self, Show.self, Approve.self, Reject.self, Search.self]
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
}
