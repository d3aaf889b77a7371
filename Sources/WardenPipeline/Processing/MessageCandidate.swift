import WardenCore

/// One message on its way through a batch: what the in-memory stages found, the guild it was judged
/// for, how long that took, and what the LLM stage said about it (nil when the stage does not concern it).
struct MessageCandidate: Sendable {
    var evaluation: Evaluation
    let context: GuildContext
    /// Time spent in the in-memory stages, in milliseconds (recorded in `automod_stats`).
    let evaluationMillis: Double
    var llm: LLMNote?
    /// Set when this is a later revision of a message (an edit, embeds added), judged by its own claim.
    var revision: MessageRevision?

    var message: DiscordMessage { evaluation.message }
}

/// What writing one candidate produced: the caller's result, and the durable job of a verdict still on
/// its way (nil when there is none, or when the message had been decided before).
struct WrittenMessage: Sendable {
    let result: ProcessedMessage
    let verdictJob: Int64?
}
