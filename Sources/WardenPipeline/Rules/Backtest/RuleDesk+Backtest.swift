import Foundation
import WardenCore
import WardenStore

extension RuleDesk {
    /// Tries `change` on the guild's rules before it is saved: replays the guild's rules as they are and as
    /// they would be against the admin's `messages` (first, in order), then the guild's automod logs, newest
    /// first, and answers which messages the change would newly flag and which it would stop flagging, with
    /// the logs' appeals (approved ones are known false positives) and examples. Nothing is stored.
    ///
    /// Bounded: the admin's messages and the logs are judged a page at a time on the rule compiler's rebuild
    /// threads, never the cooperative pool, and the logs read a page at a time (keyset, newest first); at
    /// most `limits.maxLogs` logs, and the replay stops at the first message judged after `limits.timeBudget`
    /// ran out; either is said in `notes` with `complete` false. One backtest per guild at a time, and at most
    /// two across guilds, so backtests cannot crowd out the guilds' rule rebuilds on those threads.
    /// - Throws: what saving the change would: `RuleError.ruleNotFound` (enable or disable a rule the guild
    ///   does not have), `.ruleLimit` (the rules after the change pass the guild's limits); also
    ///   `.tooManyBacktestMessages` past `limits.maxMessages`, `.backtestRunning` when the guild has one
    ///   running or two are running.
    public func backtest(guild: Int64, change: RuleChange, messages: [DiscordMessage] = [],
                         limits: RuleBacktest.Limits = RuleBacktest.Limits()) async throws -> RuleBacktest {
        guard messages.count <= limits.maxMessages else {
            throw RuleError.tooManyBacktestMessages(messages.count, limit: limits.maxMessages)
        }
        try backtests.claim(guild: guild)
        defer { backtests.release(guild: guild) }
        let started = ContinuousClock.now
        let deadline = started + limits.timeBudget
        let snowflake = Snowflake(UInt64(bitPattern: guild))
        // The guild's policy, and its default pack imported on first sight (as saving would).
        let context = try await guilds.context(for: snowflake)
        let stored = try await database.transaction { conn in try AutomodRepository.rules(on: conn, guild: guild) }
        // The rules as the guild's messages are judged now (rows that cannot be loaded are skipped there too).
        let current = GuildDirectory.sources(of: stored, guild: snowflake, limits: self.limits).sources
        let changed = try change.applied(to: current, guild: guild)
        // Refused as saving it would refuse it (``importPack(_:guild:by:)`` counts every rule, on or off).
        let size = changed.reduce(RuleSize.zero) { $0 + RuleSize.of($1.definition) }
        if case .put = change, let exceeded = self.limits.exceeded(by: size) {
            throw RuleError.ruleLimit(exceeded, guild: guild)
        }
        let (beforeRules, leftBefore) = RuleReplay.replayable(current)
        let (afterRules, leftAfter) = RuleReplay.replayable(changed)
        let compiler = guilds.compiler
        // Compiled like a rebuild, off the message path: a large rule set takes seconds.
        async let beforeSet = compiler.run(in: .rebuild) { CompiledRuleSet(rules: beforeRules) }
        async let afterSet = compiler.run(in: .rebuild) { CompiledRuleSet(rules: afterRules) }
        var replay = RuleReplay(change: change.summary, before: await beforeSet, after: await afterSet, policy: context.policy,
                                limits: limits, now: clock())

        let budget = "the \(limits.timeBudget.components.seconds) s time budget ran out"
        // A page of the admin's messages at a time, like the logs, so a rebuild waits at most a page.
        var judged = 0
        while judged < messages.count {
            let chunk = messages.enumerated().dropFirst(judged).prefix(limits.pageSize)
                .map { (message: $0.element, origin: RuleReplay.Origin.message(line: $0.offset + 1)) }
            let count = await Self.judge(chunk, into: &replay, until: deadline, on: compiler)
            judged += count
            if count < chunk.count { break }
        }
        if judged < messages.count {
            replay.stop("stopped after \(judged) of the \(messages.count) messages given, before any log: \(budget)")
        }
        var before: Int64?
        var read = 0
        while judged == messages.count, read < limits.maxLogs {
            if ContinuousClock.now >= deadline {
                replay.stop("stopped after the newest \(read) logs: \(budget)")
                break
            }
            let want = min(limits.pageSize, limits.maxLogs - read), cursor = before
            let page = try await database.transaction { conn in
                try AutomodRepository.replayPage(on: conn, guild: guild, before: cursor, limit: want)
            }
            guard let last = page.last else { break }
            before = last.id
            let logs = page.map { log in
                (message: Self.message(log, guild: snowflake),
                 origin: RuleReplay.Origin.log(id: log.id, appeal: AppealStatus(rawValue: log.appealStatus) ?? .none))
            }
            let count = await Self.judge(logs, into: &replay, until: deadline, on: compiler)
            read += count
            if count < page.count {
                replay.stop("stopped after the newest \(read) logs: \(budget)")
                break
            }
            if page.count < want { break }
        }
        if judged == messages.count, read >= limits.maxLogs {
            let cursor = before
            let more = try await database.transaction { conn in
                try !AutomodRepository.replayPage(on: conn, guild: guild, before: cursor, limit: 1).isEmpty
            }
            if more { replay.stop("stopped at the newest \(limits.maxLogs) logs (the limit); older logs were not replayed") }
        }
        let leftOut = Array(Set(leftBefore + leftAfter)).sorted()
        if replay.report.replayed.logs > 0 {
            replay.note("logs are replayed from what the automod log keeps: the message's text, member, channel and time, not its roles, "
                        + "mentions or attachments; allowed messages are not logged, so newly flagged counts only logged messages and the ones given")
        }
        replay.finish(leftOut: leftOut, elapsed: ContinuousClock.now - started)
        return replay.report
    }

    /// Judges one page on the compiler's rebuild threads, stopping at the first message reached after
    /// `deadline` (one message against thousands of patterns can take long). Returns how many were judged.
    private static func judge(_ page: [(message: DiscordMessage, origin: RuleReplay.Origin)], into replay: inout RuleReplay,
                              until deadline: ContinuousClock.Instant, on compiler: RuleCompiler) async -> Int {
        let (next, count) = await compiler.run(in: .rebuild) { [replay] in
            var replay = replay
            var count = 0
            for item in page {
                if ContinuousClock.now >= deadline { break }
                replay.replay(item.message, from: item.origin)
                count += 1
            }
            return (replay, count)
        }
        replay = next
        return count
    }

    /// A logged message as a Discord message: what the log kept, nothing else (no roles, mentions or
    /// attachments). A log without a message id gets its log id, so every replayed message has an id.
    static func message(_ log: ReplayLog, guild: Snowflake) -> DiscordMessage {
        func snowflake(_ value: Int64) -> Snowflake { Snowflake(UInt64(bitPattern: value)) }
        return DiscordMessage(id: snowflake(log.messageID ?? log.id), guildID: guild, channelID: snowflake(log.channelID ?? 0),
                              author: .init(id: snowflake(log.userID)), content: log.content, timestamp: log.sentAt)
    }
}
