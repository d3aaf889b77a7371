/// Opens a store from its URL.
public enum DatabaseOpener {
    /// `sqlite:PATH` (relative or absolute), `sqlite::memory:` and `postgres://` / `postgresql://` URLs.
    /// Opens the store and applies pending migrations. Passwords never appear in errors or logs.
    /// - Parameter poolSize: PostgreSQL connections (at least 1). SQLite always uses one serialised writer.
    public static func open(url: String, poolSize: Int = 4) async throws -> any Database {
        let database = try await connect(url: url, poolSize: poolSize)
        do {
            _ = try await Migrator.migrate(database)
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    /// Opens the store without migrating it (tools and tests that prepare a schema first).
    public static func connect(url: String, poolSize: Int = 4) async throws -> any Database {
        let location = try DatabaseLocation.parse(url)
        let redacted = DatabaseLocation.redact(url)
        switch location {
        case .sqliteMemory:
            return try await SQLiteDatabase.open(path: ":memory:", redactedURL: redacted)
        case let .sqliteFile(path):
            return try await SQLiteDatabase.open(path: path, redactedURL: redacted)
        case let .postgres(pgURL):
            guard poolSize >= 1 else {
                throw StoreError.badURL(redacted, reason: "pool size must be at least 1, got \(poolSize)")
            }
            return try await PostgresDatabase.connect(url: pgURL, redactedURL: redacted, poolSize: poolSize)
        }
    }
}
