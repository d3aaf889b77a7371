import Foundation
import ServiceLifecycle
import Synchronization
import WardenStore

/// Reads a guild's durable events feed by cursor, waiting up to a timeout when nothing is there yet
/// (long-poll). On PostgreSQL a waiting reader wakes when any instance appends an event for its guild
/// (LISTEN/NOTIFY, through `signal`), and still reads the store every `listeningPollInterval` in case a
/// notification was lost (or the listener is reconnecting); without a listener (SQLite) it reads the store
/// every `pollInterval`.
public struct EventFeed: Sendable {
    public let database: any Database
    public var pollInterval: Duration = .milliseconds(250)
    public var listeningPollInterval: Duration = .seconds(2)
    /// Woken by the store listener; `isListening` says whether one runs.
    public let signal: EventSignal
    let listening: ListeningFlag

    public init(database: any Database, signal: EventSignal = EventSignal()) {
        self.database = database; self.signal = signal; self.listening = ListeningFlag()
    }

    /// Whether a store listener wakes the readers (then the store is read less often).
    public var isListening: Bool {
        get { listening.value }
        nonmutating set { listening.value = newValue }
    }

    final class ListeningFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        var value: Bool {
            get { flag.load(ordering: .relaxed) }
            set { flag.store(newValue, ordering: .relaxed) }
        }
    }

    /// Events of `guild` after `cursor`, oldest first; waits up to `wait` for the first one (less when the
    /// service begins to shut down).
    public func read(guild: Int64, after cursor: Int64, limit: Int, wait: Duration) async throws -> [EventRepository.Event] {
        let deadline = ContinuousClock.now + wait
        while true {
            let generation = signal.generation(of: guild)
            let events = try await database.transaction { conn in try EventRepository.list(on: conn, guild: guild, after: cursor, limit: limit) }
            let now = ContinuousClock.now
            // On shutdown a waiting reader is answered at once (with nothing new) so it does not hold the stop.
            if !events.isEmpty || now >= deadline || Task.isCancelled || Task.isShuttingDownGracefully { return events }
            if isListening {
                await signal.wait(for: guild, after: generation, timeout: min(listeningPollInterval, deadline - now))
                try Task.checkCancellation()
            } else {
                try await Task.sleep(for: min(pollInterval, deadline - now))
            }
        }
    }
}
