import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Warden's HTTP/1.1 connection: Hummingbird's `HTTP1Channel` with two differences. A request the HTTP
/// parser refuses before it becomes a request (bad framing, oversized headers, garbage) is answered with
/// the JSON error shape instead of an empty 400; and ``ConnectionDeadlines`` bounds how long each part of
/// a request may take. Parser errors inside a body reach the route, where ``ErrorMapping`` answers them.
struct WardenHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldSize = ConnectionLimits.maxHeaderBytes
            decoderLimits.maxHeaderListSize = ConnectionLimits.maxHeaderBytes
            decoderLimits.maxHeaderFieldCount = ConnectionLimits.maxHeaderFields
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // the loop below reads one request at a time
                withErrorHandling: false,  // parser errors are answered by the loop below, in the JSON shape
                withOutboundHeaderValidation: false,  // HTTPTypes validates fields already
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits
            )
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try channel.pipeline.syncOperations.addHandler(ConnectionDeadlines(limits: limits, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        do {
            try await withTaskCancellationHandler {
                try await asyncChannel.executeThenClose { inbound, outbound in
                    var iterator = inbound.makeAsyncIterator()
                    while true {
                        let head: HTTPRequest
                        do {
                            guard case .head(let next) = try await iterator.next() else { break }
                            head = next
                        } catch let error as HTTPParserError {
                            // No response has begun, so this one can still be answered; the stream cannot be
                            // resynchronised after a framing error, so the connection then closes.
                            if let refusal = ProtocolErrors.refusal(for: error) {
                                logger.debug("refused a request the HTTP parser could not read", metadata: ["error": "\(error)"])
                                try await Self.write(refusal, to: outbound)
                            }
                            break
                        }
                        let body = RequestBodyCursor(iterator)
                        let request = Request(head: head, body: RequestBody(asyncSequence: body.sequence))
                        try await responder(request, ResponseWriter(outbound: outbound), asyncChannel.channel)
                        if request.headers[.connection]?.lowercased() == "close" { break }
                        // What the route left of the body is dropped; if that fails (a framing error, the client
                        // gone) the response was already sent and the connection just closes.
                        do { try await body.skipRest() } catch { break }
                    }
                    outbound.finish()
                    try await asyncChannel.channel.closeFuture.get()
                }
            } onCancel: {
                asyncChannel.channel.close(mode: .input, promise: nil)
            }
        } catch {
            // Reading from or writing to the connection failed: the client is gone.
            logger.trace("connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Writes an error response that closes the connection.
    private static func write(_ error: APIError, to outbound: NIOAsyncChannelOutboundWriter<HTTPResponsePart>) async throws {
        let body = ByteBuffer(string: error.json)
        var fields: HTTPFields = [.contentType: "application/json", .contentLength: "\(body.readableBytes)", .connection: "close"]
        fields.append(contentsOf: error.headers.filter { $0.name != .connection })
        try await outbound.write(.head(HTTPResponse(status: error.status, headerFields: fields)))
        try await outbound.write(.body(body))
        try await outbound.write(.end(nil))
    }
}
