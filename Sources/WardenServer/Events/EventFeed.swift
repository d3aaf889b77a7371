import Foundation
import ServiceLifecycle
import WardenStore

/// Reads a guild's durable events feed by cursor, waiting up to a timeout when nothing is there yet
/// (long-poll). It polls the store, so events appended by any process (several instances on one
/// PostgreSQL) are seen; a quarter second between polls keeps that cheap.
public struct EventFeed: Sendable {
    public let database: any Database
    public var pollInterval: Duration = .milliseconds(250)

    public init(database: any Database) { self.database = database }

    /// Events of `guild` after `cursor`, oldest first; waits up to `wait` for the first one (less when the
    /// service begins to shut down).
    public func read(guild: Int64, after cursor: Int64, limit: Int, wait: Duration) async throws -> [EventRepository.Event] {
        let deadline = ContinuousClock.now + wait
        while true {
            let events = try await database.transaction { conn in try EventRepository.list(on: conn, guild: guild, after: cursor, limit: limit) }
            let now = ContinuousClock.now
            // On shutdown a waiting reader is answered at once (with nothing new) so it does not hold the stop.
            if !events.isEmpty || now >= deadline || Task.isCancelled || Task.isShuttingDownGracefully { return events }
            try await Task.sleep(for: min(pollInterval, deadline - now))
        }
    }
}
