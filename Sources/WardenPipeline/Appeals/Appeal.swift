import Foundation
import WardenCore
import WardenStore

/// Where an automod log stands with appeals, as `automod_logs.appeal_status` says. An appeal itself is
/// `pending`, `approved` or `denied`; `none` is a log nobody appealed.
public enum AppealStatus: String, Codable, Sendable, CaseIterable {
    case none, pending, approved, denied
}

/// A member's appeal against one automod action (a row of `automod_appeals`).
///
/// JSON (served by the HTTP API): snake_case keys; Discord ids (guild, member, moderator) as strings like
/// every snowflake of the decision JSON, Warden's own row ids (`id`, `log_id`) as numbers like the
/// decision's `log_id`; times as ISO 8601 UTC; every key present, `null` when it does not apply.
public struct Appeal: Codable, Sendable, Equatable {
    public var id: Int64
    /// The `automod_logs` row appealed against.
    public var logID: Int64
    public var guildID: Snowflake
    /// The member who filed it: always the member the log is about.
    public var userID: Snowflake
    public var reason: String
    /// `pending`, `approved` or `denied` (never `none`).
    public var status: AppealStatus
    public var decidedBy: Snowflake?
    /// The moderator's note with the decision (required for a denial).
    public var note: String?
    public var createdAt: Date
    public var decidedAt: Date?

    public init(id: Int64, logID: Int64, guildID: Snowflake, userID: Snowflake, reason: String, status: AppealStatus,
                decidedBy: Snowflake? = nil, note: String? = nil, createdAt: Date, decidedAt: Date? = nil) {
        self.id = id; self.logID = logID; self.guildID = guildID; self.userID = userID; self.reason = reason
        self.status = status; self.decidedBy = decidedBy; self.note = note; self.createdAt = createdAt; self.decidedAt = decidedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, logID = "log_id", guildID = "guild_id", userID = "user_id", reason, status, decidedBy = "decided_by", note
        case createdAt = "created_at", decidedAt = "decided_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(Int64.self, forKey: .id), logID: try c.decode(Int64.self, forKey: .logID),
                  guildID: try c.decode(Snowflake.self, forKey: .guildID), userID: try c.decode(Snowflake.self, forKey: .userID),
                  reason: try c.decode(String.self, forKey: .reason), status: try c.decode(AppealStatus.self, forKey: .status),
                  decidedBy: try c.decodeIfPresent(Snowflake.self, forKey: .decidedBy),
                  note: try c.decodeIfPresent(String.self, forKey: .note),
                  createdAt: try AppealJSON.decode(c, .createdAt), decidedAt: try AppealJSON.decodeIfPresent(c, .decidedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(logID, forKey: .logID)
        try c.encode(guildID, forKey: .guildID); try c.encode(userID, forKey: .userID)
        try c.encode(reason, forKey: .reason); try c.encode(status, forKey: .status)
        try AppealJSON.encodeOrNull(decidedBy, &c, .decidedBy); try AppealJSON.encodeOrNull(note, &c, .note)
        try c.encode(DiscordTimestamp.format(createdAt), forKey: .createdAt)
        try AppealJSON.encodeOrNull(decidedAt.map(DiscordTimestamp.format), &c, .decidedAt)
    }
}

/// The logged automod action an appeal is about: what the member wrote and what was done.
public struct AppealedAction: Codable, Sendable, Equatable {
    /// `automod_logs.id`.
    public var id: Int64
    public var userID: Snowflake
    public var channelID: Snowflake?
    public var messageID: Snowflake?
    public var messageContent: String?
    /// When the action was decided.
    public var timestamp: Date
    /// The actions taken, `+`-joined (`delete_message+timeout`; `alert` when only moderators were told).
    public var actionTaken: String
    public var appealStatus: AppealStatus

    public init(id: Int64, userID: Snowflake, channelID: Snowflake?, messageID: Snowflake?, messageContent: String?,
                timestamp: Date, actionTaken: String, appealStatus: AppealStatus) {
        self.id = id; self.userID = userID; self.channelID = channelID; self.messageID = messageID
        self.messageContent = messageContent; self.timestamp = timestamp; self.actionTaken = actionTaken; self.appealStatus = appealStatus
    }

    enum CodingKeys: String, CodingKey {
        case id, userID = "user_id", channelID = "channel_id", messageID = "message_id", messageContent = "message_content"
        case timestamp, actionTaken = "action_taken", appealStatus = "appeal_status"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(Int64.self, forKey: .id), userID: try c.decode(Snowflake.self, forKey: .userID),
                  channelID: try c.decodeIfPresent(Snowflake.self, forKey: .channelID),
                  messageID: try c.decodeIfPresent(Snowflake.self, forKey: .messageID),
                  messageContent: try c.decodeIfPresent(String.self, forKey: .messageContent),
                  timestamp: try AppealJSON.decode(c, .timestamp), actionTaken: try c.decode(String.self, forKey: .actionTaken),
                  appealStatus: try c.decode(AppealStatus.self, forKey: .appealStatus))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(userID, forKey: .userID)
        try AppealJSON.encodeOrNull(channelID, &c, .channelID); try AppealJSON.encodeOrNull(messageID, &c, .messageID)
        try AppealJSON.encodeOrNull(messageContent, &c, .messageContent)
        try c.encode(DiscordTimestamp.format(timestamp), forKey: .timestamp)
        try c.encode(actionTaken, forKey: .actionTaken); try c.encode(appealStatus, forKey: .appealStatus)
    }
}

/// The rule whose action was taken (the strongest rule that matched).
public struct AppealedRule: Codable, Sendable, Equatable {
    /// `automod_rules.id`.
    public var id: Int64
    public var name: String
    /// `content`, `regex`, `spam`, `ai`, ...
    public var type: String

    public init(id: Int64, name: String, type: String) { self.id = id; self.name = name; self.type = type }
}

/// What a moderator needs to judge an appeal: the appeal, the logged action, the rule, the evidence of every
/// match, the model's analysis of the message, and the model's triage of the appeal.
public struct AppealView: Codable, Sendable, Equatable {
    public var appeal: Appeal
    public var log: AppealedAction
    /// nil when the log names no rule or the rule has been deleted since.
    public var rule: AppealedRule?
    /// The matches' evidence as logged (a JSON array, one object per match).
    public var evidence: JSONValue?
    /// The model's analysis (`AIAnalysis` JSON) when the LLM stage judged the message.
    public var aiAnalysis: JSONValue?
    /// The model's brief on the appeal; nil when no LLM was configured when it was filed.
    public var triage: AppealTriage?

    public init(appeal: Appeal, log: AppealedAction, rule: AppealedRule?, evidence: JSONValue?, aiAnalysis: JSONValue?,
                triage: AppealTriage? = nil) {
        self.appeal = appeal; self.log = log; self.rule = rule; self.evidence = evidence; self.aiAnalysis = aiAnalysis
        self.triage = triage
    }

    enum CodingKeys: String, CodingKey { case appeal, log, rule, evidence, aiAnalysis = "ai_analysis", triage }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(appeal: try c.decode(Appeal.self, forKey: .appeal), log: try c.decode(AppealedAction.self, forKey: .log),
                  rule: try c.decodeIfPresent(AppealedRule.self, forKey: .rule),
                  evidence: try c.decodeIfPresent(JSONValue.self, forKey: .evidence).flatMap { $0 == .null ? nil : $0 },
                  aiAnalysis: try c.decodeIfPresent(JSONValue.self, forKey: .aiAnalysis).flatMap { $0 == .null ? nil : $0 },
                  triage: try c.decodeIfPresent(AppealTriage.self, forKey: .triage))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(appeal, forKey: .appeal); try c.encode(log, forKey: .log)
        try AppealJSON.encodeOrNull(rule, &c, .rule); try AppealJSON.encodeOrNull(evidence, &c, .evidence)
        try AppealJSON.encodeOrNull(aiAnalysis, &c, .aiAnalysis); try AppealJSON.encodeOrNull(triage, &c, .triage)
    }
}

/// A page of the appeal queue, with the keyset cursor of the next page (nil on the last).
public struct AppealQueuePage: Sendable, Equatable {
    public var appeals: [AppealView]
    public var next: Int64?
}

/// What approving or denying an appeal did.
public struct AppealOutcome: Sendable, Equatable {
    /// The appeal as it stands now, with its log.
    public var view: AppealView
    /// The reversals the bot is asked to make (`remove_timeout`, `unban`); empty for a denial, and for an
    /// approval of a decision that neither timed out nor banned (a deletion or a kick cannot be undone).
    public var actions: [DiscordAction]
    /// Points given back per rule type, as they stood in the member's history (empty for a denial).
    public var refundedPoints: [String: Double]
    /// The events feed entry that tells the bot (`appeal_reversal` or `appeal_denied`).
    public var eventID: Int64
}

/// The JSON form of the views' optional values and times: keys are always present (`null` when absent)
/// and times are ISO 8601 UTC, as Discord writes them.
enum AppealJSON {
    static func decode<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> Date {
        let text = try c.decode(String.self, forKey: key)
        guard let date = DiscordTimestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not an ISO 8601 time: \(text.prefix(40))")
        }
        return date
    }

    static func decodeIfPresent<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> Date? {
        guard try c.decodeIfPresent(String.self, forKey: key) != nil else { return nil }
        return try decode(c, key)
    }

    static func encodeOrNull<K: CodingKey, T: Encodable>(_ value: T?, _ c: inout KeyedEncodingContainer<K>, _ key: K) throws {
        if let value { try c.encode(value, forKey: key) } else { try c.encodeNil(forKey: key) }
    }
}
