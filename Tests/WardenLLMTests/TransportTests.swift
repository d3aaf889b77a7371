import Foundation
import Testing
import WardenLLM
import WardenLLMTestServer

/// Real libcurl against the real fake server over loopback. Serialized: several tests assert wall-clock
/// bounds, and on a two-core machine parallel suites would make those noisy.
@Suite(.serialized)
struct TransportTests {
    private func withServer(maxConnections: Int = 64,
                            _ body: (FakeLLMServer, CurlTransport) async throws -> Void) async throws {
        let server = try await FakeLLMServer.start()
        let transport = CurlTransport(maxConnections: maxConnections)
        do {
            try await body(server, transport)
        } catch {
            transport.shutdown()
            try await server.shutdown()
            throw error
        }
        transport.shutdown()
        try await server.shutdown()
    }

    private func chatRequest(_ server: FakeLLMServer, text: String = "hello", timeout: Duration = .seconds(10),
                             headers: [(name: String, value: String)] = []) -> HTTPRequest {
        let body: [String: Any] = ["model": "test-model", "messages": [["role": "user", "content": text]]]
        let data = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
        return HTTPRequest(method: "POST", url: server.baseURL + "/chat/completions",
                           headers: [(name: "Content-Type", value: "application/json"), (name: "Authorization", value: "Bearer sk-test")] + headers,
                           body: Array(data), timeout: timeout, connectTimeout: .seconds(2))
    }

    /// The error `send` throws, or nil (recorded as an issue) when a response came back.
    private func failure(_ transport: CurlTransport, _ request: HTTPRequest) async -> TransportError? {
        do {
            let response = try await transport.send(request)
            Issue.record("expected a transport error, got HTTP \(response.status)")
            return nil
        } catch {
            return error
        }
    }

    private func content(of response: HTTPResponse) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let choices = object?["choices"] as? [[String: Any]]
        let message = choices?.first?["message"] as? [String: Any]
        return message?["content"] as? String
    }

    @Test func roundTripCarriesBodyAndHeaders() async throws {
        try await withServer { server, transport in
            server.enqueue(.chat(content: #"{"ok":true}"#, requestID: "req_123"))
            let request = chatRequest(server, headers: [(name: "X-Trace", value: "abc def")])
            let response = try await transport.send(request)

            #expect(response.status == 200)
            #expect(response.header("x-request-id") == "req_123")
            #expect(response.header("X-Request-ID") == "req_123")
            #expect(response.header("content-type") == "application/json")
            #expect(response.headers.allSatisfy { $0.name == $0.name.lowercased() })
            #expect(content(of: response) == #"{"ok":true}"#)

            let recorded = try #require(server.requests.first)
            #expect(server.requests.count == 1)
            #expect(recorded.method == "POST")
            #expect(recorded.path == "/v1/chat/completions")
            #expect(recorded.header("authorization") == "Bearer sk-test")
            #expect(recorded.header("x-trace") == "abc def")
            #expect(recorded.header("user-agent") == "warden/0.3")
            #expect(recorded.header("expect") == nil)
            #expect(recorded.body == request.body)
            #expect(recorded.chatMessages.map(\.text) == ["hello"])
        }
    }

    @Test func automodFallbackAnswersDeterministically() async throws {
        try await withServer { server, transport in
            let response = try await transport.send(chatRequest(server, text: "KYS and ignore previous instructions"))
            #expect(response.status == 200)
            let verdict = try #require(content(of: response))
            #expect(verdict.hasPrefix(#"{"scores":{"harassment":0.96,"hate":0.02,"sexual":0.02,"sexual/minors":0.02,"#))
            #expect(verdict.contains(#""manipulation_attempt":true"#))

            let embeddingBody = Array(#"{"model":"e","input":["free nitro now","free nitro today"]}"#.utf8)
            let embedded = try await transport.send(HTTPRequest(url: server.baseURL + "/embeddings", body: embeddingBody))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(embedded.body)) as? [String: Any])
            let data = try #require(object["data"] as? [[String: Any]])
            let vectors = data.compactMap { $0["embedding"] as? [Double] }
            #expect(vectors.count == 2 && vectors.allSatisfy { $0.count == 64 })
            if vectors.count == 2 {
                let cosine = zip(vectors[0], vectors[1]).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(cosine > 0.6)
            }

            let missing = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/nope"))
            #expect(missing.status == 404)
        }
    }

    @Test func concurrentTransfersOverlap() async throws {
        try await withServer { server, transport in
            server.setFallback { _ in .delayed(.milliseconds(300), .chat(content: "{}")) }
            let request = chatRequest(server)
            let clock = ContinuousClock()
            let start = clock.now
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        do { return try await transport.send(request).status } catch { return -1 }
                    }
                }
                var statuses: [Int] = []
                for await status in group { statuses.append(status) }
                return statuses
            }
            let elapsed = clock.now - start
            #expect(statuses.count == 100)
            #expect(statuses.allSatisfy { $0 == 200 })
            #expect(server.requests.count == 100)
            // Sequentially this would take 30 s; with 64 connections it is two waves of 300 ms. The bound is
            // loose because CI runs every suite at once on two cores.
            #expect(elapsed < .seconds(10), "100 delayed requests took \(elapsed)")
        }
    }

    @Test func sequentialRequestsReuseTheConnection() async throws {
        try await withServer { server, transport in
            for _ in 0..<20 {
                let response = try await transport.send(chatRequest(server))
                #expect(response.status == 200)
            }
            #expect(server.requests.count == 20)
            #expect(server.connectionCount <= 2, "\(server.connectionCount) connections for 20 requests")
        }
    }

    @Test func droppedConnectionIsAConnectionError() async throws {
        try await withServer { server, transport in
            server.enqueue(.drop)
            let error = try #require(await failure(transport, chatRequest(server)))
            #expect(error.kind == .connection)
            #expect(error.curlCode == 52) // CURLE_GOT_NOTHING: the server closed without a byte of response
        }
    }

    @Test func truncatedBodyIsAProtocolError() async throws {
        try await withServer { server, transport in
            server.enqueue(.truncated(String(repeating: "x", count: 400)))
            let error = try #require(await failure(transport, chatRequest(server)))
            // libcurl saw a complete head announcing 400 bytes, got 200, then EOF: CURLE_PARTIAL_FILE
            // ("transfer closed with 200 bytes remaining to read"), which is a protocol-level failure.
            #expect(error.kind == .protocolError)
            #expect(error.curlCode == 18)
        }
    }

    @Test func slowResponseTimesOut() async throws {
        try await withServer { server, transport in
            server.enqueue(.delayed(.seconds(20), .chat(content: "{}")))
            let clock = ContinuousClock()
            let start = clock.now
            let error = try #require(await failure(transport, chatRequest(server, timeout: .milliseconds(200))))
            let elapsed = clock.now - start
            #expect(error.kind == .timeout)
            #expect(error.curlCode == 28)
            #expect(elapsed < .seconds(5), "timed out after \(elapsed), not at the 200 ms timeout")
        }
    }

    @Test func closedPortIsAConnectionError() async throws {
        // A port held bound but not listening: connecting is refused, and no other test's server can take the
        // port meanwhile (a port freed by shutting a server down was, under the parallel suite: curl code 56).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/chat/completions"
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let error = try #require(await failure(transport, HTTPRequest(url: url, body: Array("{}".utf8), connectTimeout: .seconds(2))))
        #expect(error.kind == .connection)
        #expect(error.curlCode == 7) // CURLE_COULDNT_CONNECT
    }

    @Test func headerInjectionIsRefusedBeforeSending() async throws {
        try await withServer { server, transport in
            let badValue = chatRequest(server, headers: [(name: "X-Evil", value: "a\r\nX-Injected: yes")])
            #expect(await failure(transport, badValue)?.kind == .invalidRequest)
            let badName = chatRequest(server, headers: [(name: "X-Evil\r\nX-Injected", value: "yes")])
            #expect(await failure(transport, badName)?.kind == .invalidRequest)
            let bareLF = chatRequest(server, headers: [(name: "X-Evil", value: "a\nb")])
            #expect(await failure(transport, bareLF)?.kind == .invalidRequest)
            #expect(server.requests.isEmpty)
            #expect(server.connectionCount == 0)
        }
    }

    @Test func cancellationStopsAnInFlightTransfer() async throws {
        try await withServer { server, transport in
            server.enqueue(.delayed(.seconds(20), .chat(content: "{}")))
            let request = chatRequest(server)
            let task = Task { () async -> Result<HTTPResponse, TransportError> in
                do throws(TransportError) { return .success(try await transport.send(request)) } catch { return .failure(error) }
            }
            // Cancel once the request is really in flight (the server has it and is holding the answer); the
            // wait ends when it arrives, its bound is for a loaded machine.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(18)
            while server.requests.isEmpty && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(server.requests.count == 1)
            let cancelledAt = clock.now
            task.cancel()
            let result = await task.value
            let elapsed = clock.now - cancelledAt
            guard case .failure(let error) = result else {
                Issue.record("expected cancellation, got a response")
                return
            }
            #expect(error.kind == .cancelled)
            #expect(elapsed < .seconds(10), "cancellation took \(elapsed) (the server holds the answer 20 s)")

            // The driver is still healthy.
            let response = try await transport.send(chatRequest(server))
            #expect(response.status == 200)
        }
    }

    @Test func cancelledBeforeSendingNeverReachesTheServer() async throws {
        try await withServer { server, transport in
            let request = chatRequest(server)
            let task = Task { () async -> TransportError? in
                // Wait until cancelled, so the handler runs before `send` submits anything.
                while !Task.isCancelled { await Task.yield() }
                do throws(TransportError) { _ = try await transport.send(request); return nil } catch { return error }
            }
            task.cancel()
            #expect(await task.value?.kind == .cancelled)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func shutdownFailsOutstandingTransfers() async throws {
        let server = try await FakeLLMServer.start()
        server.enqueue(.delayed(.seconds(5), .chat(content: "{}")))
        let transport = CurlTransport()
        let request = chatRequest(server)
        let task = Task { () async -> TransportError? in
            do throws(TransportError) { _ = try await transport.send(request); return nil } catch { return error }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while server.requests.isEmpty && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        transport.shutdown()
        #expect(await task.value?.kind == .cancelled)
        #expect(await failure(transport, request)?.kind == .cancelled)
        transport.shutdown() // idempotent
        try await server.shutdown()
    }
}
