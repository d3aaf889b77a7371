import ArgumentParser
import Foundation
import WardenCore
import WardenPipeline
import WardenStore

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a member's automod points, ladder level and recent actions.")

    @Argument(help: "The user id.")
    var user: String

    @Option(help: "The guild id.")
    var guild: String

    @Option(help: "How many recent log entries to show.")
    var limit: Int = 20

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let userID = try snowflake(user, "USER"), guildID = try snowflake(guild, "--guild")
        let database = try await store.open()
        let limit = self.limit
        let (points, logs, policy) = try await database.transaction { conn in
            (try AutomodRepository.points(on: conn, guild: guildID, user: userID),
             try AutomodRepository.logs(on: conn, guild: guildID, user: userID, limit: limit),
             try GuildPolicyLoader.load(on: conn, guild: guildID))
        }
        await database.close()
        let now = Date()
        var total = 0.0
        print("user \(user) in guild \(guild)")
        for p in points {
            let decayed = Escalation.decayed(p.totalPoints, from: p.lastViolation, to: now, halfLifeHours: policy.ladder.halfLifeHours)
            total += decayed
            print(String(format: "  %-8@ %6.2f points now (%d violations, last %@)", p.ruleType as NSString, decayed,
                         p.violationCount, DiscordTimestamp.format(p.lastViolation) as NSString))
        }
        print(String(format: "  total %.2f points, ladder level %d of %d (half-life %.0f h)", total,
                     policy.ladder.level(for: total), policy.ladder.steps.count, policy.ladder.halfLifeHours))
        if logs.isEmpty { print("no automod actions logged"); return }
        print("recent actions:")
        for log in logs {
            print("  #\(log.id) \(DiscordTimestamp.format(log.timestamp)) \(log.ruleName ?? "-") \(log.actionTaken) appeal=\(log.appealStatus) message=\(log.messageID.map { String(UInt64(bitPattern: $0)) } ?? "-")")
        }
    }
}
