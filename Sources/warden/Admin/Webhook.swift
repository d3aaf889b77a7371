import ArgumentParser
import Foundation
import WardenApp
import WardenPipeline
import WardenStore

/// `warden admin webhook`: endpoints that receive the events feed as signed POSTs (the same desk as
/// `/v1/webhooks`). A running `warden serve` sends the deliveries.
struct Webhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage webhook endpoints.",
        subcommands: [Add.self, List.self, Remove.self, RotateSecret.self, Deliveries.self, Replay.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an endpoint and print its signing secret (shown this once) alone on the last line.")
        @Option(help: "The http(s) URL deliveries are POSTed to.") var url: String
        @Option(help: "The one guild whose events it gets (default: every guild).") var guild: String?
        @Option(name: .customLong("event"), help: "An event kind to deliver (repeat it; default: every kind: \(WardenApp.eventKinds.joined(separator: ", "))).")
        var events: [String] = []
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let guildID = try guild.map { try snowflake($0, "--guild") }
            let endpoint = try await webhookDesk(store) { try await $0.register(scope: nil, guild: guildID, url: url, kinds: events) }
            let scope = guild.map { "guild \($0)" } ?? "every guild"
            print("webhook \(endpoint.id): \(scope), " + (endpoint.kinds.isEmpty ? "every event kind" : endpoint.kinds.joined(separator: ", ")))
            print(endpoint.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List endpoints with their pending and dead deliveries.")
        @OptionGroup var store: StoreOptions
        func run() async throws {
            let (endpoints, backlogs) = try await webhookDesk(store) { desk in (try await desk.list(scope: nil), try await desk.backlogs()) }
            for e in endpoints {
                let backlog = backlogs[e.id]
                let scope = e.guildID.map { "guild \(UInt64(bitPattern: $0))" } ?? "every guild"
                print("\(e.id)\t\(scope)\t\(e.url)\tpending \(backlog?.pending ?? 0)\tdead \(backlog?.dead ?? 0)")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an endpoint and what is still to be delivered to it.")
        @Argument(help: "The webhook id.") var id: Int64
        @OptionGroup var store: StoreOptions
        func run() async throws {
            try await webhookDesk(store) { try await $0.remove(id, scope: nil) }
            print("removed webhook \(id)")
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give an endpoint a new secret and print it alone on the last line; the old one keeps signing for a while.")
        @Argument(help: "The webhook id.") var id: Int64
        @Option(help: "Seconds the old secret still signs deliveries (beside the new one), 0 to 604800.") var keepPrevious: Int = 86_400
        @OptionGroup var store: StoreOptions
        func run() async throws {
            let endpoint = try await webhookDesk(store) { try await $0.rotateSecret(id, scope: nil, keepPrevious: TimeInterval(keepPrevious)) }
            print("webhook \(endpoint.id): new secret; " + (keepPrevious == 0 ? "the previous one no longer signs" : "the previous one signs for \(keepPrevious) s more"))
            print(endpoint.secret)
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an endpoint's deliveries, newest first.")
        @Argument(help: "The webhook id.") var id: Int64
        @Option(help: "pending, delivered or dead (default: all).") var status: String?
        @Option(help: "At most this many, 1-500.") var limit: Int = 50
        @OptionGroup var store: StoreOptions
        func validate() throws {
            guard (1...500).contains(limit) else { throw ValidationError("--limit must be 1-500, got \(limit)") }
        }
        func run() async throws {
            var wanted: WebhookRepository.Status?
            if let status {
                guard let known = WebhookRepository.Status(rawValue: status) else {
                    throw ValidationError("--status must be one of: \(WebhookRepository.Status.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                wanted = known
            }
            let chosen = wanted
            let deliveries = try await webhookDesk(store) { try await $0.deliveries(id, scope: nil, status: chosen, limit: limit) }
            for d in deliveries {
                print("\(d.id)\tevent \(d.eventID)\tguild \(UInt64(bitPattern: d.guildID))\t\(d.kind)\t\(d.status.rawValue)\tattempts \(d.attempts)\t\(d.lastError ?? "")")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send an endpoint's dead deliveries again, in order.")
        @Argument(help: "The webhook id.") var id: Int64
        @Option(help: "Only this guild's.") var guild: String?
        @OptionGroup var store: StoreOptions
        func run() async throws {
            let guildID = try guild.map { try snowflake($0, "--guild") }
            let replayed = try await webhookDesk(store) { try await $0.replay(id, scope: nil, guild: guildID) }
            print("replayed \(replayed) dead deliver\(replayed == 1 ? "y" : "ies") of webhook \(id)")
        }
    }
}

/// Runs `body` with a webhook desk on the store of `--database` (`withOpenStore`: closed after, refusals as CLI errors).
private func webhookDesk<T: Sendable>(_ store: StoreOptions, _ body: (WebhookDesk) async throws -> T) async throws -> T {
    try await withOpenStore(store) { database in try await body(WebhookDesk(database: database, eventKinds: WardenApp.eventKinds)) }
}
