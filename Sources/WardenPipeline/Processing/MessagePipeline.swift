import Foundation
import WardenCore
import WardenStore

/// The staged message pipeline: scope and evaluate in memory, then decide and persist in one transaction
/// per batch. A decision is returned only once its log is durable, and a message processed twice gets its
/// first decision back with nothing changed.
public final class MessagePipeline: Sendable {
    public let database: any Database
    public let guilds: GuildDirectory
    public let evaluator: MessageEvaluator
    /// The LLM stage, when a provider is configured.
    public let llm: LLMModerator?
    private let clock: @Sendable () -> Date

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    public init(database: any Database, guilds: GuildDirectory, evaluator: MessageEvaluator = MessageEvaluator(),
                llm: LLMModerator? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.guilds = guilds; self.evaluator = evaluator; self.llm = llm; self.clock = clock
    }

    /// Processes a batch in order; all of it commits together (one fsync for the batch, not per message).
    public func process(_ messages: [DiscordMessage]) async throws -> [ProcessedMessage] {
        let started = ContinuousClock.now
        var contexts: [Snowflake: GuildContext] = [:]
        for guild in Set(messages.map(\.guildID)) { contexts[guild] = try await guilds.context(for: guild) }

        var prepared: [(Evaluation, GuildContext, Double)] = []
        prepared.reserveCapacity(messages.count)
        for message in messages {
            guard let context = contexts[message.guildID] else { continue }
            let started = ContinuousClock.now
            let evaluation = evaluator.evaluate(message, rules: context.rules, policy: context.policy, scratch: .current)
            let elapsed = ContinuousClock.now - started
            prepared.append((evaluation, context, Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))
        }
        let notes = try await llmStage(&prepared, started: started)
        let now = clock()
        let batch = prepared
        // Members whose points change, locked up front in one order so concurrent batches cannot deadlock.
        let members = Set(batch.filter { !$0.0.matches.isEmpty }.map { MemberKey(guild: $0.0.message.guildID, user: $0.0.message.author.id) }).sorted()
        let written: [(ProcessedMessage, Int64?)]
        do {
            written = try await retryingTransient { try await self.write(batch, notes: notes, members: members, now: now) }
        } catch {
            // Nothing of the batch was written: the caller will send it again. Calls still running are
            // stopped and given back, so the retry does not charge the member twice.
            for note in notes {
                guard let pending = note?.pending else { continue }
                pending.work.cancel()
                if let ticket = pending.ticket { try? await llm?.quota.refund(ticket) }
            }
            throw error
        }
        // Verdicts still on their way are followed now that their jobs are durable.
        if let llm {
            for ((item, (_, job)), note) in zip(zip(batch, written), notes) {
                guard let pending = note?.pending else { continue }
                if let job {
                    llm.deliverLate(job: job, message: item.0.message, ticket: pending.ticket, work: pending.work, pipeline: self)
                } else {
                    pending.work.cancel()
                }
            }
        }
        return written.map(\.0)
    }

    /// Processes a batch like `process(_:)`, but gives each message its own result: when the batch fails for
    /// anything but a busy store (a deadlock or serialisation failure that outlived its retries), nothing of it
    /// was written and each message is processed alone, so only the messages (or the guild) at fault fail.
    /// A busy store fails every message of the batch with the same error; their senders may try again.
    public func processEach(_ messages: [DiscordMessage]) async -> [Result<ProcessedMessage, any Error>] {
        do {
            let results = try await process(messages)
            guard results.count == messages.count else {
                return messages.map { _ in .failure(PipelineError.answeredOtherCount(sent: messages.count, received: results.count)) }
            }
            return results.map { .success($0) }
        } catch {
            if messages.count == 1 || (error as? StoreError)?.isRetryable == true {
                return messages.map { _ in .failure(error) }
            }
            var results: [Result<ProcessedMessage, any Error>] = []
            results.reserveCapacity(messages.count)
            for message in messages {
                do { results.append(.success(try await process(message))) } catch { results.append(.failure(error)) }
            }
            return results
        }
    }

    /// Writes a batch in one transaction: member locks, claims, decisions, logs, points and the jobs of
    /// pending verdicts. Returns each message's result and its verdict job, if one was enqueued.
    private func write(_ batch: [(Evaluation, GuildContext, Double)], notes: [LLMNote?], members: [MemberKey],
                       now: Date) async throws -> [(ProcessedMessage, Int64?)] {
        try await database.transaction { conn -> [(ProcessedMessage, Int64?)] in
            for member in members { try AutomodRepository.lockUser(on: conn, guild: member.guild.int64, user: member.user.int64) }
            // Allowed messages are decided already; flagged ones need the member's points first.
            let drafts: [(decision: Decision, json: String)?] = try zip(batch, notes).map { item, note in
                let (evaluation, context, _) = item
                guard evaluation.matches.isEmpty else { return nil }
                let decision = Self.allowedDecision(evaluation, context: context, note: note, now: now)
                return (decision, try Self.json(decision))
            }
            // One statement claims the whole batch; what it could not claim was processed before.
            var claims: [AutomodRepository.Claim] = []
            for (item, draft) in zip(batch, drafts) {
                claims.append(AutomodRepository.Claim(guild: item.0.message.guildID.int64, message: item.0.message.id.int64,
                                                      decisionJSON: draft?.json ?? "{}"))
            }
            var claimed = try AutomodRepository.claimMessages(on: conn, claims, at: now)
            let triggers = TriggerLedger()
            var results: [(ProcessedMessage, Int64?)] = []
            for ((item, draft), note) in zip(zip(batch, drafts), notes) {
                let (evaluation, context, millis) = item
                let key = AutomodRepository.MessageKey(guild: evaluation.message.guildID.int64, message: evaluation.message.id.int64)
                let isNew = claimed.remove(key) != nil
                let result = try Self.persist(evaluation, allowed: draft, claimed: isNew, context: context, note: note,
                                              evaluationMillis: millis, now: now, on: conn, triggers: triggers)
                // A verdict still on its way becomes a durable job in the same transaction as its decision.
                var job: Int64?
                if let pending = note?.pending {
                    if isNew {
                        job = try JobRepository.enqueue(on: conn, kind: LLMModerator.jobKind,
                                                        payloadJSON: try LLMModerator.jobPayload(evaluation.message, ticket: pending.ticket),
                                                        dedupeKey: LLMModerator.dedupeKey(evaluation.message),
                                                        runAfter: now.addingTimeInterval(Self.lateLease(self.llm)), at: now)
                    }
                    // Decided elsewhere meanwhile (a concurrent re-delivery): this call is not needed.
                    if job == nil, let ticket = pending.ticket {
                        try QuotaRepository.refund(on: conn, user: ticket.user, guild: ticket.guild, day: ticket.day)
                    }
                }
                results.append((result, job))
            }
            try triggers.write(on: conn, at: now)
            return results
        }
    }

    /// Runs `body` again when PostgreSQL aborted it for a deadlock or serialisation failure, up to `attempts` times.
    func retryingTransient<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do { return try await body() } catch let error as StoreError where error.isRetryable && attempt < Self.attempts {
                continue
            }
        }
    }

    func clockNow() -> Date { clock() }

    /// How long a decision is remembered for re-deliveries (Discord re-delivers within minutes; a week is
    /// generous). Older rows are removed by `pruneRememberedDecisions`.
    public static let decisionRetention: TimeInterval = 7 * 86_400

    /// Removes remembered decisions older than the retention; returns how many. Run at start-up.
    @discardableResult
    public func pruneRememberedDecisions() async throws -> Int {
        let cutoff = clock().addingTimeInterval(-Self.decisionRetention)
        return try await database.transaction { conn in try AutomodRepository.pruneDecisions(on: conn, before: cutoff) }
    }

    /// How long events stay readable by cursor, and finished jobs are kept for inspection.
    public static let eventRetention: TimeInterval = 30 * 86_400
    public static let finishedJobRetention: TimeInterval = 7 * 86_400

    /// Removes events older than the retention and jobs finished longer ago than theirs; run at start-up.
    @discardableResult
    public func pruneDeliveredWork() async throws -> (events: Int, jobs: Int) {
        let now = clock()
        return try await database.transaction { conn in
            (try EventRepository.prune(on: conn, before: now.addingTimeInterval(-Self.eventRetention)),
             try JobRepository.prune(on: conn, finishedBefore: now.addingTimeInterval(-Self.finishedJobRetention)))
        }
    }

    /// Transactions PostgreSQL aborted for a deadlock or serialisation failure are retried this many times.
    static let attempts = 3

    struct MemberKey: Hashable, Comparable {
        let guild: Snowflake, user: Snowflake
        static func < (a: MemberKey, b: MemberKey) -> Bool { (a.guild, a.user) < (b.guild, b.user) }
    }

    public func process(_ message: DiscordMessage) async throws -> ProcessedMessage {
        let results = try await process([message])
        guard let first = results.first else { throw PipelineError.unknownGuild(message.guildID) }
        return first
    }

    /// The decision for a message nothing matched (no store state needed).
    static func allowedDecision(_ evaluation: Evaluation, context: GuildContext, note: LLMNote?, now: Date) -> Decision {
        var decision = Decider.decide(message: evaluation.message, matches: [], failures: evaluation.failures, escalation: nil,
                                      step: nil, policy: context.policy, now: now)
        annotate(&decision, evaluation, note)
        return decision
    }

    /// Writes everything one evaluated message changes, inside the caller's transaction. `claimed` says
    /// whether the batch's claim got this message (false: processed before, so the stored decision is
    /// returned); `allowed` is the decision when nothing matched.
    static func persist(_ evaluation: Evaluation, allowed: (decision: Decision, json: String)?, claimed: Bool, context: GuildContext,
                        note: LLMNote?, evaluationMillis: Double, now: Date, on conn: any SQLConnection,
                        triggers: TriggerLedger? = nil) throws -> ProcessedMessage {
        let message = evaluation.message
        let guild = message.guildID.int64, id = message.id.int64

        // Disabling a rule that keeps failing is a fact about the rule, recorded even for a re-delivery.
        for failure in evaluation.failures where failure.disabled {
            if let ruleID = failure.ruleID { try AutomodRepository.setRuleEnabled(on: conn, ruleID: ruleID, enabled: false, at: now) }
        }
        guard claimed else {
            guard let json = try AutomodRepository.storedDecision(on: conn, guild: guild, message: id) else {
                throw PipelineError.missingStoredDecision(guild: message.guildID, message: message.id)
            }
            // Re-encoded: PostgreSQL hands JSONB back reformatted, and callers should see one canonical form.
            let decision = try JSONDecoder().decode(Decision.self, from: Data(json.utf8))
            return ProcessedMessage(decision: decision, replayed: true, evaluationMillis: evaluationMillis, json: try Self.json(decision))
        }
        if let allowed {
            return ProcessedMessage(decision: allowed.decision, replayed: false, evaluationMillis: evaluationMillis, json: allowed.json)
        }

        let decision = try recordViolation(message, matches: evaluation.matches, failures: evaluation.failures, context: context,
                                           analysis: note?.analysis, evaluationMillis: evaluationMillis, now: now, on: conn,
                                           triggers: triggers) { decision in
            annotate(&decision, evaluation, note)
        }
        let encoded = try json(decision)
        try AutomodRepository.storeDecision(on: conn, guild: guild, message: id, decisionJSON: encoded)
        return ProcessedMessage(decision: decision, replayed: false, evaluationMillis: evaluationMillis, json: encoded)
    }

    /// Writes a message's violation inside the caller's transaction: points and the ladder, the decision's
    /// actions, the log row (with the model's analysis when there is one) and the daily stats. `annotate`
    /// adds notes before the decision is logged. The caller holds the member's lock.
    static func recordViolation(_ message: DiscordMessage, matches: [RuleMatch], failures: [RuleFailure], context: GuildContext,
                                analysis: AIAnalysis?, evaluationMillis: Double, now: Date, on conn: any SQLConnection,
                                triggers: TriggerLedger? = nil, annotate: (inout Decision) -> Void) throws -> Decision {
        let guild = message.guildID.int64, id = message.id.int64
        // Points decay on Discord's clock, like the spam windows: a backlog scanned at once must not look
        // like one burst. A timestamp from the future counts as now.
        let user = message.author.id.int64
        let violationTime = min(message.timestamp, now)
        let history = try AutomodRepository.points(on: conn, guild: guild, user: user).map {
            PointsRecord(ruleType: $0.ruleType, points: $0.totalPoints, violations: $0.violationCount, lastViolation: $0.lastViolation)
        }
        let (state, records, step) = Escalation.apply(history: history, adding: Decider.points(for: matches),
                                                      now: violationTime, ladder: context.policy.ladder)
        var decision = Decider.decide(message: message, matches: matches, failures: failures,
                                      escalation: state, step: step, policy: context.policy, now: now)
        annotate(&decision)
        decision.analysis = analysis

        let winner = Decider.strongest(matches.map(\.action)).flatMap { best in matches.first { $0.action == best } }
        let taken = decision.actions.filter { $0.type != .alert }.map(\.type.rawValue)
        let evidence = try String(decoding: encoder.encode(matches.map(\.evidence)), as: UTF8.self)
        let analysisJSON = try analysis.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        decision.logID = try AutomodRepository.insertLog(on: conn, AutomodLogEntry(
            guildID: guild, userID: user, messageID: id, channelID: message.channelID.int64, ruleID: winner?.ruleID,
            actionTaken: taken.isEmpty ? "alert" : taken.joined(separator: "+"), messageContent: message.content,
            contextJSON: try json(decision), evidenceJSON: evidence, aiAnalysisJSON: analysisJSON, timestamp: now,
            violationAt: violationTime))
        for record in records {
            try AutomodRepository.savePoints(on: conn, guild: guild, user: user, UserPoints(
                ruleType: record.ruleType, totalPoints: record.points, violationCount: record.violations,
                lastViolation: record.lastViolation), at: now)
        }
        let day = UTCDay.of(now)
        for ruleID in Set(matches.compactMap(\.ruleID)) {
            if let triggers {
                triggers.add(guild: guild, rule: ruleID, day: day, millis: evaluationMillis)
            } else {
                try AutomodRepository.recordTrigger(on: conn, guild: guild, rule: ruleID, day: day, responseMillis: evaluationMillis, at: now)
            }
        }
        return decision
    }

    static func annotate(_ decision: inout Decision, _ evaluation: Evaluation, _ note: LLMNote?) {
        decision.skipped = evaluation.skipped
        if let note {
            decision.stages["llm"] = note.state
            decision.analysis = note.analysis
        }
    }

    static func json(_ decision: Decision) throws -> String {
        if let allowed = AllowedDecisionJSON.encode(decision) { return allowed }
        return String(decoding: try encoder.encode(decision), as: UTF8.self)
    }

}

/// The daily rule statistics a batch adds, written at the end of its transaction in one global order
/// (guild, rule, day): concurrent batches on PostgreSQL then take those rows' locks in the same order and
/// cannot deadlock on them (a deadlock costs a second before PostgreSQL notices it).
final class TriggerLedger {
    private var entries: [(guild: Int64, rule: Int64, day: String, millis: Double)] = []

    func add(guild: Int64, rule: Int64, day: String, millis: Double) {
        entries.append((guild, rule, day, millis))
    }

    func write(on conn: any SQLConnection, at now: Date) throws {
        for entry in entries.sorted(by: { ($0.guild, $0.rule, $0.day) < ($1.guild, $1.rule, $1.day) }) {
            try AutomodRepository.recordTrigger(on: conn, guild: entry.guild, rule: entry.rule, day: entry.day, responseMillis: entry.millis, at: now)
        }
    }
}

/// Pipeline failures that are not the store's or the input's.
public enum PipelineError: Error, CustomStringConvertible, Sendable {
    case unknownGuild(Snowflake)
    case missingStoredDecision(guild: Snowflake, message: Snowflake)
    /// The pipeline answered a different number of messages than it was given (a bug, not an input problem).
    case answeredOtherCount(sent: Int, received: Int)

    public var description: String {
        switch self {
        case .answeredOtherCount(let sent, let received): "the pipeline answered \(received) of \(sent) messages"
        case .unknownGuild(let g): "no rules could be loaded for guild \(g)"
        case .missingStoredDecision(let g, let m): "message \(m) in guild \(g) was processed before but its decision is missing"
        }
    }
}
