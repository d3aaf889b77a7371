import Foundation
import WardenCore
import WardenStore

/// The staged message pipeline: scope and evaluate in memory, the LLM stage where a guild needs it, then
/// decide and persist in one transaction per batch (through the `DecisionWriter`). A decision is returned
/// only once its log is durable, and a message processed twice gets its first decision back with nothing
/// changed.
public final class MessagePipeline: Sendable {
    public let database: any Database
    public let guilds: GuildDirectory
    public let evaluator: MessageEvaluator
    /// The LLM stage, when a provider is configured.
    public let llm: LLMModerator?
    public let writer: DecisionWriter
    let clock: @Sendable () -> Date

    public init(database: any Database, guilds: GuildDirectory, evaluator: MessageEvaluator = MessageEvaluator(),
                llm: LLMModerator? = nil, writer: DecisionWriter? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.guilds = guilds; self.evaluator = evaluator; self.llm = llm; self.clock = clock
        self.writer = writer ?? llm?.writer ?? DecisionWriter(database: database, clock: clock)
    }

    /// Processes a batch in order; all of it commits together (one fsync for the batch, not per message).
    public func process(_ messages: [DiscordMessage]) async throws -> [ProcessedMessage] {
        let started = ContinuousClock.now
        var contexts: [Snowflake: GuildContext] = [:]
        for guild in Set(messages.map(\.guildID)) { contexts[guild] = try await guilds.context(for: guild) }

        var batch: [MessageCandidate] = []
        batch.reserveCapacity(messages.count)
        for message in messages {
            guard let context = contexts[message.guildID] else { continue }
            let started = ContinuousClock.now
            let evaluation = evaluator.evaluate(message, rules: context.rules, policy: context.policy, scratch: .current)
            let elapsed = ContinuousClock.now - started
            batch.append(MessageCandidate(evaluation: evaluation, context: context,
                                          evaluationMillis: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))
        }
        try await llmStage(&batch, started: started)
        let written: [WrittenMessage]
        do {
            written = try await writer.write(batch, at: clock())
        } catch {
            // Nothing of the batch was written: the caller will send it again. Calls still running are
            // stopped and given back, so the retry does not charge the member twice.
            for candidate in batch {
                guard let pending = candidate.llm?.pending else { continue }
                pending.work.cancel()
                if let ticket = pending.ticket { try? await llm?.quota.refund(ticket) }
            }
            throw error
        }
        // Verdicts still on their way are followed now that their jobs are durable.
        for (candidate, outcome) in zip(batch, written) {
            guard let pending = candidate.llm?.pending else { continue }
            if let job = outcome.verdictJob, let llm {
                llm.deliverLate(job: job, message: candidate.message, pending: pending)
            } else {
                pending.work.cancel()
            }
        }
        return written.map(\.result)
    }

    /// Processes a batch like `process(_:)`, but gives each message its own result. When the batch fails for
    /// anything but a busy store (a deadlock or serialisation failure that outlived its retries), nothing of it
    /// was written, and:
    /// - the messages of a guild whose rules or settings cannot be loaded fail with that guild's error;
    /// - the other messages are processed together once more, and only if that fails too, one by one.
    /// So a broken guild costs one extra transaction a batch, not one per message, and only the messages (or
    /// the guild) at fault fail. A busy store fails every message with the same error; senders may try again.
    public func processEach(_ messages: [DiscordMessage]) async -> [Result<ProcessedMessage, any Error>] {
        let error: any Error
        do {
            return try await answers(to: messages, from: process(messages))
        } catch let caught {
            error = caught
        }
        if messages.count == 1 || (error as? StoreError)?.isTransient == true {
            return messages.map { _ in .failure(error) }
        }
        var results = [Result<ProcessedMessage, any Error>](repeating: .failure(error), count: messages.count)
        var brokenGuilds: [Snowflake: any Error] = [:]
        for guild in Set(messages.map(\.guildID)) {
            do { _ = try await guilds.context(for: guild) } catch {
                // Nothing is written yet: a busy store fails the whole batch, for its senders to try again.
                if (error as? StoreError)?.isTransient == true { return messages.map { _ in .failure(error) } }
                brokenGuilds[guild] = error
            }
        }
        var rest: [Int] = []
        for (index, message) in messages.enumerated() {
            if let broken = brokenGuilds[message.guildID] { results[index] = .failure(broken) } else { rest.append(index) }
        }
        if !brokenGuilds.isEmpty, rest.count > 1 {
            let others = rest.map { messages[$0] }
            do {
                for (index, result) in zip(rest, answers(to: others, from: try await process(others))) { results[index] = result }
                return results
            } catch let error as StoreError where error.isTransient {
                for index in rest { results[index] = .failure(error) }
                return results
            } catch {
                // Something else is at fault: found below, one message at a time.
            }
        }
        for index in rest {
            do { results[index] = .success(try await process(messages[index])) } catch { results[index] = .failure(error) }
        }
        return results
    }

    /// One result a message, or every message failed when the pipeline answered another count (a bug).
    private func answers(to messages: [DiscordMessage], from processed: [ProcessedMessage]) -> [Result<ProcessedMessage, any Error>] {
        guard processed.count == messages.count else {
            return messages.map { _ in .failure(PipelineError.answeredOtherCount(sent: messages.count, received: processed.count)) }
        }
        return processed.map { .success($0) }
    }

    public func process(_ message: DiscordMessage) async throws -> ProcessedMessage {
        let results = try await process([message])
        guard let first = results.first else { throw PipelineError.unknownGuild(message.guildID) }
        return first
    }

    // MARK: - Housekeeping

    /// How long a decision is remembered for re-deliveries (Discord re-delivers within minutes; a week is
    /// generous). Older rows are removed by `pruneRememberedDecisions`.
    public static let decisionRetention: TimeInterval = 7 * 86_400

    /// Removes remembered decisions older than the retention; returns how many.
    @discardableResult
    public func pruneRememberedDecisions() async throws -> Int {
        let cutoff = clock().addingTimeInterval(-Self.decisionRetention)
        // Joins are kept a day: raid windows are seconds to minutes long.
        let joinCutoff = clock().addingTimeInterval(-86_400)
        return try await database.transaction { conn in
            try AutomodRepository.pruneDecisions(on: conn, before: cutoff) + MemberJoinRepository.prune(on: conn, before: joinCutoff)
        }
    }

    /// How long events stay readable by cursor, and finished jobs are kept for inspection.
    public static let eventRetention: TimeInterval = 30 * 86_400
    public static let finishedJobRetention: TimeInterval = 7 * 86_400

    /// What `pruneDeliveredWork` removed.
    public struct PrunedWork: Sendable, Equatable {
        public var events: Int
        public var jobs: Int
    }

    /// Removes events older than the retention and jobs finished longer ago than theirs.
    @discardableResult
    public func pruneDeliveredWork() async throws -> PrunedWork {
        let now = clock()
        return try await database.transaction { conn in
            PrunedWork(events: try EventRepository.prune(on: conn, before: now.addingTimeInterval(-Self.eventRetention)),
                       jobs: try JobRepository.prune(on: conn, finishedBefore: now.addingTimeInterval(-Self.finishedJobRetention)))
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
