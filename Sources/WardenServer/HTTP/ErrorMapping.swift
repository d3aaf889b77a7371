import Hummingbird
import Logging
import WardenCore
import WardenPipeline
import WardenStore
import WardenSupport

/// Turns every error a route throws into an ``APIError`` (so every failure has the same JSON shape), and
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
        case let error as IngestError:
            return APIError.badRequest(error.code, error.description)
        case let error as SupportError:
            return support(error)
        case let error as GuildPolicyLoader.InvalidSetting:
            return APIError(.conflict, "invalid_setting", "\(error); an admin can fix it with PUT /v1/guilds/{guild}/settings/automod/\(error.key)")
        case let error as StoreError:
            return error.isRetryable
                ? APIError(.serviceUnavailable, "store_busy", "the store was busy; send the request again")
                : APIError(.internalServerError, "store_error", "the store failed; see the server log")
        default:
            if let mapped = (error as? any APIErrorConvertible)?.apiError { return mapped }
            return APIError(.internalServerError, "internal_error", "the server failed; see its log")
        }
    }

    static func support(_ error: SupportError) -> APIError {
        let message = error.description
        switch error {
        case .ticketNotFound, .proposalNotFound, .verificationNotFound:
            return APIError(.notFound, "not_found", message)
        case .invalidTransition:
            return APIError(.conflict, "invalid_transition", message)
        case .ticketChanged:
            return APIError(.conflict, "changed_meanwhile", message)
        case .ticketFinished:
            return APIError(.conflict, "ticket_finished", message)
        case .proposalNotPending, .verificationNotReviewable:
            return APIError(.conflict, "not_pending", message)
        case .invalidImage:
            return APIError(.unprocessableContent, "invalid_image", message)
        case .invalidInput:
            return APIError.badRequest("invalid_field", message)
        case .invalidSetting:
            return APIError(.conflict, "invalid_setting", message)
        case .prompt:
            return APIError(.internalServerError, "prompt_error", message)
        }
    }
}

/// A domain error that knows its HTTP form (appeals, settings, rules).
protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}
