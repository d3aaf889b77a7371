import Foundation
import Synchronization

/// Bounds attempts per key: at most ``limit`` counted attempts in ``window``; past that, every attempt with the
/// key is refused until the window has moved on. The console counts failed sign-ins per client address, and
/// the appeal form counts filings per member. Kept in memory: a restart forgets it (a guessed 256-bit token is
/// out of reach anyway; this keeps a script from filling the log and the store).
public final class AttemptLimiter: Sendable {
    public let limit: Int
    public let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])
    private let clock: @Sendable () -> Date

    public init(limit: Int = 10, window: TimeInterval = 300, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.limit = limit; self.window = window; self.clock = clock
    }

    /// Seconds until `address` may try again, or nil when it may try now.
    public func wait(for address: String) -> Int? {
        let now = clock()
        return failures.withLock { table in
            let recent = (table[address] ?? []).filter { now.timeIntervalSince($0) < window }
            table[address] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    /// Counts an attempt with `address` (a failed sign-in, a filing).
    public func record(_ address: String) {
        let now = clock()
        failures.withLock { table in
            // A bound on memory: a flood from many addresses forgets the oldest table rather than growing.
            if table.count > 10_000 { table.removeAll() }
            table[address, default: []].append(now)
        }
    }
}

/// One-time values already used, each remembered for ``lifetime`` (in memory: per instance, as the value's own
/// cookie is per browser).
final class UsedStates: Sendable {
    let lifetime: TimeInterval
    private let used = Mutex<[String: Date]>([:])

    init(lifetime: TimeInterval = 600) { self.lifetime = lifetime }

    /// Marks `value` used; false when it was used already within its lifetime.
    func record(_ value: String, now: Date = Date()) -> Bool {
        used.withLock { table in
            table = table.filter { now.timeIntervalSince($0.value) < lifetime }
            if table.count > 100_000 { table.removeAll() }
            guard table[value] == nil else { return false }
            table[value] = now
            return true
        }
    }
}
