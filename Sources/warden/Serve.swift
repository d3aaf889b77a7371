import ArgumentParser
import Foundation
import Logging
import WardenApp
import WardenPipeline
import WardenServer
import WardenStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP service: the bot's /v1/messages, appeals, tickets, FAQ, verification, admin routes.",
        discussion: """
        Listens on --host:--port (127.0.0.1:8080) with the store from --database (default: the embedded
        SQLite file warden.db; a postgres:// URL lets several instances share state). Every /v1 route needs
        a bearer token: create one with `warden admin token create`. /health, /metrics and /openapi.json are open.
        With WARDEN_LLM_BASE_URL set, ai rules run through the model and support jobs run in the background.
        SIGTERM or SIGINT stops taking connections, finishes requests in flight, then exits.
        Logs go to stderr and hold no message text unless --log-content asks for it; LOG_LEVEL=debug for more.
        """
    )

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0: any free port, printed at start).") var port = 8080
    @OptionGroup var store: StoreOptions
    @OptionGroup var support: SupportOptions
    @Option(help: "The rule pack imported into guilds that have no rules yet.") var rules = "rules"
    @Option(help: "Message batches committed at once (default: 1 on SQLite, 2 on PostgreSQL).") var lanes: Int?
    @Flag(help: "Log one line per judged message: ids, verdict, rules (never the text).") var logDecisions = false
    @Flag(help: "Also log each message's text, JSON-escaped (implies --log-decisions).") var logContent = false
    @Option(help: "Seconds a request head may take from its first byte (and a new connection before its first request); then 408 and close.")
    var headerTimeout = 10.0
    @Option(help: "Seconds a request body may go without a byte arriving; then 408 and close.") var bodyTimeout = 30.0
    @Option(help: "Seconds a kept-alive connection may sit between requests before it is closed.") var idleTimeout = 60.0
    @Option(help: "Connections served at once; further ones wait in the listen backlog until one closes.") var maxConnections = 1024
    @Option(help: "Hours a console session lives without a request.") var consoleIdleHours = 12.0
    @Flag(help: "Do not send webhook deliveries from this process (another instance on the same store sends them).")
    var noWebhooks = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        if let lanes, !(1...64).contains(lanes) { throw ValidationError("--lanes must be 1-64") }
        for (name, seconds) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout)] {
            guard seconds.isFinite, (0.1...86_400).contains(seconds) else { throw ValidationError("\(name) must be 0.1-86400 seconds") }
        }
        guard (1...1_000_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 1-1000000") }
    }

    func run() async throws {
        // Logs go to stderr, so stdout stays free for whoever runs the service.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger: Logger = {
            var logger = Logger(label: "warden")
            logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return logger
        }()
        let (pack, issues) = try RulePackDirectory.load(rules)
        for issue in issues { logger.warning("skipped rule", metadata: ["issue": "\(issue)"]) }
        let database = try await store.open()
        var appConfiguration = try support.appConfiguration(pack: pack)
        appConfiguration.report = { logger.warning("background problem", metadata: ["detail": "\($0)"]) }
        let app = try buildApp(database, appConfiguration)
        var configuration = WardenService.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.lanes = lanes ?? (database.dialect == .postgres ? 2 : 1)
        configuration.logDecisions = logDecisions
        configuration.logContent = logContent
        configuration.connections.headerTimeout = .milliseconds(Int64(headerTimeout * 1000))
        configuration.connections.bodyTimeout = .milliseconds(Int64(bodyTimeout * 1000))
        configuration.connections.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        configuration.connections.maxConnections = maxConnections
        configuration.deliverWebhooks = !noWebhooks
        guard consoleIdleHours > 0, consoleIdleHours <= 24 * 90 else {
            throw ValidationError("--console-idle-hours must be more than 0 and at most 2160 (90 days), got \(consoleIdleHours)")
        }
        configuration.consoleIdleLimit = consoleIdleHours * 3600
        // The banned members' appeal form signs them in with Discord when the operator configured an application.
        configuration.discord = DiscordOAuth.Configuration.fromEnvironment()
        let service = try WardenService(app: app, configuration: configuration)
        let application = service.application(logger: logger) { port in
            logger.info("listening", metadata: ["url": "http://\(host):\(port)", "store": "\(database.dialect)"])
        }
        try await application.runService()
        await database.close()
    }
}
