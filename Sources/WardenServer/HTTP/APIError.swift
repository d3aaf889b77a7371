import Foundation
import Hummingbird

/// An error answered as `{"error": {"code", "message"}}` with its HTTP status. Every failure a client can
/// see goes through this type, so the body's shape never varies.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// Stable, machine-readable (`invalid_field`, `forbidden_guild`, ...).
    public var code: String
    /// For a person: what was wrong and where.
    public var message: String
    /// Fields the answer carries besides the body's (`Allow` on a 405, `Connection: close` when the rest of
    /// the request is not read).
    public var headers: HTTPFields = [:]
    /// Seconds to wait before sending again, written as `Retry-After` (a busy or unavailable store).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status; self.code = code; self.message = message; self.retryAfter = retryAfter
    }

    /// This error, answered with `Connection: close`: the server stops reading the connection after it
    /// (a body refused unread, a broken request stream).
    func closingConnection() -> APIError {
        var copy = self
        copy.headers[.connection] = "close"
        return copy
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func badRequest(_ code: String, _ message: String) -> APIError { APIError(.badRequest, code, message) }
    static func notFound(_ what: String) -> APIError { APIError(.notFound, "not_found", "\(what) not found") }
    static let unauthorized = APIError(.unauthorized, "unauthorized", "missing or unknown bearer token (Authorization: Bearer <token>)")

    /// The JSON body, keys always in the same order (`code`, then `message`).
    var json: String {
        struct Body: Encodable { let error: Inner }
        struct Inner: Encodable { let code: String; let message: String }
        let data = (try? Self.encoder.encode(Body(error: Inner(code: code, message: message)))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}
