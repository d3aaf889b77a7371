import Hummingbird
import Logging
import WardenCore
import WardenStore

/// Turns every error a route throws into an ``APIError`` (so every failure has the same JSON shape): a
/// ``ServiceError`` says its own status, code and `Retry-After` (a store that is down or busy answers 503
/// with it, whichever route met it); anything unknown is a 500. It also
/// logs server-side failures without the request's content.
struct ErrorMapping: RouterMiddleware {
    typealias Context = WardenRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let mapped = Self.map(error)
            if mapped.status.code >= 500 {
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
        case let error as any ServiceError:
            return APIError(HTTPResponse.Status(code: error.httpStatus), error.code, error.message, retryAfter: error.retryAfter)
        default:
            return APIError(.internalServerError, "internal_error", "the server failed; see its log")
        }
    }
}
