import Foundation
import Hummingbird

/// Signs console requests in from the session cookie, and refuses forged posts. A page without a live session
/// redirects to the sign-in form; a POST must carry the session's CSRF token in its form (`csrf`), besides
/// the cookie being SameSite=Strict. The principal it sets is the same ``Principal`` the API's bearer tokens
/// give, so every page authorizes through the same ``WardenRequestContext/guild(allowing:)`` as the API.
struct ConsoleAuthenticator: RouterMiddleware {
    typealias Context = WardenRequestContext
    let sessions: ConsoleSessions

    static let cookieName = "warden_console"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let cookie = request.cookies[Self.cookieName]?.value,
              let session = try await sessions.session(cookie: Substring(cookie), touch: !Self.isBackgroundPoll(request)) else {
            if request.method == .get || request.method == .head {
                return Response(status: .seeOther, headers: [.location: "/console/signin"])
            }
            throw APIError(.unauthorized, "signed_out", "you are signed out; sign in again")
        }
        var context = context
        context.console = session
        context.principal = session.principal
        var request = request
        if request.method == .post {
            let form = try await ConsoleForm.read(&request)
            guard let csrf = form.fields["csrf"], SessionSecrets.same(csrf, session.csrf) else {
                throw APIError(.forbidden, "csrf", "the form's CSRF token is missing or stale; reload the page and try again")
            }
            context.form = form
        }
        return try await next(request, context)
    }

    /// The pending count the page's script fetches every 30 s: a person did nothing, so the session stays idle.
    static func isBackgroundPoll(_ request: Request) -> Bool {
        request.method == .get && request.uri.path.hasSuffix("/appeals/pending-count")
    }

    /// The session cookie: HttpOnly, SameSite=Strict, scoped to the console, Secure when the request came over TLS.
    static func cookie(_ value: String, secure: Bool, clear: Bool = false) -> Cookie {
        Cookie(name: cookieName, value: value, maxAge: clear ? 0 : nil, path: "/console", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// Whether the browser reached us over TLS (directly, or through a proxy that says so).
    static func overTLS(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[.xForwardedProto]?.lowercased() == "https"
    }
}
