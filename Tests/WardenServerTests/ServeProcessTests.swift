import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import WardenTestSupport

/// The real `warden serve` process: it starts on a free port of the embedded SQLite default, answers with
/// a token made by `warden token create`, and on SIGTERM finishes the request in flight before exiting 0.
@Suite("warden serve")
struct ServeProcessTests {
    @Test func servesAndFinishesInFlightRequestsOnSIGTERM() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = "sqlite:" + directory.appendingPathComponent("warden.db").path
        let server = try Warden.start(["serve", "--port", "0", "--database", database, "--rules", defaultPackPath, "--log-content"])
        defer { if server.isRunning { server.terminate() } }
        let port = try await Self.listeningPort(server)

        let created = try Warden.run(["token", "create", "--role", "bot", "--database", database])
        #expect(created.status == 0)
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        #expect(token.hasPrefix("wdn_"))

        let base = "http://127.0.0.1:\(port)"
        let message = messageJSON("hello from the process test\nforged log line")
        let (decision, status) = try await Self.request("\(base)/v1/messages", token: token, body: message.json)
        #expect(status == 200 && decision.contains(#""verdict":"allow""#))
        // Asked for, the text is logged escaped: the newline in it cannot start a forged line.
        let log = try await Self.read(server, until: "judged")
        #expect(log.contains(#"hello from the process test\nforged log line"#))
        #expect(!log.split(separator: "\n").contains { $0.hasPrefix("forged") })

        // A long-poll in flight when SIGTERM arrives is answered (at once, with nothing new, rather than
        // holding the stop for its whole wait), then the process exits cleanly.
        async let poll = Self.request("\(base)/v1/guilds/\(guildA)/events?after=0&wait=30", token: token, body: nil)
        // SIGTERM only once the server holds the long-poll (in flight beside the scrape that asks).
        let holding = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < holding {
            let (metrics, _) = try await Self.request("\(base)/metrics", token: token, body: nil)
            if metrics.contains("warden_http_requests_in_flight 2") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let stopped = ContinuousClock.now
        server.terminate()
        let (page, pollStatus) = try await poll
        #expect(pollStatus == 200 && page.contains(#""events":[]"#), "the long-poll was answered: \(pollStatus) \(page)")
        #expect(ContinuousClock.now - stopped < .seconds(20), "it did not wait out its 30 s")
        let deadline = ContinuousClock.now + .seconds(20)
        while server.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!server.isRunning)
        #expect(server.terminationStatus == 0)
    }

    /// Reads the server's log until `marker` appears.
    static func read(_ process: ChildProcess, until marker: String) async throws -> String {
        var text = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while !text.contains(marker) && ContinuousClock.now < deadline {
            let data = process.standardError.availableData
            if data.isEmpty { try await Task.sleep(for: .milliseconds(50)); continue }
            text += String(decoding: data, as: UTF8.self)
        }
        return text
    }

    /// Reads the server's log until it says where it listens.
    static func listeningPort(_ process: ChildProcess) async throws -> Int {
        var text = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let data = process.standardError.availableData
            if data.isEmpty { try await Task.sleep(for: .milliseconds(50)); continue }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: "url=http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), port > 0, text[range.upperBound...].dropFirst(digits.count).first != nil { return port }
            }
        }
        throw Failure("the server did not say where it listens: \(text)")
    }

    static func request(_ url: String, token: String, body: String?) async throws -> (String, Int) {
        guard let target = URL(string: url) else { throw Failure("bad url \(url)") }
        var request = URLRequest(url: target)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 30
        if let body {
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (String(decoding: data, as: UTF8.self), (response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
