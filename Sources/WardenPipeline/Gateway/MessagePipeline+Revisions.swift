import Foundation
import WardenCore
import WardenStore

/// What the pipeline made of a Gateway dispatch other than a new message.
public enum GatewayOutcome: Sendable {
    /// Judged: the decision, as for a new message.
    case judged(ProcessedMessage)
    /// Nothing to judge, and why (an update that changes no text, a partial update of a message Warden never saw).
    case nothingToDo(String)
}

extension MessagePipeline {
    /// Judges a `MESSAGE_UPDATE`: an edit's new content on the message's views (and its embeds, if it carries
    /// any), or embeds Discord added later on their own. The spam windows do not count the message again, and
    /// the LLM stage does not run on revisions (see the README's Known limits). The decision is linked to the
    /// message's decision before it; both are kept.
    public func processUpdate(_ update: MessageUpdate) async throws -> GatewayOutcome {
        guard let revision = MessageRevision.of(update) else {
            return .nothingToDo("the update changes neither the text nor the embeds")
        }
        var author = update.author?.id, channel = update.channelID
        if author == nil || channel == nil {
            // Embeds Discord adds come without the author: the message's first decision names them.
            let guild = update.guildID.int64, id = update.id.int64
            let stored = try await database.transaction { conn in try GatewayEventRepository.latestDecision(on: conn, guild: guild, message: id) }
            let earlier = stored.flatMap { try? JSONDecoder().decode(Decision.self, from: Data($0.utf8)) }
            author = author ?? earlier?.userID
            channel = channel ?? earlier?.channelID
            // A bot's message, or one in an exempt channel or from an exempt role, was not judged: nor are its
            // embeds (the partial update carries no author flags or roles to tell again).
            if let skipped = earlier?.skipped {
                return .nothingToDo("the message was not judged (\(skipped)), nor are its embeds")
            }
        }
        guard let message = update.message(author: author, channel: channel) else {
            return .nothingToDo("a partial update of a message Warden has no decision for (its author and channel are unknown)")
        }
        let context = try await guilds.context(for: update.guildID)
        let started = ContinuousClock.now
        var evaluation: Evaluation
        if revision.kind == .edit {
            evaluation = evaluator.evaluate(message, rules: context.rules, policy: context.policy, scratch: .current)
            for index in evaluation.matches.indices where evaluation.matches[index].evidence.source == nil {
                evaluation.matches[index].evidence.source = "edit"
            }
        } else {
            evaluation = Evaluation(message: message, matches: [], failures: [], skipped: nil, redelivered: true)
        }
        let embeds = update.embedText
        if !embeds.isEmpty, evaluation.skipped == nil {
            var asText = message
            asText.content = embeds
            asText.attachments = []
            let found = evaluator.evaluate(asText, rules: context.rules, policy: context.policy, scratch: .current, spam: false)
            evaluation.skipped = found.skipped
            evaluation.failures += found.failures
            for var match in found.matches where !evaluation.matches.contains(where: { $0.rule == match.rule }) {
                match.evidence.source = "embeds"
                evaluation.matches.append(match)
            }
        }
        // The violation is the edit's (or the embeds'), not the first message's: points count from now or the
        // edit's own time, not decay from a message written long ago.
        evaluation.message.timestamp = update.editedTimestamp.flatMap(DiscordTimestamp.parse).map { min($0, clock()) } ?? clock()
        let elapsed = ContinuousClock.now - started
        let candidate = MessageCandidate(evaluation: evaluation, context: context,
                                         evaluationMillis: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000,
                                         revision: revision)
        let written = try await writer.write([candidate], at: clock())
        guard let first = written.first else { throw PipelineError.unknownGuild(update.guildID) }
        return .judged(first.result)
    }
}
