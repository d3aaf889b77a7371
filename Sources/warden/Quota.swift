import ArgumentParser
import Foundation
import WardenCore
import WardenPipeline
import WardenStore

struct Quota: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a member's daily LLM quota in a guild: tier, limit, used and remaining today (UTC).",
        discussion: """
        The tier comes from premium_subs (active, not expired, for that guild): free 5 calls a day,
        monthly 25, yearly and lifetime unlimited, unless the guild overrides them with
        `warden admin settings set quota_limits '{"free": 10}' --scope llm --guild G`.
        """
    )

    @Argument(help: "The member's user id.") var user: String
    @Option(help: "The guild id.") var guild: String
    @Flag(help: "Print JSON instead of text.") var json = false
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let userID = try snowflake(user, "USER")
        let guildID = try snowflake(guild, "--guild")
        let database = try await store.open()
        let status: QuotaStatus
        do {
            status = try await QuotaGate(database: database).status(user: userID, guild: guildID)
        } catch {
            await database.close()
            throw CLIError("\(error)")
        }
        await database.close()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print("user \(user) in guild \(guild): tier \(status.tier.rawValue), used \(status.used) today, "
                  + "limit \(status.limit.map(String.init) ?? "unlimited"), remaining \(status.remaining.map(String.init) ?? "unlimited")")
        }
    }
}
