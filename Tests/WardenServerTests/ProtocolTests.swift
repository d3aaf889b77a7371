import Foundation
import Hummingbird
import Testing
import WardenCore
import WardenServer
import WardenStore

/// HTTP itself, sent raw where no client would send it: broken framing, stalls, oversized declarations,
/// methods a path does not answer, and path parameters that need decoding or are out of range.
@Suite("HTTP protocol edges")
struct ProtocolTests {
    /// A request with a chunked body that the route reads; `chunks` is the raw body after the head.
    static func chunked(_ path: String, token: String?, _ chunks: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: localhost\r\n" + (token.map { "Authorization: Bearer \($0)\r\n" } ?? "")
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
    }

    @Test func aBadChunkSizeIsA400WithTheErrorShape() async throws {
        try await withServer(.sqlite) { h in
            let port = h.port, bot = h.tokens[.bot]
            for chunks in ["zz\r\n{}\r\n0\r\n\r\n", "-1\r\n{}\r\n0\r\n\r\n", "ffffffffffffffffff\r\n{}\r\n0\r\n\r\n", "2\r\n{}XX0\r\n\r\n"] {
                let reply = try await RawHTTP.run {
                    let connection = try RawConnection(port: port)
                    try connection.write(Self.chunked("/v1/messages", token: bot, chunks))
                    return (try connection.response(), connection.closedByServer())
                }
                #expect(reply.0.status == 400 && reply.0.errorCode == "bad_request", "\(chunks.debugDescription): \(reply.0.status) \(reply.0.body)")
                #expect(reply.0.headers["connection"] == "close" && reply.1, "the connection closes after a framing error")
            }
            // Nothing of that was the server's failure.
            let metrics = try await h.call(.get, "/metrics", token: nil)
            #expect(!metrics.text.contains(#"status="500""#), "\(metrics.text.split(separator: "\n").filter { $0.contains("status=") })")
        }
    }

    @Test func framingTheParserRefusesBeforeARequestGetsTheErrorShape() async throws {
        try await withServer(.sqlite) { h in
            let port = h.port
            let cases: [(String, String, Int, String)] = [
                ("Content-Length with Transfer-Encoding",
                 "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "bad_request"),
                ("two Content-Length", "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, "bad_request"),
                ("a 20 KB header", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 20_000))\r\n\r\n", 431, "headers_too_large"),
                ("garbage", "\u{16}\u{03}\u{01}hello\r\n\r\n", 400, "bad_request"),
            ]
            for (name, raw, status, code) in cases {
                let response = try await RawHTTP.run {
                    let connection = try RawConnection(port: port)
                    try connection.write(raw)
                    return try connection.response()
                }
                #expect(response.status == status && response.errorCode == code, "\(name): \(response.status) \(response.body)")
                #expect(response.body.hasPrefix(#"{"error":{"code":"#), "\(name): keys in a stable order: \(response.body)")
            }
        }
    }

    @Test(arguments: allDialects)
    func ruleNamesInThePathArePercentDecoded(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let admin = h.tokens[.admin]
            for (encoded, name) in [("a%20b", "a b"), ("%C3%A9t%C3%A9", "été")] {
                let put = try await h.call(.put, "/v1/guilds/\(guildA)/rules/\(encoded)", token: admin,
                                           json: #"{"name": "\#(name)", "type": "content", "keywords": ["zebra"]}"#)
                #expect(put.status == 201, "\(encoded): \(put.status) \(put.text)")
                let disabled = try await h.call(.post, "/v1/guilds/\(guildA)/rules/\(encoded)/disable", token: admin)
                #expect(disabled.status == 200, "\(encoded): \(disabled.status) \(disabled.text)")
            }
            let list = try await h.call(.get, "/v1/guilds/\(guildA)/rules", token: admin)
            #expect(list.text.contains(#""a b""#) && list.text.contains("été"), "\(list.text)")
            let broken = try await h.call(.post, "/v1/guilds/\(guildA)/rules/%zz/enable", token: admin)
            #expect(broken.status == 400 && broken.errorCode == "invalid_parameter")
        }
    }

    @Test func idsOf2To63AndMoreAreRefusedNamingTheParameter() async throws {
        try await withServer(.sqlite) { h in
            for id in ["9223372036854775808", "18446744073709551615", "+5"] {
                let reply = try await h.call(.get, "/v1/guilds/\(id)/rules", token: h.tokens[.admin])
                #expect(reply.status == 400 && reply.errorCode == "invalid_parameter", "\(id): \(reply.status) \(reply.text)")
                #expect(reply.text.contains("'guild'"), "\(reply.text)")
            }
            let largest = try await h.call(.get, "/v1/guilds/9223372036854775807/rules", token: h.tokens[.admin])
            #expect(largest.status == 200, "2^63-1 is still an id: \(largest.status) \(largest.text)")
            let body = try await h.call(.post, "/v1/guilds/\(guildA)/appeals", token: h.tokens[.bot],
                                        json: #"{"log_id": 1, "user_id": "9223372036854775808", "reason": "x"}"#)
            #expect(body.status == 400 && body.errorCode == "invalid_body" && body.text.contains("user_id"), "\(body.text)")
        }
    }

    /// Found by schemathesis on PostgreSQL: a row id past 32 bits (these tables are SERIAL) was a 500 there
    /// and a 404 on SQLite. Both stores now answer 404.
    @Test(arguments: allDialects)
    func rowIDsPast32BitsAreNotFoundOnBothStores(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let admin = h.tokens[.admin]
            let big = "1205577947078838"
            for (method, path, json) in [(HTTPRequest.Method.get, "/v1/guilds/\(guildA)/appeals/\(big)", nil as String?),
                                         (.get, "/v1/guilds/\(guildA)/tickets/\(big)", nil),
                                         (.post, "/v1/guilds/\(guildA)/tickets/\(big)/messages", #"{"author_id": "5", "content": "x"}"#),
                                         (.get, "/v1/guilds/\(guildA)/faq/proposals/\(big)", nil),
                                         (.get, "/v1/guilds/\(guildA)/verifications/\(big)", nil),
                                         (.delete, "/v1/tokens/\(big)", nil),
                                         (.post, "/v1/guilds/\(guildA)/settings/automod/mod_channel_id/rollback", #"{"change_id": -19965440737}"#)] {
                let reply = try await h.call(method, path, token: admin, json: json)
                #expect(reply.status == 404, "\(dialect) \(method) \(path): \(reply.status) \(reply.text)")
            }
        }
    }

    @Test func aPathOfAnotherMethodIs405WithAllow() async throws {
        try await withServer(.sqlite) { h in
            let get = try await h.call(.get, "/v1/messages", token: h.tokens[.bot])
            #expect(get.status == 405 && get.errorCode == "method_not_allowed", "\(get.status) \(get.text)")
            #expect(get.headers[.allow] == "POST")
            let options = try await h.call(.options, "/v1/guilds/\(guildA)/appeals/7/approve", token: nil)
            #expect(options.status == 405 && options.headers[.allow] == "POST", "\(options.status) \(options.text)")
            let delete = try await h.call(.delete, "/v1/guilds/\(guildA)/rules", token: nil)
            #expect(delete.status == 405 && delete.headers[.allow] == "GET", "\(delete.status) \(String(describing: delete.headers[.allow]))")
            // HEAD is not answered (the router has no HEAD routes), and Allow does not claim it is.
            let head = try await h.call(.head, "/v1/webhooks", token: h.tokens[.admin])
            #expect(head.status == 405 && head.headers[.allow] == "GET, POST", "\(head.status) \(String(describing: head.headers[.allow]))")
            // The literal segment wins over the parameter, as in the router.
            let dryRun = try await h.call(.get, "/v1/guilds/\(guildA)/rules/dry-run", token: nil)
            #expect(dryRun.status == 405 && dryRun.headers[.allow] == "POST", "\(String(describing: dryRun.headers[.allow]))")
            let unknown = try await h.call(.get, "/v1/nothing/here", token: nil)
            #expect(unknown.status == 404 && unknown.errorCode == "route_not_found")
        }
    }

    @Test func anAdminOnlyRouteSaysSoOnce() async throws {
        try await withServer(.sqlite) { h in
            let reply = try await h.call(.get, "/v1/guilds/\(guildA)/rules", token: h.tokens[.bot])
            #expect(reply.status == 403 && reply.errorCode == "forbidden_role")
            #expect((reply.json["error"] as? [String: Any])?["message"] as? String == "this route needs a token with role admin; this one is bot")
            let appeals = try await h.call(.get, "/v1/guilds/\(guildA)/appeals", token: h.tokens[.bot])
            #expect(appeals.text.contains("role moderator or admin"), "\(appeals.text)")
        }
    }

    @Test func aDeclaredLengthOverTheLimitIs413BeforeTheBodyIsSent() async throws {
        try await withServer(.sqlite) { h in
            let port = h.port, bot = h.tokens[.bot] ?? ""
            let (response, closed) = try await RawHTTP.run {
                let connection = try RawConnection(port: port, timeout: 5)
                // Only the head: a server that waits for 64 KiB of body before refusing times this out.
                try connection.write("POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(bot)\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
                return (try connection.response(), connection.closedByServer())
            }
            #expect(response.status == 413 && response.errorCode == "body_too_large", "\(response.status) \(response.body)")
            #expect(response.headers["connection"] == "close" && closed)
        }
    }

    @Test func stalledClientsAreCutOff() async throws {
        var limits = ConnectionLimits()
        limits.headerTimeout = .seconds(1)
        limits.bodyTimeout = .seconds(1)
        try await withServer(.sqlite, connections: limits) { h in
            let port = h.port, bot = h.tokens[.bot] ?? ""
            let started = ContinuousClock.now
            // A slowloris head (a byte every 200 ms), a stalled body, and a connection that never says anything.
            async let slowHead = RawHTTP.run {
                let connection = try RawConnection(port: port, timeout: 10)
                for byte in "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8 where !connection.hasData() {
                    do { try connection.write([byte]) } catch { break }
                    Thread.sleep(forTimeInterval: 0.2)
                }
                return (try? connection.response(), connection.closedByServer())
            }
            async let stalledBody = RawHTTP.run {
                let connection = try RawConnection(port: port, timeout: 10)
                try connection.write("POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(bot)\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\"")
                return (try? connection.response(), connection.closedByServer())
            }
            async let silent = RawHTTP.run {
                let connection = try RawConnection(port: port, timeout: 10)
                return connection.closedByServer()
            }
            let (head, body, quiet) = try await (slowHead, stalledBody, silent)
            #expect(head.1 && body.1 && quiet, "every stalled connection was closed within the 10 s bound")
            #expect(head.0?.status == 408 && head.0?.errorCode == "request_timeout", "\(String(describing: head.0))")
            #expect(body.0?.status == 408 && body.0?.errorCode == "request_timeout", "\(String(describing: body.0))")
            #expect(ContinuousClock.now - started < .seconds(10))
            // The server still answers. With a 1 s head timeout from the connection's opening, a test machine
            // loaded enough to delay the client's first write past it closes the connection first (seen in CI
            // as "I/O on closed channel"); so up to three tries, and one 200 is the answer.
            var answered = false
            for _ in 0..<3 where !answered {
                answered = (try? await h.call(.get, "/health", token: nil).status) == 200
            }
            #expect(answered, "the server no longer answered after the stalled clients")
        }
    }

    @Test func aClientGoneMidBodyIsNoServerError() async throws {
        try await withServer(.sqlite) { h in
            let port = h.port, bot = h.tokens[.bot] ?? ""
            try await RawHTTP.run {
                let connection = try RawConnection(port: port)
                try connection.write("POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(bot)\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\":")
            }  // the connection closes here, 494 bytes short
            let message = messageJSON("hello after a broken request")
            #expect(try await h.call(.post, "/v1/messages", token: bot, json: message.json).status == 200)
            // The broken request is counted as the client's (400), never as a 500.
            var lines: [Substring] = []
            for _ in 0..<50 {
                lines = try await h.call(.get, "/metrics", token: nil).text.split(separator: "\n").filter { $0.contains(#"route="/v1/messages""#) }
                if lines.contains(where: { $0.contains(#"status="400""#) }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(lines.contains { $0.contains(#"status="400""#) }, "\(lines)")
            #expect(!lines.contains { $0.contains(#"status="500""#) }, "\(lines)")
        }
    }
}
