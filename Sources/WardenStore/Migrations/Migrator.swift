import Foundation

/// Brings a store's schema up to date.
public enum Migrator {
    /// Applies pending numbered migrations for the database's dialect in order, each in its own transaction,
    /// recording them in `schema_migrations(version, name, applied_at)`. Returns the versions applied now.
    ///
    /// Safe when several processes start at once: on PostgreSQL each step holds a transaction-scoped
    /// advisory lock (per schema) and re-checks the recorded versions; on SQLite BEGIN IMMEDIATE serialises.
    public static func migrate(_ db: any Database) async throws -> [Int] {
        let dialect = db.dialect
        let migrations = migrations(for: dialect)
        try await db.transaction { conn in
            try lock(conn)
            try script(conn).runScript(bookkeepingTable(dialect))
        }
        var applied: [Int] = []
        for migration in migrations {
            let ran: Bool
            do {
                ran = try await db.transaction { conn in
                    try lock(conn)
                    let done = try conn.query("SELECT 1 AS done FROM schema_migrations WHERE version = $1",
                                              [.int(Int64(migration.version))])
                    guard done.isEmpty else { return false }
                    try script(conn).runScript(migration.sql)
                    try conn.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                                     [.int(Int64(migration.version)), .text(migration.name), .timestamp(Date())])
                    return true
                }
            } catch let error as StoreError where error != .closed {
                throw StoreError.migration(migration.version, message: "\(migration.name): \(error)")
            }
            if ran { applied.append(migration.version) }
        }
        return applied
    }

    /// The migrations of one dialect, in version order.
    static func migrations(for dialect: SQLDialect) -> [Migration] {
        switch dialect {
        case .sqlite: return SQLiteMigrations.all
        case .postgres: return PostgresMigrations.all
        }
    }

    private static func bookkeepingTable(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite:
            return """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                )
                """
        case .postgres:
            return """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL
                )
                """
        }
    }

    private static func lock(_ conn: any SQLConnection) throws {
        guard conn.dialect == .postgres else { return }
        _ = try conn.query("SELECT pg_advisory_xact_lock(hashtext('warden.migrate.' || current_schema())) AS locked", [])
    }

    private static func script(_ conn: any SQLConnection) throws -> any ScriptRunning {
        guard let runner = conn as? any ScriptRunning else {
            throw StoreError.migration(0, message: "connection \(type(of: conn)) cannot run migration scripts")
        }
        return runner
    }
}
