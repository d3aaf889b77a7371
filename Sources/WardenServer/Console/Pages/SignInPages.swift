import Foundation
import Hummingbird

/// Signing in and out, the console's front door, the guild switcher, and the stylesheet and script.
///
/// Sign-in takes an API token (moderator, staff or admin) and opens a server-side session; the form is
/// protected by a one-time value in a cookie of its own (there is no session yet to hold a CSRF token), and
/// failed attempts are throttled per address.
struct SignInPages {
    let sessions: ConsoleSessions
    let renderer: ConsoleRenderer
    let throttle: AttemptLimiter

    static let signInCookie = "warden_signin"

    struct SignInModel {
        let frame: ConsoleFrame
        let csrf: String
        let error: String?
    }

    struct GuildsModel {
        struct Guild { let id: String; let href: String }
        let frame: ConsoleFrame
        let guilds: [Guild]
    }

    func register(public console: RouterGroup<WardenRequestContext>, signedIn: RouterGroup<WardenRequestContext>, guildList: @escaping @Sendable () async throws -> [Int64]) {
        console.get("assets/:file") { _, context in
            let name = try context.parameter("file")
            guard let asset = renderer.assets[name] else { throw APIError.notFound("asset \(name)") }
            // No member data in them: cacheable for an hour.
            return Response(status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "public, max-age=3600"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
        }
        console.get("signin") { request, _ in
            signInPage(request: request, error: nil, status: .ok)
        }
        console.post("signin") { request, context in
            var request = request
            let form = try await ConsoleForm.read(&request)
            guard let expected = request.cookies[Self.signInCookie]?.value, let sent = form.fields["csrf"],
                  SessionSecrets.same(sent, expected) else {
                return signInPage(request: request, error: "The form expired. Please sign in again.", status: .forbidden)
            }
            let address = context.remoteAddress ?? "unknown"
            if let wait = throttle.wait(for: address) {
                var response = signInPage(request: request, error: "Too many failed sign-ins. Try again in \(wait) seconds.", status: .tooManyRequests)
                response.headers[.retryAfter] = String(wait)
                return response
            }
            let token = (form.fields["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard let opened = try await sessions.signIn(token: token) else {
                throttle.record(address)
                return signInPage(request: request, error: "That token is unknown, revoked, or a bot's.", status: .unauthorized)
            }
            var response = Response(status: .seeOther, headers: [.location: "/console/"])
            response.setCookie(ConsoleAuthenticator.cookie(opened.cookie, secure: ConsoleAuthenticator.overTLS(request)))
            response.setCookie(Cookie(name: Self.signInCookie, value: "", maxAge: 0, path: "/console/signin", httpOnly: true, sameSite: .strict))
            return response
        }
        signedIn.post("signout") { request, context in
            if let session = context.console { try await sessions.signOut(session) }
            var response = Response(status: .seeOther, headers: [.location: "/console/signin"])
            response.setCookie(ConsoleAuthenticator.cookie("", secure: ConsoleAuthenticator.overTLS(request), clear: true))
            return response
        }
        signedIn.get("") { _, context in try home(context) }
        signedIn.get("guilds") { request, context in
            let session = try context.session()
            if let scope = session.principal.guild { return redirect(to: "/console/guilds/\(UInt64(bitPattern: scope))") }
            // An id typed into the switcher's form.
            if let typed = try ConsoleQuery(request)["guild"] {
                guard let id = RequestID.parse(typed) else { throw APIError.badRequest("invalid_parameter", "a guild id is digits, got '\(typed)'") }
                return redirect(to: "/console/guilds/\(UInt64(bitPattern: id))")
            }
            let guilds = try await guildList().map { id in
                GuildsModel.Guild(id: String(UInt64(bitPattern: id)), href: "/console/guilds/\(UInt64(bitPattern: id))")
            }
            return renderer.page("guilds", GuildsModel(frame: ConsoleFrame(session, guild: nil, current: nil, title: "Choose a guild"), guilds: guilds))
        }
    }

    /// The front door: a scoped token goes to its guild's first section, an unscoped one to the switcher.
    private func home(_ context: WardenRequestContext) throws -> Response {
        let session = try context.session()
        guard let guild = session.principal.guild else { return redirect(to: "/console/guilds") }
        return redirect(to: "/console/guilds/\(UInt64(bitPattern: guild))")
    }

    private func signInPage(request: Request, error: String?, status: HTTPResponse.Status) -> Response {
        let csrf = SessionSecrets.random()
        var response = renderer.page("signin", SignInModel(frame: ConsoleFrame(title: "Sign in"), csrf: csrf, error: error), status: status)
        response.setCookie(Cookie(name: Self.signInCookie, value: csrf, path: "/console/signin", secure: ConsoleAuthenticator.overTLS(request),
                                  httpOnly: true, sameSite: .strict))
        return response
    }
}

/// A 303 to `path` (after a form, the browser then GETs the page).
func redirect(to path: String) -> Response {
    Response(status: .seeOther, headers: [.location: path])
}
