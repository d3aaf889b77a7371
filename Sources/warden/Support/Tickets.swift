import ArgumentParser
import Foundation
import WardenCore
import WardenStore
import WardenSupport

struct Tickets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Support tickets: open, talk, move through their states, FAQ suggestions, transcripts, import, metrics.",
        discussion: """
        States: open, claimed, waiting_for_user, escalated, closed, archived. Closing a ticket queues its AI
        summary (run `warden support work`).
        """,
        subcommands: [Open.self, Message.self, Transition.self, Show.self, Suggest.self, Solved.self, Transcript.self, Import.self,
                      Metrics.self]
    )

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a ticket; prints its id.")
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The member's user id.") var user: String
        @Option(help: "The member's name.") var username: String?
        @Option(help: "What the member needs.") var description: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), u = try snowflake(user, "--user")
            let id = try await withOpenStore(store) { db in
                try await TicketDesk(database: db).open(guild: g, user: u, username: username, description: description)
            }
            print(id)
        }
    }

    struct Message: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a message to a ticket.")
        @Argument(help: "The ticket id.") var ticket: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The author's user id.") var author: String
        @Option(help: "The message text.") var content: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let a = try snowflake(author, "--author"), g = try snowflake(guild, "--guild")
            try await withOpenStore(store) { db in
                try await TicketDesk(database: db).addMessage(ticket: ticket, guild: g, author: a, content: content)
            }
        }
    }

    struct Transition: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply an event to a ticket: claim, wait_for_user, user_replied, escalate, close, reopen, archive.")
        @Argument(help: "The ticket id.") var ticket: Int64
        @Argument(help: "The event.") var event: String
        @Option(help: "The guild id.") var guild: String
        @Option(help: "Who claims or archives it, or whom it is escalated to (a user or role id).") var by: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let kind = TicketEvent.Kind(rawValue: event) else {
                throw ValidationError("unknown event '\(event)'; one of: " + TicketEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            func who() throws -> Snowflake {
                guard let by else { throw ValidationError("\(event) needs --by") }
                return Snowflake(UInt64(bitPattern: try snowflake(by, "--by")))
            }
            let value: TicketEvent
            switch kind {
            case .claim: value = .claim(by: try who())
            case .waitForUser: value = .waitForUser
            case .userReplied: value = .userReplied
            case .escalate: value = .escalate(to: try who())
            case .close: value = .close
            case .reopen: value = .reopen
            case .archive: value = .archive(by: try who())
            }
            let g = try snowflake(guild, "--guild")
            let status = try await withOpenStore(store) { db in try await TicketDesk(database: db).apply(value, to: ticket, guild: g) }
            print("ticket \(ticket): \(status.rawValue)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a ticket, its messages and its summary.")
        @Argument(help: "The ticket id.") var ticket: Int64
        @Option(help: "The guild id.") var guild: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild")
            let (found, summary) = try await withOpenStore(store) { db in
                let found = try await TicketDesk(database: db).ticket(ticket, guild: g)
                let summary = try await db.transaction { conn in try SummaryRepository.summary(on: conn, ticket: ticket) }
                return (found, summary)
            }
            print("ticket \(found.ticket.id) in guild \(found.ticket.guildID): \(found.ticket.status), by user \(found.ticket.userID)")
            for message in found.messages { print("  [\(message.authorID)] \(message.content)") }
            if let summary {
                print("summary (\(summary.category ?? "-"), key \(summary.similarityKey ?? "-"), cluster \(summary.clusterKey ?? "-")): \(summary.summary)")
            }
        }
    }

    struct Suggest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suggest FAQ answers for a ticket from its first message, and record them (asking again shows the same ones).")
        @Argument(help: "The ticket id.") var ticket: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "At most this many answers (1-10).") var limit: Int = 3
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild")
            let suggestions = try await withOpenStore(store) { db in
                try await FAQDeflectionDesk(database: db).suggest(ticket: ticket, guild: g, limit: limit)
            }
            for s in suggestions { print("\(s.rank). FAQ entry #\(s.entryID): \(s.title ?? "(entry removed)")") }
            if suggestions.isEmpty { print("no FAQ entry matches ticket \(ticket)") }
        }
    }

    struct Solved: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the member's \"this solved it\" for a suggested FAQ entry; closes the ticket if it is open.")
        @Argument(help: "The ticket id.") var ticket: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "The suggested FAQ entry that solved it.") var entry: Int64
        @Option(help: "The member who opened the ticket.") var user: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), u = try snowflake(user, "--user")
            let done = try await withOpenStore(store) { db in
                try await FAQDeflectionDesk(database: db).solved(ticket: ticket, guild: g, entry: entry, by: u)
            }
            print("ticket \(ticket): \(done.status.rawValue), solved by FAQ entry #\(entry)\(done.changed ? "" : " (already recorded)")")
        }
    }

    struct Transcript: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a ticket's whole conversation as JSON, Markdown or a standalone HTML page.",
            discussion: """
            Member text is escaped for the form (no markup, link or script can come from it; invisible characters show
            as [U+XXXX]). Attachments are the URLs the messages hold, listed as text and never fetched.
            """)
        @Argument(help: "The ticket id.") var ticket: Int64
        @Option(help: "The guild id.") var guild: String
        @Option(help: "json, markdown or html.") var format: String = "json"
        @Option(help: "Write to this file instead of standard output.") var output: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let form = TranscriptFormat(rawValue: format) else {
                throw ValidationError("--format must be one of \(TranscriptFormat.allowed), got '\(format)'")
            }
            let g = try snowflake(guild, "--guild")
            let transcript = try await withOpenStore(store) { db in try await TicketDesk(database: db).transcript(ticket, guild: g) }
            let text = TranscriptRenderer(transcript).render(form)
            if let output {
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: output)) } catch {
                    throw CLIError("cannot write \(output): \(error.localizedDescription)")
                }
            } else {
                print(text, terminator: "")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import tickets from JSON lines and close them (queues their summaries).",
            discussion: """
            One ticket per line: {"guild_id": "...", "user_id": "...", "username": "...", "messages": [{"author":
            "user" | "staff", "content": "..."}]} (the format of fixtures/tickets/tickets.jsonl). The first message
            is the description. A bad line prints {"line":N,"error":{...}} to stderr; the others are imported, and
            the command exits 1.
            """)
        @Argument(help: "The JSONL file.") var file: String
        @Option(help: "Put every ticket in this guild instead of the one on its line.") var guild: String?
        @Option(help: "The user id recorded for staff messages.") var staff: String = "1"
        @Flag(help: "Leave the tickets open instead of closing them.") var keepOpen = false
        @OptionGroup var store: StoreOptions

        struct Line: Decodable {
            struct Message: Decodable { var author: String; var content: String }
            var guild_id: String?
            var user_id: String
            var username: String?
            var messages: [Message]
        }

        func run() async throws {
            let guildOverride = try guild.map { try snowflake($0, "--guild") }
            let staffID = try snowflake(staff, "--staff")
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            var imported = 0, bad = 0
            try await withOpenStore(store) { db in
                let desk = TicketDesk(database: db)
                for (index, raw) in lines.enumerated() where !raw.trimmingCharacters(in: .whitespaces).isEmpty {
                    do {
                        let line = try JSONDecoder().decode(Line.self, from: Data(raw.utf8))
                        guard let guildID = try guildOverride ?? line.guild_id.map({ try snowflake($0, "guild_id") }) else {
                            throw ValidationError("guild_id is missing (or pass --guild)")
                        }
                        let user = try snowflake(line.user_id, "user_id")
                        guard let first = line.messages.first else { throw ValidationError("messages is empty") }
                        let id = try await desk.open(guild: guildID, user: user, username: line.username, description: first.content)
                        for message in line.messages.dropFirst() {
                            try await desk.addMessage(ticket: id, guild: guildID, author: message.author == "staff" ? staffID : user,
                                                      content: message.content)
                        }
                        if !keepOpen { try await desk.apply(.close, to: id, guild: guildID) }
                        imported += 1
                    } catch let error as StoreError where error.httpStatus >= 500 {
                        // The store failing stops the import; a text it refuses (a NUL) is that line's fault.
                        throw error
                    } catch {
                        bad += 1
                        let message = JSONValue.object(["line": .number(Double(index + 1)),
                                                        "error": .object(["message": .string(String(describing: error))])])
                        printError(message.encoded())
                    }
                }
            }
            print("imported \(imported) ticket(s)\(keepOpen ? "" : " and closed them"); \(bad) bad line(s)")
            if bad > 0 { throw ExitCode(1) }
        }
    }

    struct Metrics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compute and store the guild's 7d, 30d and all-time ticket metrics.")
        @Option(help: "The guild id.") var guild: String
        @Option(help: "Who asked (recorded as triggered_by).") var by: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), who = try by.map { try snowflake($0, "--by") }
            let snapshots = try await withOpenStore(store) { db in try await TicketDesk(database: db).snapshotMetrics(guild: g, by: who) }
            for s in snapshots {
                let counts = TicketStatus.allCases.compactMap { status in s.counts[status].map { "\(status.rawValue) \($0)" } }
                print("\(s.scope.rawValue): \(s.total) ticket(s) (\(counts.joined(separator: ", "))); average cycle time "
                      + (s.averageCycleTimeSeconds.map { "\($0) s" } ?? "-"))
            }
        }
    }
}
