import Foundation
import Testing
import WardenApp
import WardenCore
import WardenStore
import WardenTestSupport
@testable import WardenPipeline

private let guild = Int64(guildID)
private let otherGuild: UInt64 = 1_100_000_000_000_000_002
private let scam = "ETH GIVEAWAY! we are giving away 500 ETH, send 0.1 eth and receive 2x back instantly https://eth-event.org/claim"
private let pineapple = #"{"name": "no-pineapple", "type": "content", "keywords": ["pineapple"], "action": {"type": "warn", "severity": 1}}"#

private func app(_ db: any Database, clock: TestClock) throws -> WardenApp {
    var configuration = WardenApp.Configuration(defaultPack: try loadDefaultPack())
    configuration.clock = clock.function
    return try WardenApp(database: db, configuration: configuration)
}

/// `count` logs written as the pipeline writes them (text, member, channel, time), without judging each.
private func seedLogs(_ db: any Database, guild: UInt64 = guildID, count: Int, text: @escaping @Sendable (Int) -> String, at when: Date) async throws {
    let base = Int64(1_350_000_000_000_000_000) + Int64(guild % 1000) * 10_000_000
    for start in stride(from: 0, to: count, by: 500) {
        try await db.transaction { conn in
            for i in start..<min(count, start + 500) {
                _ = try AutomodRepository.insertLog(on: conn, AutomodLogEntry(
                    guildID: Int64(bitPattern: guild), userID: 5_000 + Int64(i % 7), messageID: base + Int64(i), channelID: 7, ruleID: nil,
                    actionTaken: "delete_message", messageContent: text(i), contextJSON: "{}", evidenceJSON: "[]", timestamp: when,
                    violationAt: when))
            }
        }
    }
}

private func rule(_ json: String) throws -> RuleDefinition { try RulePack.rule(json: Array(json.utf8), source: "test") }

@Suite("Rule backtests") struct RuleBacktestTests {
    /// The guild's real logs and appeals: disabling the rule behind them would stop flagging them, and the
    /// approved appeal among them is a false positive fixed, the denied one a violation let through.
    @Test(arguments: allDialects)
    func disablingARuleCountsTheLogsItWouldStopFlaggingByAppeal(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let app = try app(db, clock: clock)
            var logs: [Int64] = []
            for user in [61, 62, 63] as [UInt64] {
                let decision = try await app.pipeline.process(message(scam + " \(user)", user: user, at: clock.date)).decision
                logs.append(try #require(decision.logID))
            }
            let flood = try await app.pipeline.process(message("hello " + String(repeating: "a", count: 60), user: 64, at: clock.date)).decision
            #expect(flood.verdict == .block)
            let approved = try await app.appeals.file(guild: guild, logID: logs[0], user: 61, reason: "a joke")
            _ = try await app.appeals.approve(guild: guild, id: approved.id, moderator: 1)
            let denied = try await app.appeals.file(guild: guild, logID: logs[1], user: 62, reason: "no")
            _ = try await app.appeals.deny(guild: guild, id: denied.id, moderator: 1, note: "a scam")
            _ = try await app.appeals.file(guild: guild, logID: logs[2], user: 63, reason: "please")
            let rulesBefore = try await app.rules.list(guild: guild)
            let auditBefore = try await count(db, "SELECT COUNT(*) AS n FROM admin_log")

            let report = try await app.rules.backtest(guild: guild, change: .disable("crypto-giveaway"))
            #expect(report.change == "disable crypto-giveaway" && report.complete)
            #expect(report.replayed == RuleBacktest.Replayed(logs: 4, messages: 0))
            #expect(report.flaggedBefore == 4 && report.flaggedAfter == 1, "the flood stays flagged (per-message spam is replayed)")
            #expect(report.noLongerFlagged.count == 3)
            #expect(report.noLongerFlagged.appeals == RuleBacktest.Appeals(approved: 1, denied: 1, pending: 1))
            #expect(report.newlyFlagged.count == 0)
            let newest = try #require(report.noLongerFlagged.examples.first)
            #expect(newest.logID == logs[2] && newest.appeal == .pending && newest.before.rules.contains("crypto-giveaway"))
            #expect(report.leftOut.contains { $0.hasPrefix("message-rate (spam rate") })
            #expect(report.notes.contains { $0.contains("allowed messages are not logged") })
            // Nothing was saved: the rule is still on, nothing audited, and the live rules still block the scam.
            #expect(try await app.rules.list(guild: guild) == rulesBefore)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM admin_log") == auditBefore)
            #expect(try await app.rules.dryRun(guild: guild, message: message(scam, at: clock.date)).verdict == .block)
        }
    }

    /// Logs are read in keyset pages, newest first; only this guild's; the admin's messages count apart.
    @Test(arguments: allDialects)
    func aNewRuleIsReplayedOverEveryPageOfTheGuildsLogsAndTheAdminsMessages(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let app = try app(db, clock: clock)
            _ = try await app.rules.list(guild: guild)   // the default pack, as a first message would import it
            try await seedLogs(db, count: 1_234, text: { $0 % 2 == 0 ? "pineapple pizza number \($0)" : "plain message \($0)" }, at: clock.date)
            try await seedLogs(db, guild: otherGuild, count: 50, text: { "pineapple elsewhere \($0)" }, at: clock.date)
            let newest = try await count(db, "SELECT MAX(id) AS n FROM automod_logs WHERE guild_id = \(guild)")
            var limits = RuleBacktest.Limits()
            limits.pageSize = 100
            let samples = [message("pineapple for everyone", at: clock.date), message("nothing to see", at: clock.date)]
            let report = try await app.rules.backtest(guild: guild, change: .put([try rule(pineapple)]), messages: samples, limits: limits)
            #expect(report.replayed == RuleBacktest.Replayed(logs: 1_234, messages: 2) && report.complete)
            #expect(report.newlyFlagged.count == 618 && report.newlyFlagged.fromLogs == 617 && report.newlyFlagged.fromMessages == 1)
            #expect(report.noLongerFlagged.count == 0 && report.flaggedBefore == 0)
            #expect(report.newlyFlagged.examples.count == 20)
            #expect(report.newlyFlagged.examples.first?.source == .messages)
            let logExamples = report.newlyFlagged.examples.compactMap(\.logID)
            #expect(logExamples.first == newest - 1 && logExamples == logExamples.sorted(by: >), "newest first: \(logExamples.prefix(3))")
            #expect(report.newlyFlagged.examples.last?.after == RuleBacktest.Judgement(verdict: .flag, rules: ["no-pineapple"]))
        }
    }

    /// Past the log limit or the time budget the answer says so and is marked incomplete.
    @Test(arguments: allDialects)
    func limitsStopTheReplayAndSaySo(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let app = try app(db, clock: clock)
            try await seedLogs(db, count: 300, text: { "pineapple \($0)" }, at: clock.date)
            var limits = RuleBacktest.Limits()
            limits.maxLogs = 120
            limits.pageSize = 50
            let capped = try await app.rules.backtest(guild: guild, change: .put([try rule(pineapple)]), limits: limits)
            #expect(capped.replayed.logs == 120 && !capped.complete && capped.newlyFlagged.count == 120)
            #expect(capped.notes.contains("stopped at the newest 120 logs (the limit); older logs were not replayed"))
            // Exactly at the limit with nothing older: complete.
            limits.maxLogs = 300
            #expect(try await app.rules.backtest(guild: guild, change: .put([try rule(pineapple)]), limits: limits).complete)

            limits.timeBudget = .zero
            let hurried = try await app.rules.backtest(guild: guild, change: .put([try rule(pineapple)]), limits: limits)
            #expect(!hurried.complete && hurried.replayed.logs == 0)
            #expect(hurried.notes.contains { $0.hasPrefix("stopped after the newest 0 logs: the 0 s time budget ran out") })
            // The budget is checked before every message too, not once per batch.
            let given = (0..<3).map { message("pineapple \($0)", user: 70 + UInt64($0), at: clock.date) }
            let cut = try await app.rules.backtest(guild: guild, change: .put([try rule(pineapple)]), messages: given, limits: limits)
            #expect(!cut.complete && cut.replayed.messages == 0 && cut.replayed.logs == 0)
            #expect(cut.notes.contains { $0.hasPrefix("stopped after 0 of the 3 messages given, before any log: the 0 s time budget ran out") })
        }
    }

    /// One backtest per guild, and two across guilds: a third waits its turn (409), a finished one frees its slot.
    @Test func backtestsTakeASlot() async throws {
        try await withStore(.sqlite) { db in
            let app = try app(db, clock: TestClock())
            let change = RuleChange.put([try rule(pineapple)])
            try app.rules.backtests.claim(guild: guild)
            await #expect(throws: RuleError.backtestRunning(guild: guild, running: 1, limit: 2)) {
                try await app.rules.backtest(guild: guild, change: change)
            }
            try app.rules.backtests.claim(guild: 9)
            await #expect(throws: RuleError.backtestRunning(guild: nil, running: 2, limit: 2)) {
                try await app.rules.backtest(guild: Int64(otherGuild), change: change)
            }
            app.rules.backtests.release(guild: guild)
            app.rules.backtests.release(guild: 9)
            #expect(try await app.rules.backtest(guild: guild, change: change).complete)
            // Its slot was given back: the next one runs too.
            #expect(try await app.rules.backtest(guild: guild, change: change).complete)
        }
    }

    /// A change that saving would refuse is refused the same way; too many messages are refused before any work.
    @Test(arguments: allDialects)
    func refusalsAreTheSavesOwn(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let app = try app(db, clock: clock)
            await #expect(throws: RuleError.ruleNotFound("no-such-rule", guild: guild)) {
                _ = try await app.rules.backtest(guild: guild, change: .enable("no-such-rule"))
            }
            var limits = RuleBacktest.Limits()
            limits.maxMessages = 1
            await #expect(throws: RuleError.tooManyBacktestMessages(2, limit: 1)) {
                _ = try await app.rules.backtest(guild: guild, change: .put([try rule(pineapple)]),
                                                 messages: [message("a"), message("b")], limits: limits)
            }
            // A guild allowed 3 keywords: a put of 4 is refused as saving it would be, naming the limit.
            let small = RuleDesk(database: db, guilds: GuildDirectory(database: db, defaultPack: [], limits: RuleLimits(keywords: 3, patterns: 3, bytes: 2_000)))
            let four = #"{"name": "four", "type": "content", "keywords": ["a", "b", "c", "d"]}"#
            do {
                _ = try await small.backtest(guild: guild, change: .put([try rule(four)]))
                Issue.record("a rule set past the keyword limit was backtested")
            } catch let error as RuleError {
                guard case .ruleLimit(let exceeded, _) = error else { Issue.record("expected rule_limit, got \(error)"); return }
                #expect(exceeded.limit == "keywords" && exceeded.total == 4)
            }
        }
    }
}
