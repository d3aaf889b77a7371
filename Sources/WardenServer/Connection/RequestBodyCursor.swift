import NIOCore
import NIOHTTPTypes

/// One request's body, read from its connection's stream of request parts up to the request's end.
///
/// `@unchecked Sendable`: the connection's single task is the only reader, first through the route's
/// body sequence and then, after the route returned, to skip what the route left unread; the two never
/// overlap (Hummingbird's own HTTP/1 loop shares its iterator the same way).
final class RequestBodyCursor: @unchecked Sendable {
    private var iterator: NIOAsyncChannelInboundStream<HTTPRequestPart>.AsyncIterator
    /// The request's end was read: the stream is at the next request's head.
    private(set) var ended = false

    init(_ iterator: NIOAsyncChannelInboundStream<HTTPRequestPart>.AsyncIterator) {
        self.iterator = iterator
    }

    /// The next part of the body; nil at its end. A stream that stops before the end throws rather than
    /// passing a truncated body off as whole.
    func next() async throws -> ByteBuffer? {
        guard !ended else { return nil }
        switch try await iterator.next() {
        case .body(let buffer): return buffer
        case .end: ended = true; return nil
        case .head, nil: throw RequestStreamError.endedMidBody
        }
    }

    /// Reads and drops what is left of the body.
    func skipRest() async throws {
        while try await next() != nil {}
    }

    /// The body as Hummingbird's request body sequence.
    var sequence: Parts { Parts(cursor: self) }

    /// An async sequence over the cursor (its iterator is the cursor: a body is read once).
    struct Parts: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let cursor: RequestBodyCursor
        struct AsyncIterator: AsyncIteratorProtocol {
            let cursor: RequestBodyCursor
            mutating func next() async throws -> ByteBuffer? { try await cursor.next() }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(cursor: cursor) }
    }
}

/// The request stream broke off inside a body (the connection closed, or was closed for a timeout).
enum RequestStreamError: Error, Sendable {
    case endedMidBody
}
