/// The verdict on a message.
public enum Verdict: String, Codable, Sendable {
    /// Nothing matched (or the message was out of scope).
    case allow
    /// Something matched but the message stays (a warning, an alert).
    case flag
    /// The message is deleted.
    case block
}

/// What Warden answers for one message: the verdict, the evidence, and the actions for the bot.
public struct Decision: Codable, Sendable, Equatable {
    public var messageID: Snowflake
    public var guildID: Snowflake
    public var channelID: Snowflake
    public var userID: Snowflake
    public var verdict: Verdict
    public var matches: [RuleMatch]
    public var actions: [DiscordAction]
    public var escalation: EscalationState?
    /// `automod_logs.id` when the decision was logged.
    public var logID: Int64?
    /// Rules that could not be evaluated for this message.
    public var errors: [RuleFailure]
    /// Why the message was not evaluated at all (`bot`, `exempt_channel`, `exempt_role`, `no_rules`).
    public var skipped: String?
    /// Per-stage notes for the LLM stage: `llm` is `off: ...`, `skipped: ...`, `done`, `pending: ...`,
    /// `unavailable: ...` (the word before the colon is the state).
    public var stages: [String: String]
    /// The model's analysis when the LLM stage answered in time.
    public var analysis: AIAnalysis?

    public init(messageID: Snowflake, guildID: Snowflake, channelID: Snowflake, userID: Snowflake, verdict: Verdict,
                matches: [RuleMatch] = [], actions: [DiscordAction] = [], escalation: EscalationState? = nil,
                logID: Int64? = nil, errors: [RuleFailure] = [], skipped: String? = nil, stages: [String: String] = [:]) {
        self.messageID = messageID; self.guildID = guildID; self.channelID = channelID; self.userID = userID
        self.verdict = verdict; self.matches = matches; self.actions = actions; self.escalation = escalation
        self.logID = logID; self.errors = errors; self.skipped = skipped; self.stages = stages
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id", guildID = "guild_id", channelID = "channel_id", userID = "user_id", verdict
        case matches, actions, escalation, logID = "log_id", errors, skipped, stages, analysis
    }

    /// Every key of the contract is present, `null` when it does not apply (no log for an allowed message).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(messageID, forKey: .messageID); try c.encode(guildID, forKey: .guildID)
        try c.encode(channelID, forKey: .channelID); try c.encode(userID, forKey: .userID)
        try c.encode(verdict, forKey: .verdict); try c.encode(matches, forKey: .matches); try c.encode(actions, forKey: .actions)
        if let escalation { try c.encode(escalation, forKey: .escalation) } else { try c.encodeNil(forKey: .escalation) }
        if let logID { try c.encode(logID, forKey: .logID) } else { try c.encodeNil(forKey: .logID) }
        try c.encode(errors, forKey: .errors)
        try c.encodeIfPresent(skipped, forKey: .skipped)
        try c.encode(stages, forKey: .stages)
        try c.encodeIfPresent(analysis, forKey: .analysis)
    }
}
