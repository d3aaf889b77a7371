import Foundation

/// A row of `automod_rules` joined with its `automod_actions` row.
public struct StoredRule: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var ruleType: String
    public var enabled: Bool
    /// The rule's definition as JSON (everything but the action).
    public var configJSON: String
    public var actionType: String?
    public var severity: Int?
    /// The action's config as JSON (duration, points, deletion, reason).
    public var actionConfigJSON: String?
}

/// What goes into an `automod_logs` row.
public struct AutomodLogEntry: Sendable {
    public var guildID: Int64
    public var userID: Int64
    /// Null for a log about a member rather than a message (a profile rule, a raid).
    public var messageID: Int64?
    public var channelID: Int64?
    public var ruleID: Int64?
    public var actionTaken: String
    public var messageContent: String
    public var contextJSON: String
    public var evidenceJSON: String
    /// The model's analysis (`automod_logs.ai_analysis`) when the LLM stage ran.
    public var aiAnalysisJSON: String?
    public var timestamp: Date
    /// When the violation happened (the message's time, at most `timestamp`); points decay from it.
    public var violationAt: Date?
    /// The decision's verdict (`flag`, `block`), kept beside the decision JSON so the console counts and filters
    /// logs by it from an index.
    public var verdict: String?
    /// Who matched: `warden`, or `discord_automod` (Discord's native AutoMod).
    public var source: String
    /// The gateway event key of the revision judged (an edit), '' for a new message.
    public var revision: String

    public init(guildID: Int64, userID: Int64, messageID: Int64?, channelID: Int64?, ruleID: Int64?, actionTaken: String,
                messageContent: String, contextJSON: String, evidenceJSON: String, aiAnalysisJSON: String? = nil, timestamp: Date,
                violationAt: Date? = nil, verdict: String? = nil, source: String = "warden", revision: String = "") {
        self.violationAt = violationAt; self.verdict = verdict; self.source = source; self.revision = revision
        self.guildID = guildID; self.userID = userID; self.messageID = messageID; self.channelID = channelID
        self.ruleID = ruleID; self.actionTaken = actionTaken; self.messageContent = messageContent
        self.contextJSON = contextJSON; self.evidenceJSON = evidenceJSON; self.aiAnalysisJSON = aiAnalysisJSON; self.timestamp = timestamp
    }
}

/// A row of `automod_user_history`: one user's points for one rule type.
public struct UserPoints: Sendable, Equatable {
    public var ruleType: String
    public var totalPoints: Double
    public var violationCount: Int
    public var lastViolation: Date
    public init(ruleType: String, totalPoints: Double, violationCount: Int, lastViolation: Date) {
        self.ruleType = ruleType; self.totalPoints = totalPoints; self.violationCount = violationCount
        self.lastViolation = lastViolation
    }
}

/// A logged automod action, for `warden history`.
public struct AutomodLogRecord: Sendable, Equatable {
    public var id: Int64
    public var messageID: Int64?
    public var channelID: Int64?
    public var ruleName: String?
    public var actionTaken: String
    public var timestamp: Date
    public var appealStatus: String
}
