import Foundation
import Testing
import WardenApp
import WardenCore
import WardenLLM
import WardenLLMTestServer
import WardenStore
import WardenTestSupport
@testable import WardenPipeline

let promptsPath = repositoryRoot.appendingPathComponent("prompts").path
let guildID: UInt64 = 1_100_000_000_000_000_001

/// A pipeline with the LLM stage against the test server (its automod model answers by keywords:
/// "kys" harassment, "i want to die" self-harm, "[[slow:N]]" waits N ms, "[[fail:500]]" fails).
func makeLLMPipeline(_ db: any Database, server: FakeLLMServer, clock: TestClock = TestClock(),
                     deadline: Duration = .seconds(20), maxAttempts: Int = 1) async throws -> MessagePipeline {
    try await makeLLMApp(db, server: server, clock: clock, deadline: deadline, maxAttempts: maxAttempts).pipeline
}

/// The whole app with the LLM stage against the test server (see `makeLLMPipeline`).
func makeLLMApp(_ db: any Database, server: FakeLLMServer, clock: TestClock = TestClock(),
                deadline: Duration = .seconds(20), maxAttempts: Int = 1) async throws -> WardenApp {
    // Generous unless a test sets its own first: a loaded CI machine must not turn answers into "pending".
    let existing = try await db.transaction { conn in
        try SettingsRepository.get(on: conn, guild: Int64(guildID), scope: GuildPolicy.scope, key: "llm_deadline_ms")?.value
    }
    if existing == nil {
        try await setting(db, "llm_deadline_ms", "15000")
    }
    var config = LLMConfiguration(baseURL: server.baseURL, defaultModel: "fake-automod", callDeadline: deadline)
    config.retry = RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(10))
    var appConfiguration = WardenApp.Configuration(defaultPack: try loadDefaultPack(), llm: config)
    appConfiguration.prompts = promptsPath
    appConfiguration.clock = clock.function
    return try WardenApp(database: db, configuration: appConfiguration)
}

func setting(_ db: any Database, scope: String = GuildPolicy.scope, _ key: String, _ json: String) async throws {
    try await SettingsRepository(database: db).set(guild: Int64(guildID), scope: scope, key: key, valueJSON: json, valueType: nil, by: nil)
}

func withLLMServer(_ body: (FakeLLMServer) async throws -> Void) async throws {
    let server = try await FakeLLMServer.start()
    do { try await body(server) } catch { try? await server.shutdown(); throw error }
    try await server.shutdown()
}

@Suite("LLM stage") struct LLMStageTests {
    @Test(arguments: allDialects)
    func verdictInTimeActsAndStoresTheAnalysis(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            try await withLLMServer { server in
                let pipeline = try await makeLLMPipeline(db, server: server)
                let result = try await pipeline.process(message("honestly just kys already", user: 501))
                let decision = result.decision
                #expect(decision.stages["llm"] == "done")
                #expect(decision.verdict == .block)
                #expect(decision.matches.contains { $0.stage == .llm && $0.evidence.category == "harassment" && ($0.evidence.confidence ?? 0) > 0.9 })
                #expect(decision.actions.contains { $0.type == .timeout })
                let analysis = try #require(decision.analysis)
                #expect(analysis.promptHash.count == 64 && analysis.model != nil)
                let logID = try #require(decision.logID)
                let stored = try await db.transaction { conn in
                    try conn.queryFirst("SELECT ai_analysis FROM automod_logs WHERE id = $1", [.int(logID)])?.string("ai_analysis")
                }
                let json = try JSONValue.parse(try #require(stored))
                #expect(json["prompt_hash"]?.stringValue == analysis.promptHash)
                #expect(json["scores"]?["harassment"]?.numberValue ?? 0 > 0.9)
                // One call counted against the member's quota.
                #expect(try await QuotaGate(database: db, clock: TestClock().function).status(user: 501, guild: Int64(guildID)).used == 1)
            }
        }
    }

    @Test(arguments: allDialects)
    func cleanMessagesAreAllowedWithTheAnalysisAndNoLog(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            try await withLLMServer { server in
                let result = try await makeLLMPipeline(db, server: server).process(message("anyone up for a raid tonight?", user: 502))
                #expect(result.decision.verdict == .allow)
                #expect(result.decision.analysis?.primaryCategory == "none")
                #expect(result.decision.logID == nil)
                #expect(try await count(db, "SELECT COUNT(*) AS n FROM automod_logs") == 0)
            }
        }
    }

    @Test func selfHarmAlertsModeratorsAndPunishesNobody() async throws {
        try await withStore(.sqlite) { db in
            try await withLLMServer { server in
                let result = try await makeLLMPipeline(db, server: server).process(message("i want to die, nothing matters", user: 503))
                let decision = result.decision
                #expect(decision.verdict == .flag)
                #expect(decision.actions.map(\.type) == [.alert])
                #expect(decision.matches.allSatisfy { $0.action.type == .alert })
                #expect(try await count(db, "SELECT COUNT(*) AS n FROM automod_user_history WHERE total_points > 0") == 0)
            }
        }
    }

    @Test func cheaperStagesBlockingSkipsTheModel() async throws {
        try await withStore(.sqlite) { db in
            try await withLLMServer { server in
                let result = try await makeLLMPipeline(db, server: server)
                    .process(message("FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim", user: 504))
                #expect(result.decision.verdict == .block)
                #expect(result.decision.stages["llm"]?.hasPrefix("skipped: already blocked") == true)
                #expect(server.requests.isEmpty)
            }
        }
    }

    @Test(arguments: allDialects)
    func slowVerdictIsPendingThenDeliveredOnceAsAnEvent(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            try await withLLMServer { server in
                try await setting(db, "llm_deadline_ms", "200")
                let pipeline = try await makeLLMPipeline(db, server: server)
                _ = try await pipeline.guilds.context(for: Snowflake(guildID))   // the first load imports the pack
                // The model's answer is held back until the test releases it (or 30 s pass): if the pipeline
                // waited for it, `process` would return only after the hold and the answer would be gone.
                let slow = message("[[hold:30000]] kys loser", user: 505)
                let result = try await pipeline.process(slow)
                // On a loaded machine the request may reach the server just after the answer went out.
                let arrival = ContinuousClock.now + .seconds(10)
                while server.requests.isEmpty && ContinuousClock.now < arrival {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(server.heldCount == 1, "the bot's answer went out while the model's was still held back")
                #expect(try await count(db, "SELECT COUNT(*) AS n FROM events") == 0)
                #expect(result.decision.stages["llm"]?.hasPrefix("pending") == true)
                #expect(result.decision.verdict == .allow)
                #expect(try await count(db, "SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued'") == 1)

                server.releaseHeld()
                let llm = try #require(pipeline.llm)
                #expect(await llm.drain(timeout: .seconds(30)) == 0)
                let events = try await db.transaction { conn in try EventRepository.list(on: conn, guild: Int64(guildID), after: 0, limit: 10) }
                #expect(events.count == 1)
                let event = try #require(events.first)
                #expect(event.kind == "llm_verdict")
                let payload = try JSONDecoder().decode(Decision.self, from: Data(event.payloadJSON.utf8))
                #expect(payload.messageID == result.decision.messageID)
                #expect(payload.stages["llm"] == "done")
                #expect(payload.actions.contains { $0.type == .timeout })
                #expect(payload.logID != nil && payload.analysis != nil)
                #expect(try await count(db, "SELECT COUNT(*) AS n FROM jobs WHERE status = 'done'") == 1)
                #expect(try await count(db, "SELECT COUNT(*) AS n FROM automod_logs WHERE ai_analysis IS NOT NULL") == 1)
                // A re-delivery gets the first decision and does not ask the model again.
                let calls = server.requests.count
                let again = try await pipeline.process(slow)
                #expect(again.replayed)
                #expect(server.requests.count == calls)
            }
        }
    }

    @Test(arguments: allDialects)
    func aVerdictLeftByACrashedProcessIsFinishedExactlyOnce(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            try await withLLMServer { server in
                try await setting(db, "llm_deadline_ms", "100")
                let clock = TestClock()
                // The first process answers with the verdict pending, then "dies": it never writes the verdict.
                let first = try await makeLLMPipeline(db, server: server, clock: clock)
                first.llm?.abandonsLateVerdicts.withLock { $0 = true }
                func lateVerdicts(_ app: WardenApp) throws -> JobRunner { try #require(app.jobRunner(only: [LateVerdictJob.kind])) }
                let result = try await first.process(message("[[slow:600]] kys", user: 506))
                #expect(result.decision.stages["llm"]?.hasPrefix("pending") == true)
                #expect(try await count(db, "SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued'") == 1)
                // A process started before the lease ran out leaves the job alone.
                let early = try await makeLLMApp(db, server: server, clock: clock)
                #expect(try await lateVerdicts(early).runOnce().leased == 0)
                // One started after it finishes the job from the stored payload.
                clock.advance(3600)
                let second = try lateVerdicts(try await makeLLMApp(db, server: server, clock: clock))
                #expect(try await second.runOnce().finished == 1)
                #expect(try await second.runOnce().leased == 0)
                let events = try await db.transaction { conn in try EventRepository.list(on: conn, guild: Int64(guildID), after: 0, limit: 10) }
                #expect(events.count == 1)
                let payload = try JSONDecoder().decode(Decision.self, from: Data(try #require(events.first).payloadJSON.utf8))
                #expect(payload.messageID == result.decision.messageID && payload.actions.contains { $0.type == .timeout })
                #expect(try await count(db, "SELECT COUNT(*) AS n FROM automod_logs") == 1)
                #expect(try await count(db, "SELECT COUNT(*) AS n FROM jobs WHERE status = 'done'") == 1)
                // The member was charged once: the resumed call is the same call, not a new one.
                #expect(try await QuotaGate(database: db, clock: clock.function).status(user: 506, guild: Int64(guildID)).used == 1)
            }
        }
    }

    @Test(arguments: allDialects)
    func concurrentMessagesCannotOverrunTheQuota(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            try await withLLMServer { server in
                let pipeline = try await makeLLMPipeline(db, server: server)
                _ = try await pipeline.guilds.context(for: Snowflake(guildID))
                let notes = try await withThrowingTaskGroup(of: String.self) { group in
                    for i in 0..<16 {
                        group.addTask {
                            let at = Date(timeIntervalSince1970: 1_800_000_000 + Double(i) * 300)
                            return try await pipeline.process(message("question number \(i) about the raid schedule for week \(i * 7)", user: 512, at: at))
                                .decision.stages["llm"] ?? ""
                        }
                    }
                    var all: [String] = []
                    for try await note in group { all.append(note) }
                    return all
                }
                #expect(notes.filter { $0 == "done" }.count == 5)
                #expect(notes.filter { $0.hasPrefix("skipped: the member's daily LLM quota") }.count == 11)
                #expect(server.requests.count == 5)
                #expect(try await QuotaGate(database: db, clock: TestClock().function).status(user: 512, guild: Int64(guildID)).used == 5)
            }
        }
    }

    @Test func anAnswerThatCannotBeUsedGoesToModeratorsEvenWhenFailingOpen() async throws {
        try await withStore(.sqlite) { db in
            try await withLLMServer { server in
                server.setFallback { _ in .chat(content: #"{"scores": {"hate": 2}, "verdict": "safe"}"#) }
                let result = try await makeLLMPipeline(db, server: server).process(message("something odd", user: 513))
                #expect(result.decision.verdict == .flag)
                #expect(result.decision.actions.map(\.type) == [.alert])
                let note = try #require(result.decision.stages["llm"])
                #expect(note.hasPrefix("error: the model's answer could not be used"))
                #expect(!note.contains("safe"), "nothing the model wrote is copied into the decision")
                // The model answered: the call counts.
                #expect(try await QuotaGate(database: db, clock: TestClock().function).status(user: 513, guild: Int64(guildID)).used == 1)
            }
        }
    }

    @Test(arguments: allDialects)
    func outageFailsOpenByDefaultAndRefundsTheQuota(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            try await withLLMServer { server in
                let result = try await makeLLMPipeline(db, server: server).process(message("[[fail:500]] hello", user: 507))
                #expect(result.decision.verdict == .allow)
                let note = try #require(result.decision.stages["llm"])
                #expect(note.hasPrefix("unavailable: not moderated by the LLM (fail_open)"))
                #expect(note.contains("500"))
                #expect(try await QuotaGate(database: db, clock: TestClock().function).status(user: 507, guild: Int64(guildID)).used == 0)
            }
        }
    }

    @Test func outageCanSendTheMessageToModerators() async throws {
        try await withStore(.sqlite) { db in
            try await withLLMServer { server in
                try await setting(db, "llm_on_outage", "\"fail_to_review\"")
                try await setting(db, "mod_channel_id", "\"999\"")
                let result = try await makeLLMPipeline(db, server: server).process(message("[[fail:500]] hello", user: 508))
                #expect(result.decision.verdict == .flag)
                #expect(result.decision.actions.map(\.type) == [.alert])
                #expect(result.decision.stages["llm"]?.hasPrefix("unavailable: sent to moderators for review") == true)
                #expect(result.decision.logID != nil)
            }
        }
    }

    @Test(arguments: allDialects)
    func theQuotaSkipsTheModelOnceUsedUp(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            try await withLLMServer { server in
                let pipeline = try await makeLLMPipeline(db, server: server)
                var notes: [String] = []
                let texts = ["good morning everyone", "did anyone see the patch notes?", "the new map is huge",
                             "who wants to queue later", "my cat just knocked over my coffee", "brb dinner"]
                for (i, text) in texts.enumerated() {
                    let at = Date(timeIntervalSince1970: 1_800_000_000 + Double(i) * 120)   // slow enough for the flood rules
                    notes.append(try await pipeline.process(message(text, user: 509, at: at)).decision.stages["llm"] ?? "")
                }
                #expect(notes.prefix(5).allSatisfy { $0 == "done" })
                #expect(notes[5].hasPrefix("skipped: the member's daily LLM quota is used up (5 of 5 today, tier free)"))
                #expect(server.requests.count == 5)
                // A monthly subscriber of this guild gets 25.
                try await db.transaction { conn in
                    try QuotaRepository.insertSubscription(on: conn, user: 510, guild: Int64(guildID), tier: "monthly", status: "active",
                                                           expiresAt: TestClock().date.addingTimeInterval(86_400 * 30), at: TestClock().date)
                }
                #expect(try await QuotaGate(database: db, clock: TestClock().function).status(user: 510, guild: Int64(guildID)).limit == 25)
            }
        }
    }

    @Test func withoutAProviderTheStageSaysItIsOff() async throws {
        try await withStore(.sqlite) { db in
            let result = try await makePipeline(db, pack: try loadDefaultPack()).process(message("kys", user: 511))
            #expect(result.decision.stages["llm"]?.hasPrefix("off:") == true)
        }
    }
}
