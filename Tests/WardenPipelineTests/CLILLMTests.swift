import Foundation
import Testing
import WardenTestSupport
import WardenLLMTestServer

/// `warden scan`, `events`, `quota` and `llm ping` as a user runs them, against the test LLM server.
@Suite struct CLILLMTests {
    let scratch: URL
    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("warden-cli-llm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }
    var database: String { "sqlite:" + scratch.appendingPathComponent("cli.sqlite").path }

    func llmEnvironment(_ server: FakeLLMServer) -> [String: String] {
        ["WARDEN_LLM_BASE_URL": server.baseURL, "WARDEN_LLM_MODEL": "fake-automod", "WARDEN_LLM_MAX_ATTEMPTS": "2"]
    }

    static func line(id: Int, user: Int, content: String, minute: Int) -> String {
        let text = String(decoding: (try? JSONEncoder().encode(content)) ?? Data("\"\"".utf8), as: UTF8.self)
        return #"{"id":"\#(1_400_000_000_000_000_000 + id)","guild_id":"1100000000000000001","channel_id":"7","author":{"id":"\#(user)","username":"u\#(user)"},"content":\#(text),"timestamp":"2026-11-22T10:\#(String(format: "%02d", minute)):00.000000+00:00"}"#
    }

    @Test func scanRunsAIRulesAndDeliversLateVerdictsAsEvents() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { try? await server.shutdown() } }
        let env = llmEnvironment(server)
        let set = try Warden.run(["settings", "set", "llm_deadline_ms", "5000", "--guild", "1100000000000000001", "--database", database])
        #expect(set.status == 0, "\(set.stderr)")
        let input = scratch.appendingPathComponent("in.jsonl")
        try [Self.line(id: 1, user: 901, content: "honestly just kys", minute: 1),
             Self.line(id: 2, user: 902, content: "good luck in the finals tonight!", minute: 2),
             Self.line(id: 3, user: 903, content: "[[slow:12000]] kys, nobody likes you", minute: 3)]
            .joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)

        let scan = try Warden.run(["scan", input.path, "--database", database, "--rules", defaultPackPath, "--prompts", promptsPath],
                                  environment: env)
        #expect(scan.status == 0, "\(scan.stderr)")
        let decisions = scan.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(decisions.count == 3)
        func stage(_ d: [String: Any]) -> String { (d["stages"] as? [String: String])?["llm"] ?? "" }
        #expect(decisions[0]["verdict"] as? String == "block" && stage(decisions[0]) == "done")
        #expect((decisions[0]["analysis"] as? [String: Any])?["prompt_hash"] is String)
        #expect(decisions[1]["verdict"] as? String == "allow" && stage(decisions[1]) == "done")
        #expect(stage(decisions[2]).hasPrefix("pending"))
        #expect(scan.stderr.contains("waiting for 1 late LLM verdict"))

        let events = try Warden.run(["events", "--guild", "1100000000000000001", "--after", "0", "--database", database])
        #expect(events.status == 0)
        let eventLines = events.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(eventLines.count == 1)
        let payload = eventLines.first?["payload"] as? [String: Any]
        #expect(eventLines.first?["kind"] as? String == "llm_verdict")
        #expect(payload?["message_id"] as? String == "1400000000000000003")
        #expect(payload?["verdict"] as? String == "block")
        let id = eventLines.first?["id"] as? Int ?? 0
        let after = try Warden.run(["events", "--guild", "1100000000000000001", "--after", String(id), "--database", database])
        #expect(after.stdout.isEmpty)

        let quota = try Warden.run(["quota", "901", "--guild", "1100000000000000001", "--database", database, "--json"])
        let status = try JSONSerialization.jsonObject(with: Data(quota.stdout.utf8)) as? [String: Any]
        #expect(status?["tier"] as? String == "free" && status?["used"] as? Int == 1 && status?["remaining"] as? Int == 4)
    }

    @Test func withoutAProviderScanSaysTheStageIsOff() throws {
        let input = scratch.appendingPathComponent("in.jsonl")
        try Self.line(id: 10, user: 910, content: "hello there", minute: 1).write(to: input, atomically: true, encoding: .utf8)
        let scan = try Warden.run(["scan", input.path, "--database", database, "--rules", defaultPackPath])
        #expect(scan.status == 0)
        #expect(scan.stdout.contains(#""llm":"off: no LLM provider is configured"#))
    }

    @Test func pingExitsZeroOnAnAnswerAndNamesTheProvidersError() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { try? await server.shutdown() } }
        server.setFallback { _ in .chat(content: #"{"ok": true}"#) }
        let ok = try Warden.run(["llm", "ping"], environment: llmEnvironment(server).merging(["WARDEN_LLM_MAX_ATTEMPTS": "1"]) { $1 })
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("ok: generic model"))

        server.setFallback { _ in .rateLimited(retryAfter: "120") }
        let limited = try Warden.run(["llm", "ping"], environment: llmEnvironment(server))
        #expect(limited.status != 0)
        #expect(limited.stderr.contains("HTTP 429") && limited.stderr.contains("rate_limited"))

        server.setFallback { _ in .insufficientQuota }
        let broke = try Warden.run(["llm", "ping"], environment: llmEnvironment(server))
        #expect(broke.status != 0 && broke.stderr.contains("insufficient_quota"))

        server.setFallback { _ in .delayed(.seconds(10), .chat(content: #"{"ok": true}"#)) }
        let started = Date()
        let slow = try Warden.run(["llm", "ping", "--deadline", "1"], environment: llmEnvironment(server))
        #expect(slow.status != 0)
        #expect(Date().timeIntervalSince(started) < 5, "the deadline bounds the ping")

        let off = try Warden.run(["llm", "ping"])
        #expect(off.status != 0 && off.stderr.contains("WARDEN_LLM_BASE_URL"))
    }
}
