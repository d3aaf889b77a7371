import Foundation
import Testing
import WardenCore
import WardenStore
import WardenTestSupport
@testable import WardenPipeline

/// Messages the default pack acts on: a crypto doubling scam (timeout 1 day, 4 points), a fake Discord gift
/// domain (ban, 5 points), a character flood (delete only, 1 point).
private let timeoutScam = "ETH GIVEAWAY! we are giving away 500 ETH, send 0.1 eth and receive 2x back instantly https://eth-event.org/claim"
private let banScam = "FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim"
private let flood = "hello " + String(repeating: "a", count: 60)

private let member: UInt64 = 4_242
private let moderator: Int64 = 9_001
private let otherGuild: UInt64 = 1_100_000_000_000_000_002

/// A logged automod action against `member` in the test guild, through the real pipeline.
private func logged(_ db: any Database, _ content: String, clock: TestClock, user: UInt64 = member,
                    guild: UInt64 = guildID) async throws -> Decision {
    let decision = try await makePipeline(db, pack: try loadDefaultPack(), clock: clock)
        .process(message(content, guild: guild, user: user, at: clock.date)).decision
    #expect(decision.verdict != .allow, "the default pack should act on: \(content)")
    return decision
}

private func double(_ db: any Database, _ sql: String, _ binds: [SQLValue] = []) async throws -> Double {
    try await db.transaction { conn in try conn.queryFirst(sql, binds)?.optionalDouble("n") ?? -1 }
}

private func memberPoints(_ db: any Database, user: UInt64 = member) async throws -> Double {
    try await double(db, "SELECT COALESCE(SUM(total_points), 0) AS n FROM automod_user_history WHERE guild_id = $1 AND user_id = $2",
                     [.int(Int64(guildID)), .int(Int64(user))])
}

private func falsePositives(_ db: any Database) async throws -> Int64 {
    try await count(db, "SELECT COALESCE(SUM(false_positives), 0) AS n FROM automod_stats")
}

private func logStatus(_ db: any Database, _ log: Int64) async throws -> String? {
    try await db.transaction { conn in
        try conn.queryFirst("SELECT appeal_status FROM automod_logs WHERE id = $1", [.int(log)])?.optionalString("appeal_status")
    }
}

private func events(_ db: any Database, kind: String) async throws -> [JSONValue] {
    try await db.transaction { conn in
        try EventRepository.list(on: conn, guild: Int64(guildID), after: 0, limit: 100).filter { $0.kind == kind }
            .map { try JSONValue.parse($0.payloadJSON) }
    }
}

@Suite("Appeal desk") struct AppealDeskTests {
    /// A backlog: an old message judged now counts its points from its own time, so approving its appeal
    /// gives back what is left of them then, and a later violation's points stay whole.
    @Test(arguments: allDialects)
    func aBacklogAppealRefundsFromTheViolationsTimeNotTheLogs(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let pipeline = try makePipeline(db, pack: try loadDefaultPack(), clock: clock)
            let tenDaysAgo = clock.date.addingTimeInterval(-10 * 86_400)
            // Judged now, but sent ten days ago; then the same member's fresh violation.
            let old = try await pipeline.process(message(timeoutScam, user: member, at: tenDaysAgo)).decision
            let oldLog = try #require(old.logID)
            let fresh = try await pipeline.process(message(timeoutScam + " again", user: member, at: clock.date)).decision
            #expect(fresh.verdict != .allow)
            let before = try await memberPoints(db)
            #expect(before > 4 && before < 8, "the old violation has decayed: \(before)")

            let desk = AppealDesk(database: db, clock: clock.function)
            let appeal = try await desk.file(guild: Int64(guildID), logID: oldLog, user: Int64(member), reason: "old news")
            _ = try await desk.approve(guild: Int64(guildID), id: appeal.id, moderator: moderator)
            // Only the decayed remainder went back: the fresh violation's 4 points stay.
            let left = try await memberPoints(db)
            #expect(abs(left - 4) < 0.001, "left \(left)")
        }
    }

    @Test(arguments: allDialects)
    func approvingGivesThePointsBackCountsAFalsePositiveAndLiftsTheTimeout(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let decision = try await logged(db, timeoutScam, clock: clock)
            #expect(decision.actions.contains { $0.type == .timeout })
            let logID = try #require(decision.logID)
            #expect(try await memberPoints(db) == 4)

            clock.advance(3_600)
            let desk = AppealDesk(database: db, clock: clock.function)
            let appeal = try await desk.file(guild: Int64(guildID), logID: logID, user: Int64(member), reason: "  It was a joke about scams.  ")
            #expect(appeal.status == .pending && appeal.reason == "It was a joke about scams." && appeal.logID == logID)
            #expect(appeal.userID == Snowflake(member) && appeal.decidedBy == nil && appeal.createdAt == clock.date)
            #expect(try await logStatus(db, logID) == "pending")

            let pending = try await desk.pending(guild: Int64(guildID))
            #expect(pending.count == 1)
            let view = try #require(pending.first)
            #expect(view.appeal == appeal)
            #expect(view.log.id == logID && view.log.messageContent == timeoutScam && view.log.messageID == decision.messageID)
            #expect(view.log.channelID == decision.channelID && view.log.actionTaken.contains("timeout"))
            #expect(view.log.appealStatus == .pending)
            #expect(view.rule?.name == "crypto-giveaway" && view.rule?.type == "regex")
            #expect(view.evidence?.arrayValue?.first?["text"]?.stringValue?.isEmpty == false)
            #expect(view.aiAnalysis == nil)
            #expect(try await desk.show(guild: Int64(guildID), id: appeal.id) == view)

            let outcome = try await desk.approve(guild: Int64(guildID), id: appeal.id, moderator: moderator, note: "fair enough")
            #expect(outcome.view.appeal.status == .approved && outcome.view.appeal.note == "fair enough")
            #expect(outcome.view.appeal.decidedBy == Snowflake(UInt64(moderator)) && outcome.view.appeal.decidedAt == clock.date)
            #expect(outcome.view.log.appealStatus == .approved)
            #expect(outcome.refundedPoints == ["regex": 4])
            #expect(outcome.actions == [DiscordAction(type: .removeTimeout, userID: Snowflake(member), reason: "Automod appeal \(appeal.id) approved")])

            // Points and the violation are given back; the rule's false positive lands on the log's day.
            #expect(try await memberPoints(db) == 0)
            #expect(try await count(db, "SELECT COALESCE(SUM(violation_count), 0) AS n FROM automod_user_history") == 0)
            #expect(try await falsePositives(db) == 1)
            #expect(try await count(db, """
                SELECT COUNT(*) AS n FROM automod_stats s JOIN automod_rules r ON r.id = s.rule_id
                WHERE r.name = 'crypto-giveaway' AND s.false_positives = 1 AND s.triggers_count = 1
                """) == 1)
            #expect(try await logStatus(db, logID) == "approved")

            // The bot is told what to undo.
            let reversals = try await events(db, kind: AppealDesk.reversalEventKind)
            #expect(reversals.count == 1)
            let payload = try #require(reversals.first)
            #expect(payload["appeal_id"]?.numberValue == Double(appeal.id) && payload["log_id"]?.numberValue == Double(logID))
            #expect(payload["message_id"]?.stringValue == decision.messageID?.description)
            #expect(payload["user_id"]?.stringValue == String(member))
            let actions = try #require(payload["actions"]?.arrayValue)
            #expect(actions.count == 1)
            #expect(actions.first?["type"]?.stringValue == "remove_timeout" && actions.first?["user_id"]?.stringValue == String(member))

            // Audited with the appeal before and after.
            let audit = try await db.transaction { conn in try AdminLogRepository.entries(on: conn, targetType: "appeal", targetID: String(appeal.id)) }
            #expect(audit.count == 1)
            let entry = try #require(audit.first)
            #expect(entry.action == "appeal.approve" && entry.actorID == moderator && entry.guildID == Int64(guildID))
            let before = try JSONValue.parse(try #require(entry.beforeJSON)), after = try JSONValue.parse(try #require(entry.afterJSON))
            #expect(before["status"]?.stringValue == "pending" && before["note"] == .null)
            #expect(after["status"]?.stringValue == "approved" && after["note"]?.stringValue == "fair enough")
            #expect(after["decided_by"]?.stringValue == String(moderator))

            // One appeal per log, and a decided appeal stays decided.
            await #expect(throws: AppealError.alreadyAppealed(log: logID, status: .approved)) {
                try await desk.file(guild: Int64(guildID), logID: logID, user: Int64(member), reason: "again")
            }
            await #expect(throws: AppealError.alreadyDecided(appeal: appeal.id, status: .approved)) {
                try await desk.approve(guild: Int64(guildID), id: appeal.id, moderator: moderator)
            }
            #expect(try await desk.pending(guild: Int64(guildID)).isEmpty)
            #expect(try await desk.list(guild: Int64(guildID), status: .approved, limit: 10).map(\.appeal.id) == [appeal.id])
            #expect(try await falsePositives(db) == 1)
        }
    }

    @Test(arguments: allDialects)
    func aBanIsLiftedAndADeletionAloneHasNothingToUndo(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let desk = AppealDesk(database: db, clock: clock.function)
            let banned = try await logged(db, banScam, clock: clock, user: 501)
            #expect(banned.actions.contains { $0.type == .ban })
            let flooded = try await logged(db, flood, clock: clock, user: 502)
            #expect(flooded.actions.map(\.type) == [.deleteMessage, .alert])

            for (decision, user) in [(banned, 501), (flooded, 502)] {
                let appeal = try await desk.file(guild: Int64(guildID), logID: try #require(decision.logID), user: Int64(user), reason: "not me")
                let outcome = try await desk.approve(guild: Int64(guildID), id: appeal.id, moderator: moderator)
                #expect(outcome.view.appeal.note == nil)
                #expect(try await memberPoints(db, user: UInt64(user)) == 0)
            }
            let reversals = try await events(db, kind: AppealDesk.reversalEventKind)
            #expect(reversals.map { $0["actions"]?.arrayValue?.compactMap { $0["type"]?.stringValue } } == [["unban"], []])
            #expect(reversals.map { $0["user_id"]?.stringValue } == ["501", "502"])
            #expect(try await falsePositives(db) == 2)
        }
    }

    @Test(arguments: allDialects)
    func onlyTheMemberCanAppealTheirOwnLogInThisGuild(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let desk = AppealDesk(database: db, clock: clock.function)
            let logID = try #require(try await logged(db, timeoutScam, clock: clock).logID)
            let elsewhere = try #require(try await logged(db, timeoutScam, clock: clock, guild: otherGuild).logID)

            // Another guild's log and a log that does not exist look the same.
            await #expect(throws: AppealError.logNotFound(elsewhere, guild: Int64(guildID))) {
                try await desk.file(guild: Int64(guildID), logID: elsewhere, user: Int64(member), reason: "mine")
            }
            await #expect(throws: AppealError.logNotFound(999_999, guild: Int64(guildID))) {
                try await desk.file(guild: Int64(guildID), logID: 999_999, user: Int64(member), reason: "mine")
            }
            await #expect(throws: AppealError.notYourLog(log: logID, user: 77)) {
                try await desk.file(guild: Int64(guildID), logID: logID, user: 77, reason: "let me appeal for my friend")
            }
            await #expect(throws: AppealError.invalidReason("is empty")) {
                try await desk.file(guild: Int64(guildID), logID: logID, user: Int64(member), reason: " \n ")
            }
            await #expect(throws: AppealError.self) {
                try await desk.file(guild: Int64(guildID), logID: logID, user: Int64(member), reason: String(repeating: "x", count: 2_001))
            }
            #expect(try await logStatus(db, logID) == "none")
            #expect(try await desk.list(guild: Int64(guildID), status: nil, limit: 10).isEmpty)

            let appeal = try await desk.file(guild: Int64(guildID), logID: logID, user: Int64(member), reason: String(repeating: "x", count: 2_000))
            // Appeals and their ids are per guild too.
            await #expect(throws: AppealError.appealNotFound(appeal.id, guild: Int64(otherGuild))) {
                try await desk.approve(guild: Int64(otherGuild), id: appeal.id, moderator: moderator)
            }
            await #expect(throws: AppealError.appealNotFound(appeal.id, guild: Int64(otherGuild))) {
                try await desk.show(guild: Int64(otherGuild), id: appeal.id)
            }
            #expect(try await desk.list(guild: Int64(otherGuild), status: nil, limit: 10).isEmpty)
            #expect(try await desk.show(guild: Int64(guildID), id: appeal.id).appeal.status == .pending)
        }
    }

    @Test(arguments: allDialects)
    func theAppealWindowIsTheGuildsSetting(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let desk = AppealDesk(database: db, clock: clock.function)
            let logID = try #require(try await logged(db, timeoutScam, clock: clock).logID)
            clock.advance(14 * 86_400)
            let atTheEdge = try #require(try await logged(db, timeoutScam, clock: clock, user: 503).logID)
            _ = try await desk.file(guild: Int64(guildID), logID: atTheEdge, user: 503, reason: "same day")

            clock.advance(86_400)
            await #expect(throws: AppealError.windowClosed(log: logID, days: 14)) {
                try await desk.file(guild: Int64(guildID), logID: logID, user: Int64(member), reason: "late")
            }
            #expect(try await logStatus(db, logID) == "none")
            try await setting(db, GuildPolicy.Key.appealWindowDays.rawValue, "30")
            let appeal = try await desk.file(guild: Int64(guildID), logID: logID, user: Int64(member), reason: "late, but allowed")
            #expect(appeal.status == .pending)

            // What `warden settings set` checks, and what the desk says about a value written past it.
            var policy = GuildPolicy()
            #expect(policy.appealWindowDays == 14)
            for bad in ["0", "366", "\"14\"", "1.5"] {
                #expect(throws: (any Error).self) {
                    var scratch = GuildPolicy()
                    try GuildPolicyLoader.apply(.appealWindowDays, json: Data(bad.utf8), to: &scratch)
                }
            }
            try GuildPolicyLoader.apply(.appealWindowDays, json: Data("365".utf8), to: &policy)
            #expect(policy.appealWindowDays == 365)
            let other = try #require(try await logged(db, banScam, clock: clock, user: 504).logID)
            try await setting(db, GuildPolicy.Key.appealWindowDays.rawValue, "0")
            let error = await #expect(throws: AppealError.self) {
                try await desk.file(guild: Int64(guildID), logID: other, user: 504, reason: "hm")
            }
            #expect(error?.code == "invalid_setting")
        }
    }

    @Test(arguments: allDialects)
    func denyingNeedsANoteAndIsFinal(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let desk = AppealDesk(database: db, clock: clock.function)
            let logID = try #require(try await logged(db, timeoutScam, clock: clock).logID)
            let appeal = try await desk.file(guild: Int64(guildID), logID: logID, user: Int64(member), reason: "please")

            for empty in ["", "   "] {
                await #expect(throws: AppealError.invalidNote("is empty")) {
                    try await desk.deny(guild: Int64(guildID), id: appeal.id, moderator: moderator, note: empty)
                }
            }
            await #expect(throws: AppealError.self) {
                try await desk.deny(guild: Int64(guildID), id: appeal.id, moderator: moderator, note: String(repeating: "n", count: 2_001))
            }
            #expect(try await desk.show(guild: Int64(guildID), id: appeal.id).appeal.status == .pending)

            let outcome = try await desk.deny(guild: Int64(guildID), id: appeal.id, moderator: moderator, note: "The link was a real scam.")
            #expect(outcome.view.appeal.status == .denied && outcome.view.appeal.note == "The link was a real scam.")
            #expect(outcome.actions.isEmpty && outcome.refundedPoints.isEmpty)
            #expect(try await logStatus(db, logID) == "denied")
            let denials = try await events(db, kind: AppealDesk.deniedEventKind)
            #expect(denials.count == 1)
            #expect(denials.first?["note"]?.stringValue == "The link was a real scam." && denials.first?["user_id"]?.stringValue == String(member))
            #expect(denials.first?["appeal_id"]?.numberValue == Double(appeal.id) && denials.first?["log_id"]?.numberValue == Double(logID))
            let audit = try await db.transaction { conn in try AdminLogRepository.entries(on: conn, targetType: "appeal", targetID: String(appeal.id)) }
            #expect(audit.map(\.action) == ["appeal.deny"])

            await #expect(throws: AppealError.alreadyDecided(appeal: appeal.id, status: .denied)) {
                try await desk.approve(guild: Int64(guildID), id: appeal.id, moderator: moderator)
            }
            await #expect(throws: AppealError.alreadyDecided(appeal: appeal.id, status: .denied)) {
                try await desk.deny(guild: Int64(guildID), id: appeal.id, moderator: moderator, note: "twice")
            }
            await #expect(throws: AppealError.alreadyAppealed(log: logID, status: .denied)) {
                try await desk.file(guild: Int64(guildID), logID: logID, user: Int64(member), reason: "one more try")
            }
            // Nothing was given back.
            #expect(try await memberPoints(db) == 4)
            #expect(try await falsePositives(db) == 0)
            #expect(try await events(db, kind: AppealDesk.reversalEventKind).isEmpty)
        }
    }

    @Test(arguments: allDialects)
    func concurrentApprovalsChangeThingsOnce(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let logID = try #require(try await logged(db, timeoutScam, clock: clock).logID)
            let appeal = try await AppealDesk(database: db, clock: clock.function)
                .file(guild: Int64(guildID), logID: logID, user: Int64(member), reason: "please")

            // Separate desks, as in separate processes; both start before either commits.
            let results = await withTaskGroup(of: Result<AppealOutcome, any Error>.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let desk = AppealDesk(database: db, clock: clock.function)
                        do { return .success(try await desk.approve(guild: Int64(guildID), id: appeal.id, moderator: moderator)) } catch {
                            return .failure(error)
                        }
                    }
                }
                var all: [Result<AppealOutcome, any Error>] = []
                for await result in group { all.append(result) }
                return all
            }
            let won = results.filter { if case .success = $0 { true } else { false } }
            #expect(won.count == 1)
            for result in results {
                if case .failure(let error) = result {
                    #expect(error as? AppealError == .alreadyDecided(appeal: appeal.id, status: .approved))
                }
            }
            #expect(try await falsePositives(db) == 1)
            #expect(try await memberPoints(db) == 0)
            #expect(try await events(db, kind: AppealDesk.reversalEventKind).count == 1)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM admin_log WHERE action = 'appeal.approve'") == 1)
        }
    }

    @Test func refundsTakeBackOnlyWhatIsLeftOfTheLoggedPoints() {
        let day: TimeInterval = 86_400
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        // 4 points at t0, halved by t0 + 3 days when a valid 3-point violation made the stored total 2 + 3.
        let history = [UserPoints(ruleType: "regex", totalPoints: 5, violationCount: 2, lastViolation: t0.addingTimeInterval(3 * day)),
                       UserPoints(ruleType: "spam", totalPoints: 1, violationCount: 1, lastViolation: t0)]
        let refunds = AppealDesk.refunds(["regex": 4, "content": 2], loggedAt: t0, history: history, halfLifeHours: 72)
        #expect(refunds.count == 1)
        #expect(refunds.first?.record.ruleType == "regex")
        #expect(abs((refunds.first?.record.totalPoints ?? -1) - 3) < 1e-9 && abs((refunds.first?.points ?? -1) - 2) < 1e-9)
        #expect(refunds.first?.record.violationCount == 1)
        // Never below zero (the member's points may have been reset meanwhile).
        let reset = [UserPoints(ruleType: "regex", totalPoints: 1, violationCount: 0, lastViolation: t0)]
        let clamped = AppealDesk.refunds(["regex": 4], loggedAt: t0, history: reset, halfLifeHours: 72)
        #expect(clamped == [AppealDesk.Refund(record: UserPoints(ruleType: "regex", totalPoints: 0, violationCount: 0, lastViolation: t0), points: 1)])
    }

    @Test func viewsEncodeAsTheAPIServesThem() throws {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let view = AppealView(
            appeal: Appeal(id: 3, logID: 17, guildID: Snowflake(guildID), userID: Snowflake(member), reason: "why", status: .pending,
                           createdAt: created),
            log: AppealedAction(id: 17, userID: Snowflake(member), channelID: Snowflake(7), messageID: nil, messageContent: "hi",
                                timestamp: created, actionTaken: "delete_message+timeout", appealStatus: .pending),
            rule: AppealedRule(id: 5, name: "crypto-giveaway", type: "regex"), evidence: [["text": "eth"]], aiAnalysis: nil)
        let data = try JSONEncoder().encode(view)
        let json = try JSONValue.parse(Array(data))
        #expect(json["appeal"]?["guild_id"]?.stringValue == String(guildID) && json["appeal"]?["log_id"]?.numberValue == 17)
        #expect(json["appeal"]?["decided_by"] == .null && json["appeal"]?["created_at"]?.stringValue == "2027-01-15T08:00:00.000Z")
        #expect(json["log"]?["message_id"] == .null && json["log"]?["action_taken"]?.stringValue == "delete_message+timeout")
        #expect(json["ai_analysis"] == .null && json["rule"]?["name"]?.stringValue == "crypto-giveaway")
        #expect(try JSONDecoder().decode(AppealView.self, from: data) == view)
        let sorted = JSONEncoder()
        sorted.outputFormatting = .sortedKeys
        #expect(try sorted.encode(DiscordAction(type: .removeTimeout, userID: Snowflake(1))) == Data(#"{"type":"remove_timeout","user_id":"1"}"#.utf8))
    }
}
