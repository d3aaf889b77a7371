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
        a bearer token: create one with `warden token create`. /health, /metrics and /openapi.json are open.
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

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        if let lanes, !(1...64).contains(lanes) { throw ValidationError("--lanes must be 1-64") }
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
        let service = WardenService(app: app, configuration: configuration)
        let application = service.application(logger: logger) { port in
            logger.info("listening", metadata: ["url": "http://\(host):\(port)", "store": "\(database.dialect)"])
        }
        try await application.runService()
        await database.close()
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it (once: only its hash is stored) alone on the last line.")
        @Option(help: "bot, moderator, staff or admin.") var role: String
        @Option(help: "The one guild the token reaches (default: every guild).") var guild: String?
        @Option(help: "A note to recognise the token by.") var label: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let guildID = try guild.map { try snowflake($0, "--guild") }
            let database = try await store.open()
            let created = try await TokenStore(database: database).create(role: role, guild: guildID, label: label)
            await database.close()
            print("token \(created.record.id): role \(role.rawValue), " + (guild.map { "guild \($0)" } ?? "every guild"))
            print(created.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their text).")
        @OptionGroup var store: StoreOptions
        func run() async throws {
            let database = try await store.open()
            let tokens = try await TokenStore(database: database).list(guild: nil)
            await database.close()
            for token in tokens {
                let scope = token.guildID.map { "guild \(UInt64(bitPattern: $0))" } ?? "every guild"
                print("\(token.id)\t\(token.role)\t\(scope)\t\(token.revokedAt == nil ? "active" : "revoked")\t\(token.label ?? "")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id.")
        @Argument(help: "The token id.") var id: Int64
        @OptionGroup var store: StoreOptions
        func run() async throws {
            let database = try await store.open()
            let revoked = try await TokenStore(database: database).revoke(id: id)
            await database.close()
            guard revoked else { throw CLIError("token \(id) does not exist or is revoked already", exitCode: 1) }
            print("revoked token \(id)")
        }
    }
}
