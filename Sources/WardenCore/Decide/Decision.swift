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
    /// The message judged; null for a decision about a member (a join, a profile change).
    public var messageID: Snowflake?
    public var guildID: Snowflake
    /// The message's channel; null for a decision about a member.
    public var channelID: Snowflake?
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
    /// For a decision on an edit or on embeds Discord added later: which revision was judged and the
    /// decision before it (both are kept). Absent for a new message.
    public var revision: RevisionLink?

    public init(messageID: Snowflake?, guildID: Snowflake, channelID: Snowflake?, userID: Snowflake, verdict: Verdict,
                matches: [RuleMatch] = [], actions: [DiscordAction] = [], escalation: EscalationState? = nil,
                logID: Int64? = nil, errors: [RuleFailure] = [], skipped: String? = nil, stages: [String: String] = [:]) {
        self.messageID = messageID; self.guildID = guildID; self.channelID = channelID; self.userID = userID
        self.verdict = verdict; self.matches = matches; self.actions = actions; self.escalation = escalation
        self.logID = logID; self.errors = errors; self.skipped = skipped; self.stages = stages
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id", guildID = "guild_id", channelID = "channel_id", userID = "user_id", verdict
        case matches, actions, escalation, logID = "log_id", errors, skipped, stages, analysis, revision
    }

    /// Every key of the contract is present, `null` when it does not apply (no log for an allowed message).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let messageID { try c.encode(messageID, forKey: .messageID) } else { try c.encodeNil(forKey: .messageID) }
        try c.encode(guildID, forKey: .guildID)
        if let channelID { try c.encode(channelID, forKey: .channelID) } else { try c.encodeNil(forKey: .channelID) }
        try c.encode(userID, forKey: .userID)
        try c.encode(verdict, forKey: .verdict); try c.encode(matches, forKey: .matches); try c.encode(actions, forKey: .actions)
        if let escalation { try c.encode(escalation, forKey: .escalation) } else { try c.encodeNil(forKey: .escalation) }
        if let logID { try c.encode(logID, forKey: .logID) } else { try c.encodeNil(forKey: .logID) }
        try c.encode(errors, forKey: .errors)
        try c.encodeIfPresent(skipped, forKey: .skipped)
        try c.encode(stages, forKey: .stages)
        try c.encodeIfPresent(analysis, forKey: .analysis)
        try c.encodeIfPresent(revision, forKey: .revision)
    }
}

/// What a decision on a message's later revision is linked to: the revision (an edit, identified by Discord's
/// `edited_timestamp`, or embeds added to the message) and the message's decision before it.
public struct RevisionLink: Codable, Sendable, Equatable {
    /// `edit` or `embeds`.
    public var kind: String
    /// Discord's `edited_timestamp` of the edit (nil for embeds added without an edit).
    public var editedTimestamp: String?
    /// The verdict and log of the message's previous decision, when Warden had judged it.
    public var previousVerdict: Verdict?
    public var previousLogID: Int64?
    /// Rules the previous decision matched: matching them again adds no points and no punishment.
    public var previousRules: [String]

    public init(kind: String, editedTimestamp: String?, previousVerdict: Verdict?, previousLogID: Int64?, previousRules: [String]) {
        self.kind = kind; self.editedTimestamp = editedTimestamp; self.previousVerdict = previousVerdict
        self.previousLogID = previousLogID; self.previousRules = previousRules
    }

    enum CodingKeys: String, CodingKey {
        case kind, editedTimestamp = "edited_timestamp", previousVerdict = "previous_verdict"
        case previousLogID = "previous_log_id", previousRules = "previous_rules"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        if let editedTimestamp { try c.encode(editedTimestamp, forKey: .editedTimestamp) } else { try c.encodeNil(forKey: .editedTimestamp) }
        if let previousVerdict { try c.encode(previousVerdict, forKey: .previousVerdict) } else { try c.encodeNil(forKey: .previousVerdict) }
        if let previousLogID { try c.encode(previousLogID, forKey: .previousLogID) } else { try c.encodeNil(forKey: .previousLogID) }
        try c.encode(previousRules, forKey: .previousRules)
    }
}
