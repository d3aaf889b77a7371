/// How long a connection may take over each part of a request, and how many connections are served at once.
/// A client that stalls is cut off by these, so a few slow or silent clients cannot hold the server's
/// connections (slowloris, half-open sockets).
public struct ConnectionLimits: Sendable, Equatable {
    /// A request head (request line and headers) must be complete this long after its first byte arrives,
    /// and a new connection must deliver its first head this long after it opens. Answered 408, then closed.
    public var headerTimeout: Duration = .seconds(10)
    /// While a body is read, the client must send a byte at least this often (time the server itself is
    /// not reading, because a route has not asked for more yet, does not count). Answered 408 when no
    /// response has started yet, then closed.
    public var bodyTimeout: Duration = .seconds(30)
    /// A kept-alive connection with no request in progress is closed after this long.
    public var idleTimeout: Duration = .seconds(60)
    /// Connections served at once. Beyond it the server stops accepting: new connections wait in the
    /// kernel's listen backlog (256) until one closes, rather than being refused, so a burst of honest
    /// clients is delayed, not failed, while the timeouts above free the slots that stalled clients hold.
    public var maxConnections = 1024
    /// After a response that closes the connection (`Connection: close`), how long the server still
    /// reads and drops what the client sends before closing for good, so the client sees the response
    /// rather than a reset.
    public var lingerTimeout: Duration = .seconds(2)

    /// A request head may hold at most this many bytes of header fields (one field or all together)...
    public static let maxHeaderBytes = 16 * 1024
    /// ... and at most this many fields; past either it is answered 431.
    public static let maxHeaderFields = 100

    public init() {}
}
