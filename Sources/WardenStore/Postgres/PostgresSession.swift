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
        let connection = try usableConnection()
        do {
            try connection.execute("BEGIN ISOLATION LEVEL READ COMMITTED", [])
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
            // A failed COMMIT or BEGIN leaves nothing to roll back on a healthy connection; a broken
            // one is dropped here so the next transaction on this slot connects afresh.
            if !connection.isHealthy || !connection.isIdle { rollBack(connection) }
            throw error
        }
    }

    /// Closes the connection; the slot reconnects if used again.
    func close() {
        connection = nil
    }

    private func usableConnection() throws -> PostgresConnection {
        if let connection, connection.isHealthy, connection.isIdle { return connection }
        connection = nil
        let fresh = try PostgresConnection(url: url, redactedURL: redactedURL)
        connection = fresh
        return fresh
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
