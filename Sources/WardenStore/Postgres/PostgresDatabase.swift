/// The shared store: a bounded pool of PostgreSQL connections. A transaction waits (asynchronously)
/// for a free slot, then runs on that slot's own thread.
final class PostgresDatabase: Database {
    let dialect = SQLDialect.postgres
    private let pool: PostgresPool
    private let url: String
    private let redactedURL: String

    private init(pool: PostgresPool, url: String, redactedURL: String) {
        self.pool = pool; self.url = url; self.redactedURL = redactedURL
    }

    /// A listener on a connection of its own (not one of the pool's).
    func startListener(_ handler: @escaping StoreNotificationHandler) -> any StoreListener {
        PostgresListener(url: url, redactedURL: redactedURL, handler: handler)
    }

    /// Creates the pool and proves the server is reachable with one round trip, so a bad URL or a
    /// refused connection is reported at start-up rather than at the first message.
    static func connect(url: String, redactedURL: String, poolSize: Int) async throws -> PostgresDatabase {
        let sessions = (0..<poolSize).map {
            PostgresSession(url: url, redactedURL: redactedURL, label: "warden.postgres.\($0)")
        }
        let database = PostgresDatabase(pool: PostgresPool(sessions: sessions), url: url, redactedURL: redactedURL)
        do {
            _ = try await database.transaction { try $0.query("SELECT 1", []) }
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        let session = try await pool.checkOut()
        do {
            let result = try await session.transaction(body)
            await pool.checkIn(session)
            return result
        } catch {
            await pool.checkIn(session)
            throw error
        }
    }

    func close() async {
        await pool.close()
    }
}

/// Hands out free sessions; callers beyond the pool size wait in FIFO order.
actor PostgresPool {
    private var idle: [PostgresSession]
    private var waiters: [CheckedContinuation<PostgresSession, any Error>] = []
    private var closed = false

    init(sessions: [PostgresSession]) {
        idle = sessions
    }

    func checkOut() async throws -> PostgresSession {
        if closed { throw StoreError.closed }
        if let session = idle.popLast() { return session }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    func checkIn(_ session: PostgresSession) async {
        if closed {
            await session.close()
            return
        }
        if waiters.isEmpty {
            idle.append(session)
        } else {
            waiters.removeFirst().resume(returning: session)
        }
    }

    /// Fails every waiter and closes the idle connections; busy ones close when checked in.
    func close() async {
        guard !closed else { return }
        closed = true
        let pending = waiters
        waiters.removeAll()
        for waiter in pending { waiter.resume(throwing: StoreError.closed) }
        let sessions = idle
        idle.removeAll()
        for session in sessions { await session.close() }
    }
}
