import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import WardenApp
import WardenCore
import WardenLLM
import WardenPipeline
import WardenStore
import WardenSupport

/// The Warden HTTP service: every desk behind one router, plus the background work a running service
/// does (support jobs, late LLM verdicts left by an earlier process, housekeeping).
public final class WardenService: Sendable {
    /// Where and how the service listens and commits.
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// Batches written at once by the message intake (1 for SQLite's single writer).
        public var lanes = 1
        /// Most messages committed in one transaction.
        public var maxBatch = 256
        public var version = "0.5.0"
        /// Log one line per judged message (ids, verdict, rules); off by default.
        public var logDecisions = false
        /// Also log the message text in those lines (JSON-escaped, so it cannot forge log lines); off by default.
        public var logContent = false
        /// Timeouts and the bound on open connections.
        public var connections = ConnectionLimits()
        /// Whether this process sends webhook deliveries (any number of instances may), and how.
        public var deliverWebhooks = true
        public var webhooks = WebhookDeliverer.Configuration()
        /// How long a console session lives without a request.
        public var consoleIdleLimit: TimeInterval = 12 * 3600
        /// Discord sign-in for the banned members' appeal form (`/appeal/{guild}`); nil leaves the form off.
        public var discord: DiscordOAuth.Configuration?
        public init() {}
    }

    public let configuration: Configuration
    /// The object graph this service serves (store, pipeline, desks, jobs).
    public let app: WardenApp
    public let intake: MessageIntake
    public let tokens: TokenStore
    public let metrics: ServiceMetrics
    public let health: HealthMonitor
    public let feed: EventFeed
    /// Runs durable jobs (late LLM verdicts, summaries, FAQ drafts, screenshot checks) when an LLM is configured.
    public let jobRunner: JobRunner?
    /// Sends the webhook outbox (over its own libcurl transport).
    public let webhooks: WebhookDeliverer
    /// The console's sign-in sessions and its pages' templates.
    public let consoleSessions: ConsoleSessions
    let consoleRenderer: ConsoleRenderer
    let signInThrottle = AttemptLimiter()
    let appealFilings = AttemptLimiter(limit: 5, window: 3600)

    public var database: any Database { app.database }
    public var pipeline: MessagePipeline { app.pipeline }
    public var appeals: AppealDesk { app.appeals }
    public var tickets: TicketDesk { app.tickets }
    public var faq: FAQDesk { app.faq }
    public var verifications: VerificationDesk { app.verifications }
    var clock: @Sendable () -> Date { app.clock }

    /// - Throws: `ConsoleSetupError` when the console's templates cannot be loaded (a packaging fault).
    public init(app: WardenApp, configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        self.app = app
        jobRunner = app.jobRunner()
        let metrics = ServiceMetrics()
        self.metrics = metrics
        intake = MessageIntake(pipeline: app.pipeline, metrics: metrics, maxBatch: configuration.maxBatch, lanes: configuration.lanes)
        tokens = TokenStore(database: app.database, clock: app.clock)
        health = HealthMonitor(database: app.database, llm: app.llmClient, version: configuration.version, clock: app.clock)
        feed = EventFeed(database: app.database)
        consoleSessions = ConsoleSessions(database: app.database, tokens: tokens, idleLimit: configuration.consoleIdleLimit, clock: app.clock)
        consoleRenderer = try ConsoleRenderer()
        webhooks = WebhookDeliverer(database: app.database,
                                    transport: CurlTransport(maxConnections: 32, userAgent: "warden-webhooks/\(configuration.version)"),
                                    configuration: configuration.webhooks, clock: app.clock)
    }

    /// Every route, behind metrics and error mapping (outermost first); the `/v1` routes also behind token
    /// authentication, so the operations routes (health, metrics, the OpenAPI document) need no allow-list.
    public func router() -> Router<WardenRequestContext> {
        let router = Router(context: WardenRequestContext.self)
        let routes = RouteTable()
        router.add(middleware: RequestMetrics(metrics: metrics))
        router.add(middleware: ErrorMapping(routes: routes))
        OperationsRoutes(health: health, metrics: metrics, intake: intake, database: database, llm: health.llm, webhooks: webhooks,
                         deflection: app.deflection, clock: app.clock).register(on: router)
        let v1 = router.group("v1").add(middleware: TokenAuthenticator(tokens: tokens))
        MessageRoutes(intake: intake, metrics: metrics, logging: DecisionLogging(decisions: configuration.logDecisions || configuration.logContent,
                                                                                 content: configuration.logContent)).register(on: v1)
        GatewayRoutes(desk: GatewayDesk(intake: intake, members: app.members), metrics: metrics).register(on: v1)
        EventRoutes(feed: feed).register(on: v1)
        AppealRoutes(desk: appeals).register(on: v1)
        MemberRoutes(records: MemberRecords(database: database), privacy: app.privacy).register(on: v1)
        TicketRoutes(desk: tickets, deflection: app.deflection).register(on: v1)
        VerificationRoutes(desk: verifications).register(on: v1)
        FAQRoutes(desk: faq, deflection: app.deflection).register(on: v1)
        RuleRoutes(desk: app.rules).register(on: v1)
        CaseRoutes(desk: app.cases).register(on: v1)
        SettingRoutes(desk: app.settings).register(on: v1)
        TokenRoutes(tokens: tokens).register(on: v1)
        WebhookRoutes(desk: app.webhooks).register(on: v1)
        ConsoleRoutes(app: app, tokens: tokens, sessions: consoleSessions, renderer: consoleRenderer, throttle: signInThrottle,
                      oauth: configuration.discord.map { DiscordOAuth(configuration: $0, transport: CurlTransport(maxConnections: 8, userAgent: "warden-appeals/\(configuration.version)")) },
                      filings: appealFilings).register(on: router)
        routes.record(router.routes.map { ($0.path, $0.method) })
        return router
    }

    /// The HTTP/1.1 server: Hummingbird's, with parser errors answered in the JSON error shape and the
    /// timeouts of ``Configuration/connections``.
    public func httpServer() -> HTTPServerBuilder {
        let limits = configuration.connections
        return HTTPServerBuilder { responder in WardenHTTPChannel(responder: responder, limits: limits) }
    }

    /// Where to listen, and the bound on open connections (past it, new ones wait in the listen backlog).
    public var applicationConfiguration: ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "warden",
                                 availableConnectionsDelegate: MaximumAvailableConnections(configuration.connections.maxConnections,
                                                                                           logger: Logger(label: "warden.connections")))
    }

    /// The application: the HTTP server and the background work, stopped together on SIGTERM or SIGINT
    /// (the server first finishes the requests in flight).
    public func application(logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        Application(router: router(),
                    server: httpServer(),
                    configuration: applicationConfiguration,
                    services: [BackgroundWork(service: self, logger: logger), StoreNotifications(service: self)]
                        + (configuration.deliverWebhooks ? [WebhookDelivery(deliverer: webhooks, logger: logger)] : []) as [any Service],
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                    logger: logger)
    }

    /// Listens for other instances' changes on a shared PostgreSQL database: a guild's rules or settings
    /// changed (compiled again here at once, if cached), a guild's events feed grew (its long-polls wake).
    /// Nil on SQLite. `warden serve` runs it for the service's lifetime (``StoreNotifications``).
    public func listenForChanges() -> (any StoreListener)? {
        let guilds = app.guilds, signal = feed.signal
        let listener = app.database.listen { channel, guild in
            switch channel {
            case .config:
                Task {
                    if let guild { await guilds.refreshIfCached(Snowflake(UInt64(bitPattern: guild))) } else { await guilds.refreshAll() }
                }
            case .events:
                signal.signal(guild)
            }
        }
        if listener != nil { feed.isListening = true }
        return listener
    }

    /// Removes what has outlived its retention: remembered decisions, delivered events, finished jobs.
    public func housekeeping() async throws {
        try await app.housekeeping()
        try await consoleSessions.prune()
    }
}

/// The service's background work: durable jobs (late LLM verdicts left by an earlier process, support
/// work), hourly housekeeping. On graceful shutdown it finishes the pass it is in and stops.
struct BackgroundWork: Service {
    let service: WardenService
    let logger: Logger

    func run() async throws {
        var lastHousekeeping = ContinuousClock.now - .seconds(3600)
        var lastRaidSweep = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Raid mode ends after a quiet period even when nobody joins to notice; temporary bans and mutes end
            // on time. Both are written once in the store, so every instance may run this.
            if ContinuousClock.now - lastRaidSweep >= .seconds(5) {
                do { try await service.app.members.endQuietRaids() } catch {
                    logger.error("ending quiet raids failed", metadata: ["error": "\(StoreLogging.summary(error))"])
                }
                do { try await service.app.cases.expireDue() } catch {
                    logger.error("ending temporary punishments failed", metadata: ["error": "\(StoreLogging.summary(error))"])
                }
                lastRaidSweep = .now
            }
            if ContinuousClock.now - lastHousekeeping >= .seconds(3600) {
                do { try await service.housekeeping() } catch { logger.error("housekeeping failed", metadata: ["error": "\(StoreLogging.summary(error))"]) }
                lastHousekeeping = .now
            }
            var busy = false
            // Late verdicts left by a stopped process are among the jobs: they are finished here, like support work.
            if let runner = service.jobRunner {
                do { busy = try await runner.runOnce().leased > 0 } catch {
                    logger.error("jobs failed", metadata: ["error": "\(StoreLogging.summary(error))"])
                }
            }
            if !busy {
                // Sleeps a second, or less when shutdown begins.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            }
        }
        // The HTTP server stopped first (services stop in reverse order); whatever is still queued is committed.
        await service.intake.close()
        if let llm = service.pipeline.llm {
            let left = await llm.drain(timeout: .seconds(10))
            if left > 0 { logger.warning("late LLM verdicts still running at shutdown; any running instance's job runner (or the next start) finishes them", metadata: ["count": "\(left)"]) }
        }
    }
}

/// The store listener (``WardenService/listenForChanges()``) for as long as the service runs; at shutdown
/// it stops and every waiting long-poll is woken to answer at once.
struct StoreNotifications: Service {
    let service: WardenService

    func run() async throws {
        let listener = service.listenForChanges()
        try? await gracefulShutdown()
        listener?.stop()
        service.feed.isListening = false
        service.feed.signal.signal(nil)
    }
}
