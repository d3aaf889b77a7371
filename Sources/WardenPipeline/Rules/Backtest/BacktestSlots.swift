import Synchronization

/// Who is backtesting now: one backtest per guild, and at most `limit` across guilds. Backtests judge on the
/// rule compiler's rebuild threads, which every guild's rule rebuilds share; without a bound, a few admins
/// asking at once could hold rebuilds back for as long as their backtests run.
final class BacktestSlots: Sendable {
    let limit: Int
    private let running = Mutex<Set<Int64>>([])

    init(limit: Int = 2) { self.limit = max(1, limit) }

    /// Takes the guild's slot. - Throws: `RuleError.backtestRunning` when the guild has one running or
    /// `limit` are running.
    func claim(guild: Int64) throws {
        try running.withLock { running in
            if running.contains(guild) { throw RuleError.backtestRunning(guild: guild, running: running.count, limit: limit) }
            guard running.count < limit else { throw RuleError.backtestRunning(guild: nil, running: running.count, limit: limit) }
            running.insert(guild)
        }
    }

    func release(guild: Int64) {
        _ = running.withLock { $0.remove(guild) }
    }
}
