import Foundation
import Testing
@testable import WardenStore
@testable import WardenPipeline
import WardenCore

@Suite struct PipelineStoreTests {
    @Test(arguments: allDialects)
    func fixturesDecideAsLabelledAndEverythingIsLogged(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let pipeline = try makePipeline(db, pack: try loadDefaultPack())
            let lines = try String(contentsOfFile: fixturesPath + "/messages.jsonl", encoding: .utf8).split(separator: "\n")
            let expected = try String(contentsOfFile: fixturesPath + "/messages.expected.jsonl", encoding: .utf8).split(separator: "\n")
            let messages = try lines.map { try MessageDecoder().decode(Data($0.utf8)) }
            // Two batches, so a batch boundary falls inside the spam burst.
            let results = try await pipeline.process(Array(messages[..<40])) + pipeline.process(Array(messages[40...]))
            #expect(results.count == expected.count)
            var flagged = 0
            for (result, line) in zip(results, expected) {
                let want = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                let verdict = want["expect"] as? String ?? "?"
                let rules = Set(want["rules"] as? [String] ?? [])
                #expect(result.decision.verdict.rawValue == verdict, "line \(want["line"] ?? "?"): \(want["why"] ?? "")")
                #expect(Set(result.decision.matches.map(\.rule)) == rules, "line \(want["line"] ?? "?")")
                if result.decision.verdict != .allow && !result.replayed { flagged += 1 }
                if result.decision.verdict != .allow { #expect(result.decision.logID != nil) }
            }
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM automod_logs") == Int64(flagged))
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM automod_logs WHERE appeal_status = 'none' AND rule_id IS NOT NULL") == Int64(flagged))
            #expect(try await count(db, "SELECT COUNT(DISTINCT message_id) AS n FROM message_decisions") == Int64(Set(messages.map(\.id)).count))
            #expect(try await count(db, "SELECT COALESCE(SUM(triggers_count), 0) AS n FROM automod_stats") > 0)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM automod_rules") == Int64(try loadDefaultPack().count))
        }
    }

    @Test(arguments: allDialects)
    func redeliveryReturnsTheSameDecisionAndChangesNothing(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let pack = try loadDefaultPack()
            let scam = message("FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim")
            let first = try await makePipeline(db, pack: pack).process(scam)
            #expect(first.decision.verdict == .block && !first.replayed)
            func snapshot() async throws -> [Int64] {
                [try await count(db, "SELECT COUNT(*) AS n FROM automod_logs"),
                 try await count(db, "SELECT COALESCE(SUM(triggers_count), 0) AS n FROM automod_stats"),
                 try await count(db, "SELECT COALESCE(SUM(violation_count), 0) AS n FROM automod_user_history"),
                 try await count(db, "SELECT COUNT(*) AS n FROM message_decisions")]
            }
            let before = try await snapshot()
            // Same pipeline (spam windows remember it) and a new one (as after a restart).
            let again = try await makePipeline(db, pack: pack).process(scam)
            let sameProcess = try await makePipeline(db, pack: pack).process([scam, scam])
            #expect(again.replayed && sameProcess.allSatisfy(\.replayed))
            #expect(again.decision == first.decision)
            #expect(sameProcess.map(\.decision) == [first.decision, first.decision])
            #expect(try await snapshot() == before)
        }
    }

    @Test(arguments: allDialects)
    func rememberedDecisionsExpireAfterTheRetention(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let pipeline = try makePipeline(db, pack: try loadDefaultPack(), clock: clock)
            _ = try await pipeline.process([message("hello there"), message("second one")])
            #expect(try await pipeline.pruneRememberedDecisions() == 0)
            clock.advance(MessagePipeline.decisionRetention + 60)
            #expect(try await pipeline.pruneRememberedDecisions() == 2)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM message_decisions") == 0)
        }
    }

    @Test(arguments: allDialects)
    func escalationClimbsEveryStepAndDecays(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let rules = try RulePack.parse(files: [("t.yaml", """
            rules:
              - {name: bad-word, type: content, keywords: [bananas], action: {type: delete, severity: 2, points: 2}}
            """)]).rules
            let pipeline = try makePipeline(db, pack: rules, clock: clock)
            var punishments: [String] = []
            var levels: [Int] = []
            for _ in 0..<6 {
                let result = try await pipeline.process(message("I love bananas", at: clock.date))
                levels.append(result.decision.escalation?.level ?? -1)
                let p = result.decision.actions.first { [.timeout, .ban, .kick, .warn].contains($0.type) }
                punishments.append(p.map { "\($0.type.rawValue)\($0.durationSeconds.map { ":\($0)" } ?? "")" } ?? "none")
                clock.advance(60)
            }
            // 2 points a minute with a 72 h half-life: 2, 3.9996, 5.999, 7.998, 9.997, 11.996 against steps at
            // 3, 6 and 10, so the decay that keeps 6 and 10 just out of reach is visible too.
            #expect(levels == [0, 1, 1, 2, 2, 3])
            #expect(punishments == ["none", "timeout:600", "timeout:600", "timeout:3600", "timeout:3600", "ban"])
            // A month later the points have decayed away.
            clock.advance(30 * 86_400)
            let later = try await pipeline.process(message("bananas again", at: clock.date))
            #expect(later.decision.escalation?.previousLevel == 0)
            #expect(later.decision.escalation?.level == 0)
            let stored = try await db.transaction { conn in
                try AutomodRepository.points(on: conn, guild: 1_100_000_000_000_000_001, user: 42)
            }
            #expect(stored.map(\.violationCount) == [7])
        }
    }

    @Test(arguments: allDialects)
    func aRuleThatKeepsHittingItsLimitIsDisabledInTheStore(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let rules = try RulePack.parse(files: [("t.yaml", """
            rules:
              - {name: evil, type: regex, patterns: ['(a+)+$'], views: [folded]}
              - {name: scam, type: content, keywords: [scam]}
            """)]).rules
            let pipeline = try makePipeline(db, pack: rules)
            let text = String(repeating: "a", count: 3990) + "! scam"
            var results: [ProcessedMessage] = []
            for _ in 0..<CompiledRule.failuresBeforeDisable { results.append(try await pipeline.process(message(text))) }
            #expect(results.allSatisfy { $0.decision.errors.first?.code == "match_limit" })
            #expect(results.allSatisfy { $0.decision.matches.map(\.rule) == ["scam"] })
            #expect(results.last?.decision.errors.first?.disabled == true)
            #expect(results.last?.decision.actions.contains { $0.type == .alert && ($0.content ?? "").contains("evil") } == true)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM automod_rules WHERE name = 'evil' AND enabled = \(dialect == .sqlite ? "0" : "false")") == 1)
            // A new process loads the rule disabled.
            let fresh = try await makePipeline(db, pack: rules).process(message(text))
            #expect(fresh.decision.errors.isEmpty)
        }
    }

    @Test(arguments: allDialects)
    func settingsChangesAreAuditedAndApplied(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let ladder = #"{"steps":[{"points":1,"action":{"type":"kick","severity":4}}],"half_life_hours":1}"#
            let settings = SettingsRepository(database: db)
            try await settings.set(guild: 5, scope: "automod", key: "escalation_ladder", valueJSON: ladder, valueType: "json", by: 99)
            try await settings.set(guild: 5, scope: "automod", key: "mod_channel_id", valueJSON: #""777""#, valueType: "channel", by: 99)
            #expect(try await settings.history(guild: 5, scope: "automod", key: "escalation_ladder").count == 1)
            let rules = try RulePack.parse(files: [("t.yaml", "rules:\n  - {name: w, type: content, keywords: [bananas]}\n")]).rules
            let result = try await makePipeline(db, pack: rules).process(message("bananas", guild: 5))
            #expect(result.decision.actions.map(\.type) == [.deleteMessage, .kick, .alert])
            #expect(result.decision.actions.last?.channelID == Snowflake(777))
        }
    }

    @Test(arguments: allDialects)
    func concurrentMessagesFromOneUserKeepExactPoints(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let rules = try RulePack.parse(files: [("t.yaml", "rules:\n  - {name: w, type: content, keywords: [bananas], action: {type: delete, severity: 1, points: 1}}\n")]).rules
            let clock = TestClock()
            let pipeline = try makePipeline(db, pack: rules, clock: clock)
            _ = try await pipeline.guilds.context(for: Snowflake(1_100_000_000_000_000_001))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 { group.addTask { _ = try await pipeline.process(message("bananas")) } }
                try await group.waitForAll()
            }
            let stored = try await db.transaction { conn in
                try AutomodRepository.points(on: conn, guild: 1_100_000_000_000_000_001, user: 42)
            }
            #expect(stored.first?.violationCount == 40)
            #expect(abs((stored.first?.totalPoints ?? 0) - 40) < 1e-6)   // the clock stands still: no decay
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM automod_logs") == 40)
        }
    }
}
