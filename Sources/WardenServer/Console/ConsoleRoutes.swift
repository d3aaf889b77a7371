import Foundation
import Hummingbird
import WardenApp
import WardenPipeline
import WardenStore

/// The web console under `/console/` and the banned members' appeal form under `/appeal/`: every page family
/// registered here, each in its own file under `Pages/`, each calling the same desks as the API and the CLI.
struct ConsoleRoutes {
    let app: WardenApp
    let tokens: TokenStore
    let sessions: ConsoleSessions
    let renderer: ConsoleRenderer
    let throttle: AttemptLimiter
    /// Discord sign-in for the appeal form; nil leaves the form saying it is not set up.
    let oauth: DiscordOAuth?
    /// Appeals filed through the form, per member: at most 5 an hour.
    let filings: AttemptLimiter

    func register(on router: Router<WardenRequestContext>) {
        router.add(middleware: ConsolePathsNotFound(renderer: renderer))
        let console = router.group("console").add(middleware: ConsoleHeaders()).add(middleware: ConsoleErrorPages(renderer: renderer))
        // The inner error pages see the session, so a signed-in 403 or 404 keeps the navigation.
        let signedIn = console.group().add(middleware: ConsoleAuthenticator(sessions: sessions)).add(middleware: ConsoleErrorPages(renderer: renderer))
        let database = app.database
        SignInPages(sessions: sessions, renderer: renderer, throttle: throttle)
            .register(public: console, signedIn: signedIn, guildList: { [dashboard = app.dashboard] in try await dashboard.knownGuilds() })
        AppealPages(desk: app.appeals, rules: app.rules, records: MemberRecords(database: database), renderer: renderer,
                    clock: app.clock).register(on: signedIn)
        DashboardPage(desk: app.dashboard, renderer: renderer).register(on: signedIn)
        ProposalPages(faq: app.faq, tickets: app.tickets, renderer: renderer, clock: app.clock).register(on: signedIn)
        TicketPages(desk: app.tickets).register(on: signedIn)
        FAQPage(faq: app.faq, dashboard: app.dashboard, renderer: renderer, clock: app.clock).register(on: signedIn)
        RulePages(desk: app.rules, renderer: renderer).register(on: signedIn)
        TesterPage(desk: app.rules, renderer: renderer).register(on: signedIn)
        LogPages(records: MemberRecords(database: database), rules: app.rules, renderer: renderer).register(on: signedIn)
        VerificationPages(desk: app.verifications, renderer: renderer, clock: app.clock).register(on: signedIn)
        SettingPages(desk: app.settings, renderer: renderer).register(on: signedIn)
        TokenPages(tokens: tokens, renderer: renderer).register(on: signedIn)
        MemberAppealPages(desk: app.appeals, sessions: sessions, oauth: oauth, renderer: renderer, filings: filings)
            .register(on: router)

    }
}
