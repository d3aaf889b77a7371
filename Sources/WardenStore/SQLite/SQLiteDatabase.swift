import Foundation

/// The embedded store: one SQLite connection that performs every transaction, one at a time, on its
/// own serial queue. SQLite allows a single writer anyway; serialising here instead of on SQLite's
/// lock means no busy waits and no `SQLITE_BUSY` between our own tasks.
final class SQLiteDatabase: Database {
    let dialect = SQLDialect.sqlite
    private let writer: SQLiteWriter

    private init(writer: SQLiteWriter) {
        self.writer = writer
    }

    /// Opens (creating if needed) the database at `path`; ":memory:" opens a private in-memory database.
    static func open(path: String, redactedURL: String) async throws -> SQLiteDatabase {
        let writer = SQLiteWriter(label: "warden.sqlite.writer")
        try await writer.open(path: path, redactedURL: redactedURL)
        return SQLiteDatabase(writer: writer)
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await writer.transaction(body)
    }

    func close() async {
        await writer.close()
    }
}

/// Owns the SQLite connection; every use happens on the actor's dedicated queue.
actor SQLiteWriter {
    private let executor: BlockingSerialExecutor
    private var connection: SQLiteConnection?
    private var closed = false

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(label: String) {
        executor = BlockingSerialExecutor(label: label)
    }

    func open(path: String, redactedURL: String) throws {
        connection = try SQLiteConnection(path: path, redactedURL: redactedURL)
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLConnection) throws -> T) throws -> T {
        guard !closed, let connection else { throw StoreError.closed }
        // IMMEDIATE takes the write lock now, so a transaction that reads then writes cannot fail
        // half-way because another process wrote in between.
        try connection.execute("BEGIN IMMEDIATE", [])
        let result: T
        do {
            result = try body(connection)
        } catch {
            if !connection.isAutocommit { _ = try? connection.execute("ROLLBACK", []) }
            throw error
        }
        do {
            try connection.execute("COMMIT", [])
        } catch {
            if !connection.isAutocommit { _ = try? connection.execute("ROLLBACK", []) }
            throw error
        }
        return result
    }

    func close() {
        closed = true
        connection = nil
    }
}
