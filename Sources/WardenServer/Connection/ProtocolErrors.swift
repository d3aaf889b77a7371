import HTTPTypes
import NIOCore
import NIOHTTP1

/// What a client is told when its request breaks HTTP itself (framing, headers), and which errors mean
/// the client went away, which is not the server's failure.
enum ProtocolErrors {
    /// The answer to a parser error; nil when there is no one to answer (the connection ended mid-request).
    /// Every answer closes the connection: after a framing error the stream cannot be trusted.
    static func refusal(for error: HTTPParserError) -> APIError? {
        let refusal: APIError
        switch error {
        case .invalidEOFState:
            return nil
        case .headerOverflow:
            refusal = APIError(.requestHeaderFieldsTooLarge, "headers_too_large",
                               "the request headers exceed \(ConnectionLimits.maxHeaderBytes) bytes or \(ConnectionLimits.maxHeaderFields) fields")
        default:
            refusal = APIError(.badRequest, "bad_request", "malformed HTTP request: \(describe(error))")
        }
        return refusal.closingConnection()
    }

    /// Whether `error` says the client closed the connection (or stalled and was cut off) before its request was whole.
    static func isClientGone(_ error: any Error) -> Bool {
        switch error {
        case HTTPParserError.invalidEOFState, RequestStreamError.endedMidBody: true
        case is ChannelError, is IOError: true
        default: false
        }
    }

    /// The answer when the client is gone: nobody reads it, but metrics count it as the client's doing.
    static let clientGone = APIError(.badRequest, "incomplete_request", "the connection ended before the request was complete").closingConnection()

    private static func describe(_ error: HTTPParserError) -> String {
        switch error {
        case .invalidChunkSize: "invalid chunk size"
        case .lfExpected, .strictModeAssertion: "a line is not ended by CRLF where HTTP needs one (chunked body or headers)"
        case .unexpectedContentLength: "Content-Length together with Transfer-Encoding, or more than one Content-Length"
        case .invalidContentLength: "invalid Content-Length"
        case .invalidHeaderToken, .invalidCharactersUsed: "a header holds a character HTTP does not allow there"
        case .invalidURL, .invalidPath, .invalidQueryString, .invalidFragment, .invalidHost, .invalidPort: "invalid request target"
        case .invalidVersion: "not an HTTP/1.x request line"
        // Binary garbage (a TLS handshake, say) fails here as much as an unknown method name does.
        case .invalidMethod: "unknown or malformed request method"
        case .invalidConstant, .invalidInternalState, .closedConnection, .trailingGarbage: "not a valid HTTP/1.x request"
        default: "\(error)"
        }
    }
}
