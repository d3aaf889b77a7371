import Foundation
import Hummingbird
import WardenPipeline

/// `/appeal/{guild}`: the appeal form for banned members, who cannot post in the guild and so cannot reach the
/// bot. The member signs in with Discord (OAuth2, `identify` only), sees their own logs of that guild, and files
/// an appeal against one still open; ``AppealDesk`` applies the same rules as the API (one appeal per log, the
/// guild's window, only one's own log), and filings are limited per member.
struct MemberAppealPages {
    let desk: AppealDesk
    let sessions: ConsoleSessions
    let oauth: DiscordOAuth?
    let renderer: ConsoleRenderer
    let filings: AttemptLimiter
    /// OAuth states already used (each is good for one callback within its cookie's 10 minutes).
    let states = UsedStates()

    static let cookieName = "warden_appeal"
    static let stateCookie = "warden_oauth"

    struct Log {
        let id: String
        let when: String
        let rule: String
        /// What was done, in words a member reads ("message deleted, banned").
        let action: String
        let content: String
        let status: String
        let appealable: Bool
        let appealed: Bool
        let formAction: String
    }
    struct Model {
        let frame: ConsoleFrame
        let guild: String
        let configured: Bool
        let signedIn: Bool
        let member: String
        let csrf: String
        let logs: [Log]
        let notice: String?
        let error: String?
    }

    func register(on router: Router<WardenRequestContext>) {
        let appeal = router.group("appeal").add(middleware: ConsoleHeaders()).add(middleware: ConsoleErrorPages(renderer: renderer, home: nil))
        appeal.get("oauth/callback") { request, context in try await callback(request, context) }
        appeal.get(":guild") { request, context in
            try await page(request, context, notice: nil, filed: try ConsoleQuery(request).id("filed"),
                           error: nil, status: .ok)
        }
        appeal.get(":guild/signin") { request, context in
            let guild = try context.id("guild")
            guard let oauth else { throw APIError(.notFound, "not_configured", "this service has no Discord sign-in configured for appeals") }
            let state = SessionSecrets.random()
            var response = redirect(to: oauth.authorizeURL(state: state))
            // The state comes back on Discord's redirect, a cross-site navigation: SameSite=Lax lets the cookie along.
            response.setCookie(Cookie(name: Self.stateCookie, value: "\(state).\(UInt64(bitPattern: guild))", maxAge: 600, path: "/appeal",
                                      secure: ConsoleAuthenticator.overTLS(request), httpOnly: true, sameSite: .lax))
            return response
        }
        appeal.post(":guild/signout") { request, context in
            let guild = try context.id("guild")
            var request = request
            let form = try await ConsoleForm.read(&request)
            if let member = try await member(request, guild: guild) {
                guard let csrf = form.fields["csrf"], SessionSecrets.same(csrf, member.csrf) else {
                    throw APIError(.forbidden, "csrf", "the form's CSRF token is missing or stale; reload the page and try again")
                }
                try await sessions.signOutMember(member)
            }
            var response = redirect(to: "/appeal/\(UInt64(bitPattern: guild))")
            response.setCookie(Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/appeal", secure: ConsoleAuthenticator.overTLS(request),
                                      httpOnly: true, sameSite: .lax))
            return response
        }
        appeal.post(":guild/logs/:log") { request, context in
            let guild = try context.id("guild")
            var request = request
            let form = try await ConsoleForm.read(&request)
            guard let member = try await member(request, guild: guild) else { return redirect(to: "/appeal/\(UInt64(bitPattern: guild))") }
            guard let csrf = form.fields["csrf"], SessionSecrets.same(csrf, member.csrf) else {
                throw APIError(.forbidden, "csrf", "the form's CSRF token is missing or stale; reload the page and try again")
            }
            let log = try context.id("log")
            let key = "\(guild):\(member.user)"
            if let wait = filings.wait(for: key) {
                return try await page(request, context, notice: nil, error: "You filed several appeals just now; try again in \(wait / 60 + 1) minutes.",
                                      status: .tooManyRequests)
            }
            let reason = try form.text("reason") ?? ""
            do {
                _ = try await desk.file(guild: guild, logID: log, user: member.user, reason: reason)
            } catch let error as AppealError {
                switch error {
                // Another member's log reads as absent: the form does not confirm that it exists.
                case .notYourLog, .logNotFound: throw APIError.notFound("log \(log) among your logs")
                default: return try await page(request, context, notice: nil, error: error.message, status: HTTPResponse.Status(code: error.httpStatus))
                }
            }
            filings.record(key)
            return redirect(to: "/appeal/\(UInt64(bitPattern: guild))" + HTML.query([("filed", String(log))]))
        }
    }

    /// A log's `+`-joined Discord actions as a member reads them.
    static func words(_ actions: String) -> String {
        let names = ["delete_message": "message deleted", "ban": "banned", "kick": "kicked", "timeout": "timed out", "warn": "warned",
                     "mute": "muted", "alert": "moderators alerted"]
        return actions.split(separator: "+").map { names[String($0)] ?? String($0) }.joined(separator: ", ")
    }

    /// The member signed in on this guild's form, if any.
    private func member(_ request: Request, guild: Int64) async throws -> MemberSession? {
        guard let cookie = request.cookies[Self.cookieName]?.value, let session = try await sessions.member(cookie: Substring(cookie)),
              session.guild == guild else { return nil }
        return session
    }

    private func callback(_ request: Request, _ context: WardenRequestContext) async throws -> Response {
        guard let oauth else { throw APIError(.notFound, "not_configured", "this service has no Discord sign-in configured for appeals") }
        let query = try ConsoleQuery(request)
        guard let saved = request.cookies[Self.stateCookie]?.value, let dot = saved.firstIndex(of: "."),
              let guild = RequestID.parse(String(saved[saved.index(after: dot)...])),
              let state = query["state"], SessionSecrets.same(state, String(saved[..<dot])) else {
            throw APIError.badRequest("invalid_state", "the sign-in expired or did not start here; open the appeal page again")
        }
        if query["error"] != nil {
            return redirect(to: "/appeal/\(UInt64(bitPattern: guild))")
        }
        guard let code = query["code"], code.count < 512 else {
            throw APIError.badRequest("invalid_code", "Discord sent no sign-in code back")
        }
        // A state is good for one sign-in: a replayed callback (the same cookie and state again) is refused.
        guard states.record(state) else {
            throw APIError.badRequest("invalid_state", "this sign-in was used already; open the appeal page again")
        }
        let who: DiscordOAuth.Member
        do { who = try await oauth.member(code: code) } catch {
            // The details are for the operator's log, not for an anonymous visitor.
            context.logger.warning("appeal form: Discord sign-in failed", metadata: ["error": "\(error.description)"])
            throw APIError(.badGateway, "discord_unavailable", "Discord did not confirm the sign-in; please try again in a few minutes")
        }
        let opened = try await sessions.signInMember(guild: guild, user: who.id, username: who.username)
        var response = redirect(to: "/appeal/\(UInt64(bitPattern: guild))")
        let secure = ConsoleAuthenticator.overTLS(request)
        response.setCookie(Cookie(name: Self.cookieName, value: opened.cookie, path: "/appeal", secure: secure, httpOnly: true, sameSite: .lax))
        response.setCookie(Cookie(name: Self.stateCookie, value: "", maxAge: 0, path: "/appeal", secure: secure, httpOnly: true, sameSite: .lax))
        return response
    }

    /// `filed`: the log the member just appealed (the redirect's), acknowledged only when it is theirs and appealed.
    private func page(_ request: Request, _ context: WardenRequestContext, notice: String?, filed: Int64? = nil, error: String?,
                      status: HTTPResponse.Status) async throws -> Response {
        let guild = try context.id("guild")
        let guildText = String(UInt64(bitPattern: guild))
        let member = try await member(request, guild: guild)
        var logs: [AppealDesk.MemberLog] = []
        if let member { logs = try await desk.memberLogs(guild: guild, user: member.user) }
        let notice = notice ?? filed.flatMap { id in
            logs.contains { $0.id == id && $0.appealStatus != "none" } ? "Your appeal against log \(id) was filed. Moderators will review it." : nil
        }
        let model = Model(
            frame: ConsoleFrame(title: "Appeal"), guild: guildText, configured: oauth != nil, signedIn: member != nil,
            member: member.map { ConsoleText.visible("\($0.username) (\(UInt64(bitPattern: $0.user)))") } ?? "", csrf: member?.csrf ?? "",
            logs: logs.map { log in
                Log(id: String(log.id), when: ConsoleText.stamp(log.timestamp), rule: ConsoleText.visible(log.rule ?? "—"), action: Self.words(log.actionTaken),
                    content: ConsoleText.excerpt(log.messageContent ?? "", 500), status: log.appealStatus, appealable: log.appealable,
                    appealed: log.appealStatus != "none", formAction: "/appeal/\(guildText)/logs/\(log.id)")
            },
            notice: notice, error: error)
        return renderer.page("member-appeal", model, status: status)
    }
}
