import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// Cuts off connections that stall (``ConnectionLimits``): the first request head late after the
/// connection opened, a head that does not complete in time, a body that stops arriving, an idle kept-alive
/// connection. It also closes the connection after a response that says `Connection: close` (half-closing
/// first, so the client reads the response rather than a reset) and on graceful shutdown once the request
/// in flight is answered. It replaces Hummingbird's `HTTPConnectionStateHandler`, which has only an idle timer.
///
/// It sits after the HTTP decoder, so it sees request parts, and `channelReadComplete` for every read
/// from the socket even when the bytes did not finish a part: that is how it knows a head has begun.
final class ConnectionDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What the connection is reading.
    private enum Reading {
        /// The next request's head; `since` is when its first bytes arrived (nil: none yet).
        case head(since: NIODeadline?)
        /// A request's body, up to its end.
        case body
    }

    /// What happens when a deadline passes.
    private enum Expiry {
        /// Nothing was asked: close without a word.
        case close
        /// A request is stuck: answer 408 if no response has begun, then close.
        case timeout(String)
    }

    private let limits: ConnectionLimits
    private let logger: Logger
    private var reading = Reading.head(since: nil)
    /// Requests whose head was read and whose response has not ended.
    private var owed = 0
    /// Whether the oldest owed response has begun (its head was written).
    private var responseStarted = false
    private var requestsRead = 0
    /// When the connection last had nothing to do (opened, or its last response ended).
    private var idleSince = NIODeadline.now()
    /// Whether a read was asked of the socket and has not completed: only then is the client the slow one.
    private var readPending = false
    /// While reading a body: since when the server has been waiting for the client's next bytes.
    private var bodyWaitSince: NIODeadline?
    private var closeAfterResponse = false
    /// Set once the output is closed after a final response: the connection closes for good at this time.
    private var lingerUntil: NIODeadline?
    private var timer: Scheduled<Void>?
    private var timerFiresAt: NIODeadline?

    init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { idleSince = .now(); schedule(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancelTimer() }

    func channelActive(context: ChannelHandlerContext) {
        idleSince = .now()
        schedule(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestsRead += 1
            owed += 1
            if owed == 1 { responseStarted = false }
            reading = .body
            bodyWaitSince = readPending ? .now() : nil
        case .body:
            break
        case .end:
            reading = .head(since: nil)
            bodyWaitSince = nil
        }
        context.fireChannelRead(data)
        schedule(context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readPending = false
        switch reading {
        case .head(since: nil) where owed == 0:
            // Bytes arrived and did not finish a head: one has begun, and its clock runs.
            reading = .head(since: .now())
        case .body:
            bodyWaitSince = nil
        case .head:
            break
        }
        context.fireChannelReadComplete()
        schedule(context)
    }

    func read(context: ChannelHandlerContext) {
        readPending = true
        if case .body = reading, bodyWaitSince == nil { bodyWaitSince = .now(); schedule(context) }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            if owed > 0 { responseStarted = true }
            if response.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
        case .body:
            break
        case .end:
            owed = max(0, owed - 1)
            responseStarted = false
            if owed == 0 {
                idleSince = .now()
                // A head begun while the response was written gets its time from now.
                if case .head(since: .some) = reading { reading = .head(since: .now()) }
                if closeAfterResponse {
                    finish(context, writing: data, promise: promise)
                    return
                }
            }
        }
        context.write(data, promise: promise)
        schedule(context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { context.fireUserInboundEventTriggered(event); return }
        // Graceful shutdown: an idle connection closes now, a busy one after its response.
        if owed == 0, case .head(since: nil) = reading { context.close(promise: nil) } else { closeAfterResponse = true }
    }

    // MARK: Deadlines

    /// The earliest deadline of the current state and what it does, if any runs.
    private func deadline() -> (NIODeadline, Expiry)? {
        if let lingerUntil { return (lingerUntil, .close) }
        switch reading {
        case .head(since: nil):
            guard owed == 0 else { return nil }
            // A new connection must send its first head within the header timeout; later ones may idle longer.
            let allowed = requestsRead == 0 ? limits.headerTimeout : limits.idleTimeout
            return (idleSince + TimeAmount(allowed), .close)
        case .head(since: let since?):
            guard owed == 0 else { return nil }
            return (since + TimeAmount(limits.headerTimeout),
                    .timeout("the request head was not complete within \(Self.seconds(limits.headerTimeout))"))
        case .body:
            guard let bodyWaitSince else { return nil }
            return (bodyWaitSince + TimeAmount(limits.bodyTimeout),
                    .timeout("no part of the request body arrived for \(Self.seconds(limits.bodyTimeout))"))
        }
    }

    /// Makes sure a timer fires no later than the current deadline. A timer set for earlier is kept: when
    /// it fires it looks again (deadlines mostly move later, and rescheduling on every read would cost).
    private func schedule(_ context: ChannelHandlerContext) {
        guard let (deadline, _) = deadline() else { return }
        if let timerFiresAt, timerFiresAt <= deadline { return }
        cancelTimer()
        timerFiresAt = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            timerFiresAt = nil
            fire(context)
        }
    }

    private func fire(_ context: ChannelHandlerContext) {
        guard context.channel.isActive, let (deadline, expiry) = deadline() else { return }
        guard deadline <= .now() else { schedule(context); return }
        switch expiry {
        case .close:
            context.close(promise: nil)
        case .timeout(let message):
            logger.debug("closing a stalled connection", metadata: ["reason": "\(message)"])
            let canAnswer = owed == 0 || (owed == 1 && !responseStarted)
            guard canAnswer, lingerUntil == nil else { context.close(promise: nil); return }
            let error = APIError(.requestTimeout, "request_timeout", message)
            let body = ByteBuffer(string: error.json)
            let head = HTTPResponse(status: error.status, headerFields: [.contentType: "application/json", .contentLength: "\(body.readableBytes)",
                                                                         .connection: "close"])
            // Nothing more of this connection's requests will be answered: the route still waiting for the body fails when it closes.
            owed = 0
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: nil)
            finish(context, writing: wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    /// Writes the connection's last part, then closes its output (the client reads the response and an
    /// end of stream, not a reset), and closes it for good after the linger time.
    private func finish(_ context: ChannelHandlerContext, writing data: NIOAny, promise: EventLoopPromise<Void>?) {
        lingerUntil = .now() + TimeAmount(limits.lingerTimeout)
        let flushed = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(data, promise: flushed)
        flushed.futureResult.assumeIsolated().whenComplete { result in
            promise?.completeWith(result)
            context.close(mode: .output, promise: nil)
        }
        cancelTimer()
        schedule(context)
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerFiresAt = nil
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return attoseconds == 0 ? "\(seconds) s" : "\(Double(seconds) + Double(attoseconds) / 1e18) s"
    }
}

@available(*, unavailable)
extension ConnectionDeadlines: Sendable {}
