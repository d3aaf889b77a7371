import Foundation
import Hummingbird
import WardenCore
import WardenStore

/// Answers a console page's failure as a page (the API answers JSON): the same status and message the API
/// would give, inside the console's frame (with its navigation when signed in: the signed-in pages have an
/// instance of their own inside the authenticator), so a moderator of guild A who opens guild B's page reads "403"
/// and what to do, and another guild's appeal is a 404 exactly as through the API.
struct ConsoleErrorPages: RouterMiddleware {
    typealias Context = WardenRequestContext
    let renderer: ConsoleRenderer
    /// Where the page's "back" link goes: the console (nil: the appeal form's own page, where members are).
    let home: String?

    init(renderer: ConsoleRenderer, home: String? = "/console/") {
        self.renderer = renderer; self.home = home
    }

    struct Model {
        let frame: ConsoleFrame
        let status: Int
        let headline: String
        let message: String
        let signIn: Bool
        let home: String?
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
            // A signed-in page keeps its navigation: of the token's own guild, else of the guild in the path.
            let guild = context.console?.principal.guild ?? context.parameters.get("guild").flatMap(RequestID.parse)
            let frame = context.console.map { ConsoleFrame($0, guild: guild, current: nil, title: headline) } ?? ConsoleFrame(title: headline)
            var response = renderer.page("error", Model(frame: frame, status: mapped.status.code, headline: headline, message: mapped.message,
                                                        signIn: mapped.status == .unauthorized && home != nil, home: home), status: mapped.status)
            if let retry = mapped.retryAfter { response.headers[.retryAfter] = String(retry) }
            if mapped.headers[.connection] != nil { response.headers[.connection] = "close" }
            return response
        }
    }
}

/// The router's own "no such page" (404, or 405 for a method a page does not take) under `/console` and `/appeal`:
/// answered as a page with the console's headers, as the pages' own errors are, not in the API's JSON. Added to
/// the router itself, since no route (and so no group's middleware) matched.
struct ConsolePathsNotFound: RouterMiddleware {
    typealias Context = WardenRequestContext
    let renderer: ConsoleRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            let path = request.uri.path
            let inAppealForm = path == "/appeal" || path.hasPrefix("/appeal/")
            guard path == "/console" || path.hasPrefix("/console/") || inAppealForm else { throw error }
            let model = ConsoleErrorPages.Model(frame: ConsoleFrame(title: "Not found"), status: 404, headline: "Not found",
                                                message: "There is no page here.", signIn: false, home: inAppealForm ? nil : "/console/")
            var response = renderer.page("error", model, status: .notFound)
            ConsoleHeaders.apply(to: &response.headers)
            return response
        }
    }
}
