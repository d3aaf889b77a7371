import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A deterministic OpenAI-compatible HTTP/1.1 server on loopback, for tests and the benchmark.
///
/// Each request is answered by the next queued ``FakeLLMBehaviour`` (FIFO, whatever the path) or, when the
/// queue is empty, by the fallback responder. Connections are persistent (keep-alive), so a client's
/// connection reuse shows in ``connectionCount``. Nothing blocks an event loop: delays are scheduled tasks.
public final class FakeLLMServer: Sendable {
    /// The port actually bound (useful with `port: 0`).
    public let port: Int
    /// `http://HOST:PORT/v1`, the base URL an OpenAI client expects.
    public let baseURL: String

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let core: FakeLLMServerCore

    private init(port: Int, baseURL: String, group: MultiThreadedEventLoopGroup, channel: any Channel, core: FakeLLMServerCore) {
        self.port = port
        self.baseURL = baseURL
        self.group = group
        self.channel = channel
        self.core = core
    }

    /// Binds and starts serving. `port: 0` picks a free port.
    public static func start(host: String = "127.0.0.1", port: Int = 0) async throws -> FakeLLMServer {
        // Two loops at most: the machine has two cores and the client under test needs one too.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: min(2, max(1, System.coreCount)))
        let core = FakeLLMServerCore()
        let bootstrap = ServerBootstrap(group: group)
            // The benchmark opens hundreds of connections at once; the default backlog would refuse some.
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                core.connectionAccepted()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(FakeLLMHandler(core: core))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            guard let boundPort = channel.localAddress?.port else {
                throw FakeLLMServerError.noLocalAddress
            }
            let hostPart = host.contains(":") ? "[\(host)]" : host
            return FakeLLMServer(port: boundPort, baseURL: "http://\(hostPart):\(boundPort)/v1", group: group, channel: channel, core: core)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Closes the listening socket and every connection, and stops the event loops. Idempotent.
    public func shutdown() async throws {
        guard core.markShutDown() else { return }
        try? await channel.close()
        try await group.shutdownGracefully()
    }

    /// Behaviours consumed in order by the next requests (FIFO, any path); when empty, the fallback answers.
    public func enqueue(_ behaviours: FakeLLMBehaviour...) {
        core.state.withLock { $0.queue.append(contentsOf: behaviours) }
    }

    /// Answers requests when the queue is empty. Default: `FakeLLMServer.automodModel` for /v1/chat/completions,
    /// deterministic embeddings for /v1/embeddings, 404 JSON error otherwise.
    public func setFallback(_ responder: @escaping @Sendable (RecordedRequest) -> FakeLLMBehaviour) {
        core.state.withLock { $0.fallback = responder }
    }

    /// Every request received, in order.
    public var requests: [RecordedRequest] {
        core.state.withLock { $0.requests }
    }

    /// TCP connections accepted so far (to prove reuse). Not cleared by ``reset()``.
    public var connectionCount: Int {
        core.state.withLock { $0.connectionCount }
    }

    /// Answers held back by ``FakeLLMBehaviour/held(timeout:_:)`` and not yet released.
    public var heldCount: Int {
        core.state.withLock { $0.held.count }
    }

    /// Sends every held answer now.
    public func releaseHeld() {
        let releases = core.state.withLock { state -> [@Sendable () -> Void] in
            defer { state.held.removeAll() }
            return Array(state.held.values)
        }
        for release in releases { release() }
    }

    /// Clears the queue and the recorded requests, and restores the default fallback.
    public func reset() {
        core.state.withLock { state in
            state.queue.removeAll()
            state.requests.removeAll()
            state.fallback = FakeLLMServer.defaultResponder
        }
    }
}

enum FakeLLMServerError: Error {
    case noLocalAddress
}

/// The state shared by the server object and its connection handlers (on any event loop).
final class FakeLLMServerCore: Sendable {
    struct State: Sendable {
        var queue: [FakeLLMBehaviour] = []
        var requests: [RecordedRequest] = []
        var fallback: @Sendable (RecordedRequest) -> FakeLLMBehaviour = FakeLLMServer.defaultResponder
        var connectionCount = 0
        var shutDown = false
        var held: [Int: @Sendable () -> Void] = [:]
        var nextHeldID = 0
    }

    let state = Mutex(State())

    func connectionAccepted() {
        state.withLock { $0.connectionCount += 1 }
    }

    /// True the first time only.
    func markShutDown() -> Bool {
        state.withLock { state in
            defer { state.shutDown = true }
            return !state.shutDown
        }
    }

    /// Keeps a held answer's release until ``FakeLLMServer/releaseHeld()`` or ``release(held:)``.
    func hold(_ release: @escaping @Sendable () -> Void) -> Int {
        state.withLock { state in
            state.nextHeldID += 1
            state.held[state.nextHeldID] = release
            return state.nextHeldID
        }
    }

    /// Sends one held answer if it is still held (the timeout path; a no-op after ``FakeLLMServer/releaseHeld()``).
    func release(held id: Int) {
        let release = state.withLock { $0.held.removeValue(forKey: id) }
        release?()
    }

    /// Records the request and picks its behaviour, plus its sequence number (for response ids).
    func behaviour(for request: RecordedRequest) -> (FakeLLMBehaviour, Int) {
        let (queued, fallback, sequence) = state.withLock { state -> (FakeLLMBehaviour?, @Sendable (RecordedRequest) -> FakeLLMBehaviour, Int) in
            state.requests.append(request)
            let queued = state.queue.isEmpty ? nil : state.queue.removeFirst()
            return (queued, state.fallback, state.requests.count)
        }
        // The fallback is caller code: run it outside the lock so it may call back into the server.
        return (queued ?? fallback(request), sequence)
    }
}

/// One connection's request handler, behind NIO's HTTP/1.1 server pipeline (which also holds back
/// pipelined requests until the current response has been written).
final class FakeLLMHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: FakeLLMServerCore
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    /// Cleared when the connection goes away, so a delayed answer does not touch a dead context.
    private var open = true

    init(core: FakeLLMServerCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            self.head = nil
            let request = RecordedRequest(method: head.method.rawValue, path: head.uri,
                                          headers: head.headers.map { (name: $0.name, value: $0.value) },
                                          body: Array(body.readableBytesView))
            body.clear()
            let (behaviour, sequence) = core.behaviour(for: request)
            let reply = Reply(request: request, version: head.version, keepAlive: head.isKeepAlive, sequence: sequence)
            respond(behaviour, reply, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        open = false
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        open = false
    }

    private struct Reply {
        let request: RecordedRequest
        let version: HTTPVersion
        let keepAlive: Bool
        let sequence: Int

        var model: String {
            request.jsonObject?["model"] as? String ?? "fake-llm"
        }
    }

    private func respond(_ behaviour: FakeLLMBehaviour, _ reply: Reply, context: ChannelHandlerContext) {
        guard open else { return }
        switch behaviour {
        case .delayed(let delay, let inner):
            let (seconds, attoseconds) = delay.components
            let nanoseconds = max(0, seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) {
                self.respond(inner, reply, context: context)
            }
        case .held(let timeout, let inner):
            let loop = context.eventLoop
            let respondLater = NIOLoopBound({ self.respond(inner, reply, context: context) }, eventLoop: loop)
            let id = core.hold { loop.execute { respondLater.value() } }
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = max(0, seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
            let core = self.core
            loop.scheduleTask(in: .nanoseconds(nanoseconds)) { core.release(held: id) }
        case .chat(let content, let finishReason, let refusal, let promptTokens, let completionTokens, let requestID):
            let body = OpenAIShapes.chatCompletion(content: content, finishReason: finishReason, refusal: refusal,
                                                   promptTokens: promptTokens, completionTokens: completionTokens,
                                                   model: reply.model, sequence: reply.sequence)
            write(status: 200, headers: [(name: "x-request-id", value: requestID)], body: body, reply, context: context)
        case .embeddings(let vectors):
            write(status: 200, headers: [], body: OpenAIShapes.embeddings(vectors, model: reply.model), reply, context: context)
        case .status(let status, let body, let headers):
            write(status: status, headers: headers, body: body, reply, context: context)
        case .rateLimited(let retryAfter, let retryAfterMs):
            var headers: [(name: String, value: String)] = []
            if let retryAfter { headers.append((name: "retry-after", value: retryAfter)) }
            if let retryAfterMs { headers.append((name: "retry-after-ms", value: retryAfterMs)) }
            let body = OpenAIShapes.error(message: "Rate limit reached for requests. Please try again later.",
                                          type: "requests", code: "rate_limit_exceeded")
            write(status: 429, headers: headers, body: body, reply, context: context)
        case .insufficientQuota:
            let body = OpenAIShapes.error(message: "You exceeded your current quota, please check your plan and billing details.",
                                          type: "insufficient_quota", code: "insufficient_quota")
            write(status: 429, headers: [], body: body, reply, context: context)
        case .serverError(let status):
            let body = OpenAIShapes.error(message: "The server had an error while processing your request. Sorry about that!",
                                          type: "server_error", code: nil)
            write(status: status, headers: [], body: body, reply, context: context)
        case .drop:
            open = false
            context.close(promise: nil)
        case .truncated(let text):
            let bytes = Array(text.utf8)
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(bytes.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: reply.version, status: .ok, headers: headers))), promise: nil)
            let buffer = context.channel.allocator.buffer(bytes: bytes[..<(bytes.count / 2)])
            // No `.end`: the response is deliberately incomplete; closing after the flush ends it early.
            open = false
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer)))).whenComplete { _ in
                channel.close(promise: nil)
            }
        case .rawBody(let text):
            write(status: 200, headers: [], body: text, reply, context: context)
        }
    }

    private func write(status: Int, headers extra: [(name: String, value: String)], body: String, _ reply: Reply,
                       context: ChannelHandlerContext) {
        let bytes = Array(body.utf8)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        for header in extra {
            if header.name.lowercased() == "content-type" {
                headers.replaceOrAdd(name: header.name, value: header.value)
            } else {
                headers.add(name: header.name, value: header.value)
            }
        }
        headers.replaceOrAdd(name: "content-length", value: String(bytes.count))
        if !reply.keepAlive {
            headers.replaceOrAdd(name: "connection", value: "close")
        }
        let head = HTTPResponseHead(version: reply.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !reply.keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
