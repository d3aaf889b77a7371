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
    /// Seconds to wait before sending again, written as `Retry-After` (a busy or unavailable store).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status; self.code = code; self.message = message; self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func badRequest(_ code: String, _ message: String) -> APIError { APIError(.badRequest, code, message) }
    static func notFound(_ what: String) -> APIError { APIError(.notFound, "not_found", "\(what) not found") }
    static let unauthorized = APIError(.unauthorized, "unauthorized", "missing or unknown bearer token (Authorization: Bearer <token>)")

    /// The JSON body.
    var json: String {
        struct Body: Encodable { let error: Inner }
        struct Inner: Encodable { let code: String; let message: String }
        let data = (try? JSONEncoder().encode(Body(error: Inner(code: code, message: message)))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}
