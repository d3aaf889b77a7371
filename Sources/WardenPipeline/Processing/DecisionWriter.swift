import Foundation
import WardenCore
import WardenStore

/// Writes decisions: a batch of judged messages in one transaction (claims, logs, points, daily stats, the
/// jobs of verdicts still on their way), and verdicts that come after their decision. The pipeline and the
/// LLM stage both write through it, so neither calls the other.
public struct DecisionWriter: Sendable {
    public let database: any Database
    let clock: @Sendable () -> Date

    /// Transactions PostgreSQL aborted for a deadlock or serialisation failure are retried this many times.
    static let attempts = 3

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    public init(database: any Database, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.clock = clock
    }

    // MARK: - A batch

    /// Writes a batch in one transaction: member locks, claims, decisions, logs, points and the jobs of
    /// pending verdicts. Returns one `WrittenMessage` per candidate, in order.
    func write(_ batch: [MessageCandidate], at now: Date) async throws -> [WrittenMessage] {
        // Members whose points change, locked up front in one order so concurrent batches cannot deadlock.
        let members = Set(batch.filter { !$0.evaluation.matches.isEmpty }.map { MemberKey(guild: $0.message.guildID, user: $0.message.author.id) }).sorted()
        return try await retryingTransient {
            try await database.transaction { conn in try Self.write(batch, members: members, now: now, on: conn) }
        }
    }

    private static func write(_ batch: [MessageCandidate], members: [MemberKey], now: Date, on conn: any SQLConnection) throws -> [WrittenMessage] {
        for member in members { try AutomodRepository.lockUser(on: conn, guild: member.guild.int64, user: member.user.int64) }
        // Allowed messages are decided already; flagged ones need the member's points first.
        let drafts: [EncodedDecision?] = try batch.map { candidate in
            guard candidate.revision == nil, candidate.evaluation.matches.isEmpty else { return nil }
            let decision = allowedDecision(candidate, now: now)
            return EncodedDecision(decision: decision, json: try json(decision))
        }
        // One statement claims the whole batch; what it could not claim was processed before.
        var claims: [AutomodRepository.Claim] = []
        claims.reserveCapacity(batch.count)
        for (candidate, draft) in zip(batch, drafts) where candidate.revision == nil {
            claims.append(AutomodRepository.Claim(guild: candidate.message.guildID.int64, message: candidate.message.id.int64,
                                                  decisionJSON: draft?.json ?? "{}"))
        }
        var claimed = try AutomodRepository.claimMessages(on: conn, claims, at: now)
        let triggers = TriggerLedger()
        var written: [WrittenMessage] = []
        written.reserveCapacity(batch.count)
        for (candidate, draft) in zip(batch, drafts) {
            if let revision = candidate.revision {
                written.append(WrittenMessage(result: try persist(candidate, revision: revision, now: now, on: conn, triggers: triggers), verdictJob: nil))
                continue
            }
            let key = AutomodRepository.MessageKey(guild: candidate.message.guildID.int64, message: candidate.message.id.int64)
            let isNew = claimed.remove(key) != nil
            let result = try persist(candidate, allowed: draft, claimed: isNew, now: now, on: conn, triggers: triggers)
            // A verdict still on its way becomes a durable job in the same transaction as its decision.
            var job: Int64?
            if let pending = candidate.llm?.pending {
                if isNew {
                    job = try JobRepository.enqueue(on: conn, kind: LateVerdictJob.kind, payloadJSON: pending.jobPayload,
                                                    dedupeKey: pending.dedupeKey, runAfter: now.addingTimeInterval(pending.lease), at: now)
                }
                // Decided elsewhere meanwhile (a concurrent re-delivery): this call is not needed.
                if job == nil, let ticket = pending.ticket {
                    try QuotaRepository.refund(on: conn, user: ticket.user, guild: ticket.guild, day: ticket.day)
                }
            }
            written.append(WrittenMessage(result: result, verdictJob: job))
        }
        try triggers.write(on: conn, at: now)
        return written
    }

    /// Writes everything one judged message changes, inside the caller's transaction. `claimed` says
    /// whether the batch's claim got this message (false: processed before, so the stored decision is
    /// returned); `allowed` is the decision when nothing matched.
    private static func persist(_ candidate: MessageCandidate, allowed: EncodedDecision?, claimed: Bool, now: Date,
                                on conn: any SQLConnection, triggers: TriggerLedger) throws -> ProcessedMessage {
        let evaluation = candidate.evaluation
        let message = evaluation.message
        let guild = message.guildID.int64, id = message.id.int64

        try disableFailingRules(evaluation, now: now, on: conn)
        guard claimed else {
            guard let json = try AutomodRepository.storedDecision(on: conn, guild: guild, message: id) else {
                throw PipelineError.missingStoredDecision(guild: message.guildID, message: message.id)
            }
            // Re-encoded: PostgreSQL hands JSONB back reformatted, and callers should see one canonical form.
            let decision = try JSONDecoder().decode(Decision.self, from: Data(json.utf8))
            return ProcessedMessage(decision: decision, replayed: true, evaluationMillis: candidate.evaluationMillis, json: try Self.json(decision))
        }
        if let allowed {
            return ProcessedMessage(decision: allowed.decision, replayed: false, evaluationMillis: candidate.evaluationMillis, json: allowed.json)
        }
        let violation = Violation(message: message, matches: evaluation.matches, failures: evaluation.failures,
                                  analysis: candidate.llm?.analysis, evaluationMillis: candidate.evaluationMillis)
        let decision = try record(violation, context: candidate.context, now: now, on: conn, triggers: triggers) { decision in
            annotate(&decision, evaluation, candidate.llm)
        }
        let encoded = try json(decision)
        try AutomodRepository.storeDecision(on: conn, guild: guild, message: id, decisionJSON: encoded)
        return ProcessedMessage(decision: decision, replayed: false, evaluationMillis: candidate.evaluationMillis, json: encoded)
    }

    /// Disabling a rule that keeps failing is a fact about the rule, recorded even for a re-delivery.
    private static func disableFailingRules(_ evaluation: Evaluation, now: Date, on conn: any SQLConnection) throws {
        for failure in evaluation.failures where failure.disabled {
            if let ruleID = failure.ruleID { try AutomodRepository.setRuleEnabled(on: conn, ruleID: ruleID, enabled: false, at: now) }
        }
    }

    /// Writes a later revision of a message (an edit, embeds added) inside the caller's transaction: claimed
    /// by its gateway event key (a re-delivered dispatch gets its first decision back), linked to the message's
    /// decision before it. Rules that already matched an earlier revision add no points and no punishment again;
    /// a violation new to this revision is acted on like a new message's.
    private static func persist(_ candidate: MessageCandidate, revision: MessageRevision, now: Date,
                                on conn: any SQLConnection, triggers: TriggerLedger) throws -> ProcessedMessage {
        let evaluation = candidate.evaluation
        let message = evaluation.message
        let guild = message.guildID.int64, id = message.id.int64
        try disableFailingRules(evaluation, now: now, on: conn)
        // Read before the claim, whose own row would otherwise be the latest.
        let previousJSON = try GatewayEventRepository.latestDecision(on: conn, guild: guild, message: id)
        guard try GatewayEventRepository.claim(on: conn, guild: guild, key: revision.key, message: id, at: now) else {
            guard let json = try GatewayEventRepository.storedDecision(on: conn, guild: guild, key: revision.key) else {
                throw PipelineError.missingStoredDecision(guild: message.guildID, message: message.id)
            }
            let decision = try JSONDecoder().decode(Decision.self, from: Data(json.utf8))
            return ProcessedMessage(decision: decision, replayed: true, evaluationMillis: candidate.evaluationMillis, json: try Self.json(decision))
        }
        let previous = previousJSON.flatMap { try? JSONDecoder().decode(Decision.self, from: Data($0.utf8)) }
        let link = revision.link(after: previous)
        var decision: Decision
        if evaluation.matches.isEmpty {
            decision = allowedDecision(candidate, now: now)
            decision.revision = link
        } else {
            // Rules matched by an earlier revision were dealt with then: only the others choose the punishment
            // and add points; all of them still say whether the message goes and stand as evidence.
            let fresh = evaluation.matches.filter { !link.previousRules.contains($0.rule) }
            let all = evaluation.matches
            let violation = Violation(message: message, matches: fresh.isEmpty ? all : fresh, failures: evaluation.failures, analysis: nil,
                                      evaluationMillis: candidate.evaluationMillis, pointMatches: fresh, revision: revision.key)
            decision = try record(violation, context: candidate.context, now: now, on: conn, triggers: triggers) { decision in
                annotate(&decision, evaluation, nil)
                decision.revision = link
                decision.matches = all
                if fresh.isEmpty { decision.actions.removeAll { $0.type != .deleteMessage && $0.type != .alert } }
                if all.contains(where: { $0.action.deletesMessage }), !decision.actions.contains(where: { $0.type == .deleteMessage }) {
                    decision.actions.insert(DiscordAction(type: .deleteMessage, channelID: message.channelID, messageID: message.id), at: 0)
                    decision.verdict = .block
                }
            }
        }
        let encoded = try json(decision)
        try GatewayEventRepository.storeDecision(on: conn, guild: guild, key: revision.key, decisionJSON: encoded)
        return ProcessedMessage(decision: decision, replayed: false, evaluationMillis: candidate.evaluationMillis, json: encoded)
    }

    // MARK: - A verdict after its decision

    /// Writes a verdict that came after its decision: its actions (points, ladder, log with the analysis)
    /// and an `llm_verdict` event carrying a decision of the usual shape, in one transaction with the job's
    /// completion, so each verdict is delivered exactly once even with several processes. Returns false when
    /// the job was finished elsewhere (nothing is written then).
    @discardableResult
    func writeLateVerdict(_ verdict: LateVerdict, job: Int64, message: DiscordMessage, context: GuildContext) async throws -> Bool {
        let now = clock()
        return try await retryingTransient {
            try await database.transaction { conn -> Bool in
                guard try JobRepository.finish(on: conn, id: job, at: now) else { return false }
                // Refunded here, with the job's completion, so a call is given back at most once.
                if let ticket = verdict.refund {
                    try QuotaRepository.refund(on: conn, user: ticket.user, guild: ticket.guild, day: ticket.day)
                }
                var decision: Decision
                if verdict.matches.isEmpty {
                    decision = Decider.decide(message: message, matches: [], failures: [], escalation: nil, step: nil,
                                              policy: context.policy, now: now)
                    decision.analysis = verdict.analysis
                } else {
                    try AutomodRepository.lockUser(on: conn, guild: message.guildID.int64, user: message.author.id.int64)
                    let violation = Violation(message: message, matches: verdict.matches, failures: [], analysis: verdict.analysis,
                                              evaluationMillis: verdict.analysis?.latencyMillis ?? 0)
                    decision = try Self.record(violation, context: context, now: now, on: conn, triggers: nil) { $0.stages["llm"] = verdict.note }
                }
                decision.stages["llm"] = verdict.note
                _ = try EventRepository.append(on: conn, guild: message.guildID.int64, kind: LateVerdictJob.eventKind,
                                               payloadJSON: try Self.json(decision), at: now)
                return true
            }
        }
    }

    // MARK: - Shared steps

    /// What a violation consists of, whichever stage found it.
    struct Violation {
        let message: DiscordMessage
        let matches: [RuleMatch]
        let failures: [RuleFailure]
        let analysis: AIAnalysis?
        let evaluationMillis: Double
        /// The matches that add points (all of them, but for a revision: those new to it).
        var pointMatches: [RuleMatch]
        /// The log's `source` and `revision` columns.
        var source = "warden"
        var revision = ""
        /// What the decision is about; about a member, the log has no message or channel.
        var subject = Decider.Subject.message

        init(message: DiscordMessage, matches: [RuleMatch], failures: [RuleFailure], analysis: AIAnalysis?, evaluationMillis: Double,
             pointMatches: [RuleMatch]? = nil, source: String = "warden", revision: String = "", subject: Decider.Subject = .message) {
            self.message = message; self.matches = matches; self.failures = failures; self.analysis = analysis
            self.evaluationMillis = evaluationMillis; self.pointMatches = pointMatches ?? matches
            self.source = source; self.revision = revision; self.subject = subject
        }
    }

    /// Writes a violation inside the caller's transaction: points and the ladder, the decision's actions, the
    /// log row (with the model's analysis when there is one) and the daily stats (through `triggers` when
    /// given, written at the end in one order; directly otherwise). `annotate` adds notes before the decision
    /// is logged. The caller holds the member's lock.
    static func record(_ violation: Violation, context: GuildContext, now: Date, on conn: any SQLConnection,
                               triggers: TriggerLedger?, annotate: (inout Decision) -> Void) throws -> Decision {
        let message = violation.message
        let guild = message.guildID.int64, id = message.id.int64
        let user = message.author.id.int64
        // Points decay on Discord's clock, like the spam windows: a backlog scanned at once must not look
        // like one burst. A timestamp from the future counts as now.
        let violationTime = min(message.timestamp, now)
        let history = try AutomodRepository.points(on: conn, guild: guild, user: user).map {
            PointsRecord(ruleType: $0.ruleType, points: $0.totalPoints, violations: $0.violationCount, lastViolation: $0.lastViolation)
        }
        let escalation = Escalation.apply(history: history, adding: Decider.points(for: violation.pointMatches),
                                          now: violationTime, ladder: context.policy.ladder)
        var decision = Decider.decide(message: message, about: violation.subject, matches: violation.matches,
                                      failures: violation.failures, escalation: escalation.state, step: escalation.step,
                                      policy: context.policy, now: now)
        annotate(&decision)
        decision.analysis = violation.analysis

        let matches = violation.matches
        let winner = Decider.strongest(matches.map(\.action)).flatMap { best in matches.first { $0.action == best } }
        let taken = decision.actions.filter { $0.type != .alert }.map(\.type.rawValue)
        let evidence = try String(decoding: encoder.encode(matches.map(\.evidence)), as: UTF8.self)
        let analysisJSON = try violation.analysis.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        decision.logID = try AutomodRepository.insertLog(on: conn, AutomodLogEntry(
            guildID: guild, userID: user, messageID: violation.subject == .member ? nil : id,
            channelID: violation.subject == .member ? nil : message.channelID.int64, ruleID: winner?.ruleID,
            actionTaken: taken.isEmpty ? "alert" : taken.joined(separator: "+"), messageContent: message.content,
            contextJSON: try json(decision), evidenceJSON: evidence, aiAnalysisJSON: analysisJSON, timestamp: now,
            violationAt: violationTime, verdict: decision.verdict.rawValue, source: violation.source, revision: violation.revision))
        for record in escalation.records {
            try AutomodRepository.savePoints(on: conn, guild: guild, user: user, UserPoints(
                ruleType: record.ruleType, totalPoints: record.points, violationCount: record.violations,
                lastViolation: record.lastViolation), at: now)
        }
        // Every action against the member is a case (numbered per guild at the end of the batch, in guild order);
        // a ban with a duration ends by itself, and a ban without one supersedes a running temporary ban.
        let acted = decision.actions.filter { $0.type != .alert }
        if !acted.isEmpty {
            let opened = CaseRepository.NewCase(guild: guild, user: user, moderator: nil, action: acted.map(\.type.rawValue).joined(separator: "+"),
                                                reason: acted.compactMap(\.reason).first, durationSeconds: acted.compactMap(\.durationSeconds).max(),
                                                points: escalation.state.added.values.reduce(0, +), logID: decision.logID, source: "automod")
            if let triggers { triggers.addCase(opened) } else { _ = try CaseRepository.open(on: conn, opened, at: now) }
        }
        for ban in decision.actions where ban.type == .ban {
            if let seconds = ban.durationSeconds {
                try TempPunishmentRepository.start(on: conn, guild: guild, user: user, kind: "ban", roleID: nil, caseID: nil, logID: decision.logID,
                                                   endsAt: now.addingTimeInterval(Double(seconds)), at: now)
            } else {
                try TempPunishmentRepository.end(on: conn, guild: guild, user: user, kind: "ban", outcome: "superseded", at: now)
            }
        }
        for mute in decision.actions where mute.type == .addRole {
            if let seconds = mute.durationSeconds {
                try TempPunishmentRepository.start(on: conn, guild: guild, user: user, kind: "mute", roleID: mute.roleID?.int64, caseID: nil,
                                                   logID: decision.logID, endsAt: now.addingTimeInterval(Double(seconds)), at: now)
            }
        }
        let day = UTCDay.of(now)
        if let triggers {
            triggers.addDecision(guild: guild, day: day, verdict: decision.verdict.rawValue)
        } else {
            try AutomodRepository.countDecisions(on: conn, guild: guild, day: day, verdict: decision.verdict.rawValue, count: 1)
        }
        for ruleID in Set(matches.compactMap(\.ruleID)) {
            if let triggers {
                triggers.add(guild: guild, rule: ruleID, day: day, millis: violation.evaluationMillis)
            } else {
                try AutomodRepository.recordTrigger(on: conn, guild: guild, rule: ruleID, day: day, responseMillis: violation.evaluationMillis, at: now)
            }
        }
        return decision
    }

    /// The decision for a message nothing matched (no store state needed).
    static func allowedDecision(_ candidate: MessageCandidate, now: Date) -> Decision {
        var decision = Decider.decide(message: candidate.message, matches: [], failures: candidate.evaluation.failures, escalation: nil,
                                      step: nil, policy: candidate.context.policy, now: now)
        annotate(&decision, candidate.evaluation, candidate.llm)
        return decision
    }

    static func annotate(_ decision: inout Decision, _ evaluation: Evaluation, _ note: LLMNote?) {
        decision.skipped = evaluation.skipped
        if let note {
            decision.stages["llm"] = note.state
            decision.analysis = note.analysis
        }
    }

    /// The decision as the output contract's JSON.
    static func json(_ decision: Decision) throws -> String {
        if let allowed = AllowedDecisionJSON.encode(decision) { return allowed }
        return String(decoding: try encoder.encode(decision), as: UTF8.self)
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

    struct EncodedDecision {
        let decision: Decision
        let json: String
    }

    struct MemberKey: Hashable, Comparable {
        let guild: Snowflake, user: Snowflake
        static func < (a: MemberKey, b: MemberKey) -> Bool { (a.guild, a.user) < (b.guild, b.user) }
    }
}

/// The daily rule statistics and decision counts a batch adds, written at the end of its transaction in one global
/// order ((guild, rule, day), then (guild, day, verdict)): concurrent batches on PostgreSQL then take those rows' locks in the same order and
/// cannot deadlock on them (a deadlock costs a second before PostgreSQL notices it).
final class TriggerLedger {
    private struct Entry {
        let guild: Int64, rule: Int64, day: String, millis: Double

        static func inLockOrder(_ a: Entry, _ b: Entry) -> Bool {
            if a.guild != b.guild { return a.guild < b.guild }
            if a.rule != b.rule { return a.rule < b.rule }
            return a.day < b.day
        }
    }
    private var entries: [Entry] = []
    /// Logged decisions per (guild, day, verdict), for the guild's daily counts.
    private struct DecisionKey: Hashable, Comparable {
        let guild: Int64, day: String, verdict: String
        static func < (a: DecisionKey, b: DecisionKey) -> Bool { (a.guild, a.day, a.verdict) < (b.guild, b.day, b.verdict) }
    }
    private var decisions: [DecisionKey: Int] = [:]

    func add(guild: Int64, rule: Int64, day: String, millis: Double) {
        entries.append(Entry(guild: guild, rule: rule, day: day, millis: millis))
    }

    func addDecision(guild: Int64, day: String, verdict: String) {
        decisions[DecisionKey(guild: guild, day: day, verdict: verdict), default: 0] += 1
    }

    /// Cases to open, numbered at the end in guild order (each guild's counter row is its numbering lock).
    private var cases: [CaseRepository.NewCase] = []

    func addCase(_ opened: CaseRepository.NewCase) { cases.append(opened) }

    func write(on conn: any SQLConnection, at now: Date) throws {
        for entry in entries.sorted(by: Entry.inLockOrder) {
            try AutomodRepository.recordTrigger(on: conn, guild: entry.guild, rule: entry.rule, day: entry.day, responseMillis: entry.millis, at: now)
        }
        // After the rule stats, in their own global order: the same no-deadlock argument holds for these rows.
        for (key, count) in decisions.sorted(by: { $0.key < $1.key }) {
            try AutomodRepository.countDecisions(on: conn, guild: key.guild, day: key.day, verdict: key.verdict, count: count)
        }
        // Stable: a guild's cases are numbered in the order its messages were judged.
        for opened in cases.enumerated().sorted(by: { ($0.element.guild, $0.offset) < ($1.element.guild, $1.offset) }).map(\.element) {
            _ = try CaseRepository.open(on: conn, opened, at: now)
        }
    }
}
