import Crypto
import Foundation
import Synchronization
import WardenLLMTestServer

/// A webhook receiver on loopback for the delivery tests: the fake HTTP server of the LLM tests answering
/// with whatever `answer` says, recording every request, and checking each signature on its own (HMAC-SHA256
/// from swift-crypto, not Warden's `WebhookSignature`). It can go down and come back on the same port, and
/// its record outlives each server instance.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let deliveryID: String
        let eventID: Int64
        let guildID: String
        let kind: String
        let attempt: Int
        let body: [UInt8]
        let signature: String
        /// The signature's v1 values that verify against each secret the receiver knows.
        let validFor: [String]
        let status: Int
    }

    private struct State {
        var server: FakeLLMServer?
        var port: Int = 0
        var received: [Received] = []
        var secrets: [String] = []
        var answer: @Sendable (Received) -> FakeLLMBehaviour = { _ in .status(200, body: "ok") }
    }
    private let state = Mutex(State())

    var url: String { "http://127.0.0.1:\(state.withLock { $0.port })/hook" }
    var received: [Received] { state.withLock { $0.received } }
    /// The deliveries answered 2xx, in the order they arrived.
    var accepted: [Received] { received.filter { (200..<300).contains($0.status) } }

    /// Secrets the receiver checks signatures with.
    func trust(_ secrets: [String]) { state.withLock { $0.secrets = secrets } }
    /// How the receiver answers each delivery (and so what status is recorded).
    func answer(_ responder: @escaping @Sendable (Received) -> FakeLLMBehaviour) { state.withLock { $0.answer = responder } }

    /// Starts listening (again on the same port, after `stop`).
    func start() async throws {
        let port = state.withLock { $0.port }
        let server = try await FakeLLMServer.start(port: port)
        state.withLock { $0.server = server; $0.port = server.port }
        server.setFallback { [self] request in self.handle(request) }
    }

    /// Stops listening: connections are refused until `start`.
    func stop() async throws {
        let server = state.withLock { state -> FakeLLMServer? in defer { state.server = nil }; return state.server }
        try await server?.shutdown()
    }

    private func handle(_ request: RecordedRequest) -> FakeLLMBehaviour {
        let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        let signature = request.header("X-Warden-Signature") ?? ""
        let secrets = state.withLock { $0.secrets }
        let partial = Received(deliveryID: request.header("X-Warden-Delivery") ?? "", eventID: (object["id"] as? NSNumber)?.int64Value ?? -1,
                               guildID: object["guild_id"] as? String ?? "", kind: request.header("X-Warden-Event") ?? "",
                               attempt: Int(request.header("X-Warden-Attempt") ?? "") ?? -1, body: request.body,
                               signature: signature, validFor: secrets.filter { Self.verifies(signature, body: request.body, secret: $0) }, status: 0)
        let behaviour = state.withLock { $0.answer }(partial)
        let status: Int
        switch behaviour {
        case .status(let code, _, _): status = code
        case .delayed(_, .status(let code, _, _)): status = code
        default: status = 0
        }
        let record = Received(deliveryID: partial.deliveryID, eventID: partial.eventID, guildID: partial.guildID, kind: partial.kind,
                              attempt: partial.attempt, body: partial.body, signature: signature, validFor: partial.validFor, status: status)
        state.withLock { $0.received.append(record) }
        return behaviour
    }

    /// The signature header's timestamp.
    static func timestamp(_ header: String) -> Int64? {
        header.split(separator: ",").first { $0.hasPrefix("t=") }.flatMap { Int64($0.dropFirst(2)) }
    }

    /// Whether one of the header's v1 values is HMAC-SHA256(secret, "<t>.<body>").
    static func verifies(_ header: String, body: [UInt8], secret: String) -> Bool {
        guard let t = timestamp(header) else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(t).".utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        return header.split(separator: ",").contains { $0 == "v1=\(hex)" }
    }
}
