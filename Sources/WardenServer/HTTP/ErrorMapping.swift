import Hummingbird
import Logging
import NIOHTTP1
import WardenCore
import WardenStore

/// Turns every error a route throws into an ``APIError`` (so every failure has the same JSON shape): a
/// ``ServiceError`` says its own status, code and `Retry-After` (a store that is down or busy answers 503
/// with it, whichever route met it); a broken request stream is the client's 400; anything unknown is a 500.
/// A path that exists under other methods answers 405 with `Allow` (from `routes`) instead of the router's
/// 404. It also logs server-side failures without the request's content.
struct ErrorMapping: RouterMiddleware {
    typealias Context = WardenRequestContext
    /// Every route's method and pattern, filled once the router has them all.
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            // The router's own 404 (our routes throw APIError): no route has this path and method.
            if let error = error as? HTTPError, error.status == .notFound {
                let allowed = routes.methods(for: request.uri.path)
                if !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
                    var refusal = APIError(.methodNotAllowed, "method_not_allowed",
                                           "\(request.method.rawValue) is not allowed here; this path answers \(allowed.joined(separator: ", "))")
                    refusal.headers[.allow] = allowed.joined(separator: ", ")
                    throw refusal
                }
            }
            let mapped = Self.map(error)
            if ProtocolErrors.isClientGone(error) {
                // The client left mid-request: nothing to fix here, and nobody to answer.
                context.logger.debug("client went away mid-request", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)"])
            } else if mapped.status.code >= 500 {
                context.logger.error("request failed", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)",
                                                                  "status": "\(mapped.status.code)", "error": "\(StoreLogging.summary(error))"])
            }
            throw mapped
        }
    }

    static func map(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as HTTPError:
            return APIError(error.status, error.status == .notFound ? "route_not_found" : "http_error",
                            error.body ?? error.status.reasonPhrase)
        case let error as HTTPParserError:
            return ProtocolErrors.refusal(for: error) ?? ProtocolErrors.clientGone
        case let error where ProtocolErrors.isClientGone(error):
            return ProtocolErrors.clientGone
        case let error as any ServiceError:
            return APIError(HTTPResponse.Status(code: error.httpStatus), error.code, error.message, retryAfter: error.retryAfter)
        default:
            return APIError(.internalServerError, "internal_error", "the server failed; see its log")
        }
    }
}
