import Foundation
import Logging
import ServiceLifecycle
import WardenApp
import WardenCore
import WardenLLM
import WardenPipeline
import WardenServer
import WardenStore

// `warden-bench --console`: issue 12's page budget. A guild holding `logs` automod logs (the benchmark corpus's
// texts, with decisions and escalation points as the pipeline writes them, spread over 30 days) and `appeals`
// appeals of them (a third decided) is served by an in-process `warden serve`; an admin signed in through the
// sign-in form fetches each console page `repeats` times over loopback HTTP (libcurl), one at a time. Prints each
// page's median, 95th percentile and worst time, which bound the server-side render time from above.

func consoleBench(packPath: String, logs: Int, appeals: Int, repeats: Int, postgres: String?) async {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-console-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    await consoleRun(url: "sqlite:" + directory.appendingPathComponent("console.sqlite").path, label: "SQLite", packPath: packPath,
                     logs: logs, appeals: appeals, repeats: repeats)
    if let postgres {
        await consoleRun(url: postgres, label: "PostgreSQL", packPath: packPath, logs: logs, appeals: appeals, repeats: repeats)
    } else {
        print("  PostgreSQL: skipped (give --postgres URL or WARDEN_BENCH_POSTGRES_URL)")
    }
}

private func consoleRun(url: String, label: String, packPath: String, logs: Int, appeals: Int, repeats: Int) async {
    do {
        let database = try await DatabaseOpener.open(url: url)
        let (pack, _) = try RulePackDirectory.load(packPath)
        let wardenApp = try WardenApp(database: database, configuration: WardenApp.Configuration(defaultPack: pack))
        let guild = Int64(1_100_000_000_000_000_000 + Int64.random(in: 10_000...99_999))
        let rules = try await wardenApp.rules.list(guild: guild).rules
        let seeding = ContinuousClock.now
        let firstAppeal = try await seedConsole(database: database, guild: guild, rules: rules.map(\.id), logs: logs, appeals: appeals)
        if database.dialect == .postgres {
            try await database.transaction { conn in
                for table in ["automod_logs", "automod_appeals", "automod_stats"] { _ = try conn.execute("ANALYZE \(table)", []) }
            }
        }
        print("  \(label): seeded \(logs) logs and \(appeals) appeals in \(String(format: "%.1f", Double(nanos(ContinuousClock.now - seeding)) / 1e9)) s")

        var configuration = WardenService.Configuration()
        configuration.port = 0
        let service = try WardenService(app: wardenApp, configuration: configuration)
        let token = try await service.tokens.create(role: .admin, guild: nil, label: "console bench", user: 901).token
        let (server, services, port) = await startService(service)
        let base = "http://127.0.0.1:\(port)"
        let transport = CurlTransport(maxConnections: 2, userAgent: "warden-bench")

        // Signing in as a browser does: the form's one-time cookie and CSRF value, then the post.
        let form = try await transport.send(HTTPRequest(method: "GET", url: base + "/console/signin"))
        let once = cookieValue("warden_signin", form)
        let csrf = String(decoding: form.body, as: UTF8.self).firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) } ?? ""
        let body = "csrf=\(csrf)&token=\(token)"
        let signedIn = try await transport.send(HTTPRequest(method: "POST", url: base + "/console/signin",
                                                            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", "warden_signin=\(once)")],
                                                            body: Array(body.utf8)))
        let session = cookieValue("warden_console", signedIn)
        guard !session.isEmpty else { fail("console bench: sign-in failed (HTTP \(signedIn.status))") }

        let g = "/console/guilds/\(UInt64(bitPattern: guild))"
        let middleAppeal = firstAppeal + Int64(appeals / 2)
        let member = 100_000 + 17
        let pages: [(String, String)] = [
            ("dashboard", g), ("appeal queue", "\(g)/appeals"), ("appeal queue, rule+age filter", "\(g)/appeals?rule=\(rules.first?.definition.name ?? "slurs")&age=month"),
            ("appeal queue, deep page", "\(g)/appeals?before=\(middleAppeal)"), ("appeal detail", "\(g)/appeals/\(middleAppeal)"),
            ("approved appeals", "\(g)/appeals?status=approved"), ("log search", "\(g)/logs"), ("log search, member", "\(g)/logs?member=\(member)"),
            ("log search, verdict+dates", "\(g)/logs?verdict=flag&from=2026-01-01&to=2099-01-01"), ("rules with figures", "\(g)/rules"),
            ("rule editor", "\(g)/rules/\(rules.first?.definition.name ?? "slurs")"), ("rule tester", "\(g)/tester"),
            ("settings", "\(g)/settings"), ("FAQ proposals", "\(g)/proposals"), ("FAQ", "\(g)/faq"), ("verifications", "\(g)/verifications"),
            ("tokens", "/console/tokens"),
        ]
        print("  \(label): page (\(repeats) fetches each, sequential)      median     p95     worst   bytes")
        for (name, path) in pages {
            var times: [Double] = []
            var bytes = 0
            for _ in 0..<repeats {
                let started = ContinuousClock.now
                let response = try await transport.send(HTTPRequest(method: "GET", url: base + path, headers: [("Cookie", "warden_console=\(session)")]))
                times.append(Double(nanos(ContinuousClock.now - started)) / 1e6)
                guard response.status == 200 else { fail("console bench: \(path) answered \(response.status)") }
                bytes = response.body.count
            }
            times.sort()
            let p95 = times[min(times.count - 1, Int(Double(times.count) * 0.95))]
            print("    " + name.padding(toLength: 40, withPad: " ", startingAt: 0)
                  + String(format: "%7.1f ms %7.1f ms %7.1f ms %7d", times[times.count / 2], p95, times.last ?? 0, bytes))
        }
        transport.shutdown()
        await services.triggerGracefulShutdown()
        _ = try? await server.value
        await database.close()
    } catch {
        print("  \(label): failed: \(error)")
    }
}

private func cookieValue(_ name: String, _ response: HTTPResponse) -> String {
    for header in response.headers where header.name.lowercased() == "set-cookie" && header.value.hasPrefix(name + "=") {
        return String(header.value.dropFirst(name.count + 1).prefix { $0 != ";" })
    }
    return ""
}

/// Writes the logs (decisions with verdicts and points, over the last 30 days), their rules' daily stats, and
/// appeals of the first `appeals` logs (a third decided); returns the first appeal's id.
private func seedConsole(database: any Database, guild: Int64, rules: [Int64], logs: Int, appeals: Int) async throws -> Int64 {
    let corpus = Corpus.generate(count: logs, seed: 12)
    let now = Date()
    var firstAppeal: Int64 = 0
    var logIDs: [Int64] = []
    logIDs.reserveCapacity(logs)
    for start in stride(from: 0, to: corpus.count, by: 2_000) {
        let slice = corpus[start..<min(corpus.count, start + 2_000)]
        let ids = try await database.transaction { conn -> [Int64] in
            var ids: [Int64] = []
            // The daily counts the pipeline's writer keeps beside its logs.
            var daily: [String: Int] = [:]
            for (offset, message) in slice.enumerated() {
                let i = start + offset
                let when = now.addingTimeInterval(-Double(logs - i) * (30 * 86_400 / Double(max(1, logs))))
                let user = Int64(100_000 + i % 5_000)
                let verdict = i % 3 == 0 ? "block" : "flag"
                let context = #"{"verdict":"\#(verdict)","escalation":{"points":\#(Double(i % 17)),"level":\#(i % 4)}}"#
                let evidence = #"[{"view":"skeleton","keyword":"word","text":"word","start":0,"end":4}]"#
                ids.append(try AutomodRepository.insertLog(on: conn, AutomodLogEntry(
                    guildID: guild, userID: user, messageID: Int64(7_000_000_000 + i), channelID: message.channelID.int64,
                    ruleID: rules.isEmpty ? nil : rules[i % rules.count], actionTaken: verdict == "block" ? "delete_message+timeout" : "alert",
                    messageContent: message.content, contextJSON: context, evidenceJSON: evidence, timestamp: when, violationAt: when,
                    verdict: verdict)))
                daily[UTCDay.of(when) + "|" + verdict, default: 0] += 1
                if let rule = rules.isEmpty ? nil : rules[i % rules.count], i % 50 == 0 {
                    try AutomodRepository.recordTrigger(on: conn, guild: guild, rule: rule, day: UTCDay.of(when), responseMillis: 1, at: when)
                }
            }
            for (key, count) in daily.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: "|").map(String.init)
                try AutomodRepository.countDecisions(on: conn, guild: guild, day: parts[0], verdict: parts[1], count: count)
            }
            return ids
        }
        logIDs += ids
    }
    let appealed = Array(logIDs.prefix(appeals))
    for start in stride(from: 0, to: appealed.count, by: 2_000) {
        let end = min(appealed.count, start + 2_000)
        let first = try await database.transaction { conn -> Int64 in
            var first: Int64 = 0
            for i in start..<end {
                let log = appealed[i]
                let user = Int64(100_000 + i % 5_000)
                guard let appeal = try AppealRepository.insert(on: conn, guild: guild, log: log, user: user, reason: "please look again (\(i))", at: now)
                else { continue }
                if first == 0 { first = appeal.id }
                let status = i % 3 == 0 ? "approved" : i % 3 == 1 ? "denied" : "pending"
                if status != "pending" { _ = try AppealRepository.decide(on: conn, guild: guild, id: appeal.id, status: status, by: 900, note: "bench", at: now) }
                try AppealRepository.setLogAppealStatus(on: conn, guild: guild, log: log, status: status)
            }
            return first
        }
        if firstAppeal == 0 { firstAppeal = first }
    }
    return firstAppeal
}
