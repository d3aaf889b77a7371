/// One slot of the pool: a connection (opened lazily, replaced when broken) confined to an actor that
/// runs on its own serial queue, so libpq's blocking calls never occupy the cooperative pool.
actor PostgresSession {
    private let executor: BlockingSerialExecutor
    private let url: String
    private let redactedURL: String
    private var connection: PostgresConnection?

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(url: String, redactedURL: String, label: String) {
        executor = BlockingSerialExecutor(label: label)
        self.url = url
        self.redactedURL = redactedURL
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLConnection) throws -> T) throws -> T {
        let connection = try begun()
        do {
            let result: T
            do {
                result = try body(connection)
            } catch {
                rollBack(connection)
                throw error
            }
            try connection.execute("COMMIT", [])
            return result
        } catch {
            // A failed COMMIT leaves nothing to roll back on a healthy connection; a broken
            // one is dropped here so the next transaction on this slot connects afresh.
            if !connection.isHealthy || !connection.isIdle { rollBack(connection) }
            throw error
        }
    }

    /// Closes the connection; the slot reconnects if used again.
    func close() {
        connection = nil
    }

    /// A connection with a transaction begun. A kept connection the server dropped while it was idle
    /// (a restart, an admin's terminate, a network cut) only shows it now, when BEGIN fails; nothing has
    /// run yet, so that connection is replaced and BEGIN tried once more on a fresh one. Without this
    /// every slot of the pool would fail one request after the server came back.
    private func begun() throws -> PostgresConnection {
        let (kept, reused) = try usableConnection()
        do {
            try kept.execute(Self.begin, [])
            return kept
        } catch let error as StoreError where reused && error.isUnavailable {
            connection = nil
            let (fresh, _) = try usableConnection()
            do { try fresh.execute(Self.begin, []) } catch {
                if !fresh.isHealthy || !fresh.isIdle { connection = nil }
                throw error
            }
            return fresh
        } catch {
            if !kept.isHealthy || !kept.isIdle { connection = nil }
            throw error
        }
    }

    private static let begin = "BEGIN ISOLATION LEVEL READ COMMITTED"

    /// The slot's connection, or a new one when there is none or it is broken; `reused` tells which.
    private func usableConnection() throws -> (connection: PostgresConnection, reused: Bool) {
        if let connection, connection.isHealthy, connection.isIdle { return (connection, true) }
        connection = nil
        let fresh = try PostgresConnection(url: url, redactedURL: redactedURL)
        connection = fresh
        return (fresh, false)
    }

    private func rollBack(_ connection: PostgresConnection) {
        if connection.isHealthy {
            _ = try? connection.execute("ROLLBACK", [])
        }
        if !connection.isHealthy || !connection.isIdle {
            self.connection = nil
        }
    }
}
