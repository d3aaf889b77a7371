import Foundation
import Hummingbird
import WardenCore
import WardenStore

/// Answers a console page's failure as a page (the API answers JSON): the same status and message the API
/// would give, inside the console's frame, so a moderator of guild A who opens guild B's page reads "403"
/// and what to do, and another guild's appeal is a 404 exactly as through the API.
struct ConsoleErrorPages: RouterMiddleware {
    typealias Context = WardenRequestContext
    let renderer: ConsoleRenderer

    struct Model {
        let frame: ConsoleFrame
        let status: Int
        let headline: String
        let message: String
        let signIn: Bool
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let mapped = ErrorMapping.map(error)
            if mapped.status.code >= 500 {
                context.logger.error("console page failed", metadata: ["path": "\(request.uri.path)", "error": "\(StoreLogging.summary(error))"])
            }
            let headline: String
            switch mapped.status.code {
            case 400: headline = "That request could not be used"
            case 401: headline = "You are signed out"
            case 403: headline = "Not allowed"
            case 404: headline = "Not found"
            case 409: headline = "Already changed"
            case 503: headline = "The store is unavailable"
            default: headline = "Something went wrong"
            }
            let frame = context.console.map { ConsoleFrame($0, guild: nil, current: nil, title: headline) } ?? ConsoleFrame(title: headline)
            var response = renderer.page("error", Model(frame: frame, status: mapped.status.code, headline: headline, message: mapped.message,
                                                        signIn: mapped.status == .unauthorized), status: mapped.status)
            if let retry = mapped.retryAfter { response.headers[.retryAfter] = String(retry) }
            if mapped.headers[.connection] != nil { response.headers[.connection] = "close" }
            return response
        }
    }
}
