import Foundation
import Synchronization
import Testing
import WardenCore
import WardenLLMTestServer
import WardenStore
import WardenTestSupport
@testable import WardenSupport

/// The support commands as a newcomer runs them, and a worker killed mid-job.
@Suite("Support CLI") struct SupportCLITests {
    /// Closes the fixture tickets, starts `warden support work`, kills it (SIGKILL) while jobs are in flight, and
    /// starts it again: every summary and proposal is written exactly once and every job ends `done`.
    @Test(arguments: allDialects)
    func killingTheWorkerMidJobAndRestartingFinishesEveryJobExactlyOnce(_ dialect: SQLDialect) async throws {
        if dialect == .postgres, TestStores.skipPostgres, (try? TestStores.postgresURL()) == nil { return }
        let server = try await FakeLLMServer.start()
        defer { Task { try? await server.shutdown() } }
        let recorded = SupportModel.responder(summaries: try SupportModel.recordedSummaries(fromJSONL: ticketFixtures))
        // The first 12 calls are answered; the rest are held until after the kill, so the kill finds calls
        // in flight and summaries missing however slowly this test gets to run (with answers merely slow,
        // a loaded machine once let the worker write all 65 before the kill).
        let answered = Mutex(0)
        server.setFallback { request in
            let n = answered.withLock { n -> Int in n += 1; return n }
            return n <= 12 ? .delayed(.milliseconds(100), recorded(request)) : .held(timeout: .seconds(120), recorded(request))
        }
        let environment = ["WARDEN_LLM_BASE_URL": server.baseURL, "WARDEN_LLM_MODEL": "fake-support"]
        let fixtures = try FixtureTicket.load()

        try await TestStores.withURL(dialect) { url, db in
            let common = ["--database", url, "--prompts", promptsPath]
            let imported = try Warden.run(["tickets", "import", ticketFixtures.path, "--database", url])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains("imported \(fixtures.count) ticket(s)"))

            let worker = try Warden.start(["support", "work", "--lease", "2", "--concurrency", "4"] + common, environment: environment)
            var summaries = 0, inFlight = 0
            let started = Date()
            // Killed once 8 summaries are written and calls are held (so jobs are in flight).
            while summaries < 8 || inFlight == 0 || server.heldCount == 0, worker.isRunning, Date().timeIntervalSince(started) < 120 {
                try await Task.sleep(for: .milliseconds(20))
                summaries = try await count(db, "SELECT COUNT(*) AS n FROM ticket_summaries")
                inFlight = try await count(db, "SELECT COUNT(*) AS n FROM jobs WHERE status = 'running'")
            }
            try #require(worker.isRunning, "the worker finished before it could be killed")
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
            #expect(worker.terminationReason == .uncaughtSignal)
            let atKill = try await count(db, "SELECT COUNT(*) AS n FROM ticket_summaries")
            let running = try await count(db, "SELECT COUNT(*) AS n FROM jobs WHERE status = 'running'")
            print("support worker killed [\(dialect)]: \(atKill) of \(fixtures.count) summaries written, \(running) jobs held by the dead worker")
            #expect(atKill <= 12)
            #expect(running > 0)
            // The restarted worker gets its answers at once; the dead one's held calls go nowhere.
            server.setFallback { request in .delayed(.milliseconds(20), recorded(request)) }
            server.releaseHeld()

            // Its leases run out; a new worker takes over.
            try await Task.sleep(for: .milliseconds(2_500))
            let restart = try Warden.run(["support", "work", "--lease", "60", "--concurrency", "4"] + common, environment: environment)
            #expect(restart.status == 0, "\(restart.stderr)")
            #expect(restart.stdout.contains("0 failed; 0 waiting"), "\(restart.stdout)")

            #expect(try await count(db, "SELECT COUNT(*) AS n FROM ticket_summaries") == fixtures.count)
            #expect(try await count(db, "SELECT COUNT(DISTINCT ticket_id) AS n FROM ticket_summaries") == fixtures.count)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'ticket_summary' AND status = 'done'") == fixtures.count)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM jobs WHERE status <> 'done'") == 0)
            // One proposal per cluster of 3 or more, no more.
            let big = try await count(db, """
                SELECT COUNT(*) AS n FROM (SELECT cluster_key FROM ticket_summaries GROUP BY cluster_key HAVING COUNT(*) >= 3) AS big
                """)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM faq_proposals") == big)
            #expect(try await count(db, "SELECT COUNT(DISTINCT cluster_key) AS n FROM faq_proposals") == big)
            let calls = server.requests.filter { $0.bodyText.contains("warden_ticket_summary") }.count
            print("support worker restarted [\(dialect)]: \(fixtures.count) summaries, \(big) proposals; \(calls) summary calls (\(calls - fixtures.count) repeated for jobs in flight at the kill)")
            #expect(calls >= fixtures.count)
        }
    }

    @Test func faqAndVerificationCommandsWorkEndToEnd() async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        let environment = ["WARDEN_LLM_BASE_URL": server.baseURL, "WARDEN_LLM_MODEL": "fake-support"]
        try await TestStores.withURL(.sqlite) { url, db in
            let store = ["--database", url]
            #expect(try Warden.run(["tickets", "import", ticketFixtures.path] + store).status == 0)
            let work = try Warden.run(["support", "work", "--prompts", promptsPath] + store, environment: environment)
            #expect(work.status == 0, "\(work.stderr)")
            let guild = try FixtureTicket.load()[0].guild_id
            let list = try Warden.run(["faq", "proposals", "--guild", guild] + store)
            let first = try #require(list.stdout.split(separator: "\n").first, "no proposals: \(list.stdout)")
            let id = try #require(first.split(separator: " ").first?.dropFirst()).description
            let show = try Warden.run(["faq", "show", id, "--guild", guild] + store)
            #expect(show.stdout.contains("source tickets:"))
            let approve = try Warden.run(["faq", "approve", id, "--guild", guild, "--by", "7", "--title", "How do I get my refund?",
                                          "--keywords", "refund,money back"] + store)
            #expect(approve.status == 0, "\(approve.stderr)")
            let search = try Warden.run(["faq", "search", "money back", "--guild", guild, "--user", "9"] + store)
            #expect(search.stdout.contains("How do I get my refund?"), "\(search.stdout)")
            let again = try Warden.run(["faq", "approve", id, "--guild", guild, "--by", "7"] + store)
            #expect(again.status != 0 && again.stderr.contains("is approved, not pending"))

            try await setVerificationPolicy(db, guild: Int64(guild) ?? 0)
            // The screenshots' dates are relative to 2026-11-20; the CLI uses the real clock, so only the
            // date-independent outcomes are checked here.
            let wrong = try Warden.run(["verify", screenshotFixtures.appendingPathComponent("wrong-merchant.png").path, "--guild", guild,
                                        "--user", "31", "--prompts", promptsPath] + store, environment: environment)
            #expect(wrong.status == 0, "\(wrong.stderr)")
            #expect(wrong.stdout.contains("manual_review") && wrong.stdout.contains("Patreon"), "\(wrong.stdout)")
            let notImage = try Warden.run(["verify", screenshotFixtures.appendingPathComponent("not-an-image.png").path, "--guild", guild,
                                           "--user", "31"] + store, environment: environment)
            #expect(notImage.status != 0 && notImage.stderr.contains("not an image"))
            let pending = try Warden.run(["verifications", "pending", "--guild", guild] + store)
            let vid = try #require(pending.stdout.split(separator: " ").first?.dropFirst()).description
            let resolve = try Warden.run(["verifications", "resolve", vid, "--guild", guild, "--by", "7", "--reject", "wrong shop"] + store)
            #expect(resolve.stdout.contains("closed_manual"), "\(resolve.stdout) \(resolve.stderr)")
            let both = try Warden.run(["verifications", "resolve", vid, "--guild", guild, "--by", "7", "--verified", "--reject", "x"] + store)
            #expect(both.status != 0 && both.stderr.contains("exactly one"))
        }
    }

    /// A ticket from open to a deflection and its transcript, as a newcomer types the README's commands.
    @Test(arguments: allDialects)
    func deflectionAndTranscriptCommandsWorkEndToEnd(_ dialect: SQLDialect) async throws {
        if dialect == .postgres, TestStores.skipPostgres, (try? TestStores.postgresURL()) == nil { return }
        try await TestStores.withURL(dialect) { url, db in
            let store = ["--database", url], guild = "1100000000000000001"
            let draft = try Warden.run(["support", "faq", "draft", "--guild", guild, "--by", "77", "--title", "Premium did not unlock after paying",
                                        "--answer", "Link your Ko-fi email with /premium link.", "--keywords", "premium,kofi"] + store)
            #expect(draft.status == 0, "\(draft.stderr)")
            #expect(try Warden.run(["support", "faq", "approve", "1", "--guild", guild, "--by", "77"] + store).status == 0)
            let opened = try Warden.run(["support", "tickets", "open", "--guild", guild, "--user", "42", "--username", "sam",
                                         "--description", "premium did not unlock <b>after</b> paying"] + store)
            let ticket = opened.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let suggest = try Warden.run(["support", "tickets", "suggest", ticket, "--guild", guild] + store)
            #expect(suggest.stdout.contains("1. FAQ entry #1: Premium did not unlock after paying"), "\(suggest.stdout) \(suggest.stderr)")
            let wrong = try Warden.run(["support", "tickets", "solved", ticket, "--guild", guild, "--entry", "1", "--user", "43"] + store)
            #expect(wrong.status != 0 && wrong.stderr.contains("did not open ticket"))
            let solved = try Warden.run(["support", "tickets", "solved", ticket, "--guild", guild, "--entry", "1", "--user", "42"] + store)
            #expect(solved.stdout.contains("ticket \(ticket): closed, solved by FAQ entry #1"), "\(solved.stdout) \(solved.stderr)")
            let figures = try Warden.run(["support", "faq", "deflection", "--guild", guild] + store)
            #expect(figures.stdout.contains("1 ticket(s) opened, 1 got a suggestion (100.0%), 1 deflected (100.0%)"), "\(figures.stdout)")
            #expect(figures.stdout.contains("#1 Premium did not unlock after paying: deflected 1 of 1"))
            let json = try Warden.run(["support", "faq", "deflection", "--guild", guild, "--json"] + store)
            #expect(json.stdout.contains(#""deflection_rate":1"#), "\(json.stdout)")

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("transcript-\(UUID().uuidString).html")
            defer { try? FileManager.default.removeItem(at: file) }
            let html = try Warden.run(["support", "tickets", "transcript", ticket, "--guild", guild, "--format", "html", "--output", file.path] + store)
            #expect(html.status == 0, "\(html.stderr)")
            let page = try String(contentsOf: file, encoding: .utf8)
            #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("premium did not unlock &lt;b&gt;after&lt;/b&gt; paying"))
            let markdown = try Warden.run(["support", "tickets", "transcript", ticket, "--guild", guild, "--format", "markdown"] + store)
            #expect(markdown.stdout.contains("> premium did not unlock \\<b\\>after\\<\\/b\\> paying"), "\(markdown.stdout)")
            let unknown = try Warden.run(["support", "tickets", "transcript", ticket, "--guild", guild, "--format", "pdf"] + store)
            #expect(unknown.status != 0 && unknown.stderr.contains("json, markdown, html"))
            let other = try Warden.run(["support", "tickets", "transcript", ticket, "--guild", "5"] + store)
            #expect(other.status != 0 && other.stderr.contains("does not exist in guild 5"))
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM faq_suggestions WHERE outcome = 'solved'") == 1)
        }
    }

    private func count(_ db: any Database, _ sql: String) async throws -> Int {
        try await db.transaction { conn in Int(try conn.queryFirst(sql)?.int("n") ?? 0) }
    }
}
