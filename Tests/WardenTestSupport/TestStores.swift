import Foundation
import WardenStore

/// Why a PostgreSQL test cannot run. Thrown (so the test fails) unless WARDEN_SKIP_POSTGRES=1 disables the suite.
public struct PostgresNotConfigured: Error, CustomStringConvertible {
    public init() {}
    public var description: String {
        "WARDEN_TEST_POSTGRES_URL is not set. Run the tests through scripts/with-postgres.sh "
            + "(e.g. scripts/with-postgres.sh swift test --filter WardenStoreTests), point it at a server you own, "
            + "or set WARDEN_SKIP_POSTGRES=1 to skip the PostgreSQL suite explicitly."
    }
}

/// Fresh, isolated stores for tests: a SQLite file in its own temporary directory, or a PostgreSQL schema
/// of its own (`t_<random>`, chosen through the URL's `options=-csearch_path=...`, which every pooled
/// connection applies), so tests run in parallel against one server.
public enum TestStores {
    public static var skipPostgres: Bool { ProcessInfo.processInfo.environment["WARDEN_SKIP_POSTGRES"] == "1" }

    public static func postgresURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["WARDEN_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw PostgresNotConfigured()
        }
        return url
    }

    /// Runs `body` against a new, empty store; migrated first unless `migrate` is false.
    public static func with(_ dialect: SQLDialect, poolSize: Int = 4, migrate: Bool = true,
                     _ body: (any Database) async throws -> Void) async throws {
        try await withURL(dialect, poolSize: poolSize, migrate: migrate) { _, db in try await body(db) }
    }

    /// Same, also giving the store's URL (for a child process, e.g. the `warden` executable, to open it too).
    public static func withURL(_ dialect: SQLDialect, poolSize: Int = 4, migrate: Bool = true,
                               _ body: (String, any Database) async throws -> Void) async throws {
        switch dialect {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("warden-store-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let url = "sqlite:" + directory.appendingPathComponent("store.sqlite").path
            let db = try await migrate ? DatabaseOpener.open(url: url) : DatabaseOpener.connect(url: url)
            do { try await body(url, db) } catch { await db.close(); throw error }
            await db.close()
        case .postgres:
            let base = try postgresURL()
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            let admin = try await DatabaseOpener.connect(url: base, poolSize: 1)
            try await admin.transaction { try $0.execute("CREATE SCHEMA \(schema)", []) }
            let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
            do {
                let db = try await migrate ? DatabaseOpener.open(url: url, poolSize: poolSize)
                                           : DatabaseOpener.connect(url: url, poolSize: poolSize)
                do { try await body(url, db) } catch { await db.close(); throw error }
                await db.close()
            } catch {
                try? await dropSchema(schema, admin)
                throw error
            }
            try await dropSchema(schema, admin)
        }
    }

    private static func dropSchema(_ schema: String, _ admin: any Database) async throws {
        try await admin.transaction { try $0.execute("DROP SCHEMA \(schema) CASCADE", []) }
        await admin.close()
    }

    /// The tables of the current schema.
    public static func tables(_ db: any Database) async throws -> Set<String> {
        let sql = db.dialect == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
        return Set(try await db.transaction { conn in try conn.query(sql, []).map { try $0.string("name") } })
    }

    /// Column names of one table, in declaration order.
    public static func columns(_ db: any Database, table: String) async throws -> [String] {
        let sql = db.dialect == .sqlite
            ? "SELECT name FROM pragma_table_info($1) ORDER BY cid"
            : "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        return try await db.transaction { conn in try conn.query(sql, [.text(table)]).map { try $0.string("name") } }
    }

    public static let expectedTables: Set<String> = [
        "schema_migrations",
        "bot_settings", "settings_history", "premium_subs", "gpt_usage", "automod_actions", "automod_rules",
        "automod_logs", "automod_stats", "automod_user_history", "support_tickets", "ticket_summaries",
        "ticket_metrics", "faq_entries", "faq_search_logs", "verification_tickets", "audit_logs",
        "health_check_history",
        "automod_appeals", "faq_proposals", "ticket_messages", "admin_log", "api_tokens", "events", "jobs",
        "message_decisions",
        "webhook_endpoints", "webhook_deliveries",
        "faq_suggestions",
        "appeal_triage",
    ]
}
