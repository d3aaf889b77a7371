/// One HTTP exchange as the LLM client needs it. Small on purpose: the client builds JSON bodies and reads
/// status, a few headers and the body; everything else (TLS, proxies, connection reuse) is the transport's.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// Header names as sent; values must not contain CR or LF (the transport refuses them).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whole-transfer limit (connect, send, wait, receive).
    public var timeout: Duration
    public var connectTimeout: Duration

    public init(method: String = "POST", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                timeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(10)) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
        self.timeout = timeout; self.connectTimeout = connectTimeout
    }
}

/// A complete response: any status counts as a response (the client decides what a 429 or 500 means).
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased, in arrival order (of the final response when there were redirects or 100s).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status; self.headers = headers; self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }
}

/// Why no complete HTTP response came back.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// DNS, refused or reset connection, TLS handshake: nothing reached the server, or it hung up.
        case connection
        /// The transfer ran past its timeout.
        case timeout
        /// The response was cut short or malformed at the HTTP level (e.g. fewer bytes than Content-Length).
        case protocolError = "protocol"
        /// The request itself was unusable (bad URL, header with a newline).
        case invalidRequest = "invalid_request"
        /// The caller's task was cancelled.
        case cancelled
    }
    public var kind: Kind
    /// Human-readable detail (libcurl's error buffer when it came from libcurl).
    public var message: String
    /// libcurl's CURLcode, when it came from libcurl.
    public var curlCode: Int?

    public init(_ kind: Kind, _ message: String, curlCode: Int? = nil) {
        self.kind = kind; self.message = message; self.curlCode = curlCode
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

/// Sends HTTP requests. The libcurl implementation keeps many transfers in flight on one thread; tests
/// may substitute their own.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}
