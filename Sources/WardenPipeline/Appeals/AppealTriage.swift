import Foundation
import WardenCore
import WardenStore

/// What the model made of an appeal, shown to the moderator beside it (`triage` in the appeal's JSON).
/// It never decides: nothing reads it to change the appeal, the log or the member.
///
/// JSON: `{"status", "summary", "evidence", "suggestion", "confidence", "injection": {"flagged", "by_model",
/// "appeal", "message"}, "note", "model", "prompt_hash", "updated_at"}`, every key present (`null` when it
/// does not apply).
public struct AppealTriage: Codable, Sendable, Equatable {
    /// Where the triage stands.
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Waiting for the model (a job is queued, or retried after an outage).
        case queued
        /// The model answered.
        case done
        /// Not asked: the guild's daily limit was reached or its setting cannot be read, or a moderator decided
        /// the appeal before the triage ran (see `note`).
        case skipped
        /// Asked, but no usable answer came (see `note`).
        case failed
    }

    /// What the model suggests doing with the automatic action (not with the appeal).
    public enum Suggestion: String, Codable, Sendable, CaseIterable {
        /// The action was right and stands: deny the appeal.
        case uphold
        /// The action was a mistake and should be reversed: approve the appeal.
        case overturn
    }

    /// Whether the case's text tries to instruct the model, by the model's word and by Warden's own check
    /// (``InstructionSignals``), which a fooled model cannot talk away.
    public struct Injection: Codable, Sendable, Equatable {
        /// True when either the model or Warden's check says so.
        public var flagged: Bool
        /// What the model reported (nil until it answered).
        public var byModel: Bool?
        /// Warden's signals in the appeal's text.
        public var appeal: [InstructionSignals.Signal]
        /// Warden's signals in the message that was acted on.
        public var message: [InstructionSignals.Signal]

        public init(byModel: Bool?, appeal: [InstructionSignals.Signal], message: [InstructionSignals.Signal]) {
            self.byModel = byModel; self.appeal = appeal; self.message = message
            flagged = byModel == true || !appeal.isEmpty || !message.isEmpty
        }

        enum CodingKeys: String, CodingKey { case flagged, byModel = "by_model", appeal, message }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(flagged, forKey: .flagged); try AppealJSON.encodeOrNull(byModel, &c, .byModel)
            try c.encode(appeal, forKey: .appeal); try c.encode(message, forKey: .message)
        }
    }

    public var status: Status
    public var summary: String?
    /// The points the suggestion rests on (empty until the model answered).
    public var evidence: [String]
    public var suggestion: Suggestion?
    /// 0 to 1: how sure the model says it is.
    public var confidence: Double?
    public var injection: Injection
    /// Why the triage was skipped or failed.
    public var note: String?
    public var model: String?
    /// SHA-256 of the prompt template that produced it.
    public var promptHash: String?
    public var updatedAt: Date

    public init(status: Status, summary: String? = nil, evidence: [String] = [], suggestion: Suggestion? = nil,
                confidence: Double? = nil, injection: Injection, note: String? = nil, model: String? = nil,
                promptHash: String? = nil, updatedAt: Date) {
        self.status = status; self.summary = summary; self.evidence = evidence; self.suggestion = suggestion
        self.confidence = confidence; self.injection = injection; self.note = note; self.model = model
        self.promptHash = promptHash; self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case status, summary, evidence, suggestion, confidence, injection, note, model, promptHash = "prompt_hash", updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let injection = try c.nestedContainer(keyedBy: Injection.CodingKeys.self, forKey: .injection)
        self.init(status: try c.decode(Status.self, forKey: .status), summary: try c.decodeIfPresent(String.self, forKey: .summary),
                  evidence: try c.decode([String].self, forKey: .evidence),
                  suggestion: try c.decodeIfPresent(Suggestion.self, forKey: .suggestion),
                  confidence: try c.decodeIfPresent(Double.self, forKey: .confidence),
                  injection: Injection(byModel: try injection.decodeIfPresent(Bool.self, forKey: .byModel),
                                       appeal: try injection.decode([InstructionSignals.Signal].self, forKey: .appeal),
                                       message: try injection.decode([InstructionSignals.Signal].self, forKey: .message)),
                  note: try c.decodeIfPresent(String.self, forKey: .note), model: try c.decodeIfPresent(String.self, forKey: .model),
                  promptHash: try c.decodeIfPresent(String.self, forKey: .promptHash), updatedAt: try AppealJSON.decode(c, .updatedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status); try AppealJSON.encodeOrNull(summary, &c, .summary)
        try c.encode(evidence, forKey: .evidence); try AppealJSON.encodeOrNull(suggestion, &c, .suggestion)
        try AppealJSON.encodeOrNull(confidence, &c, .confidence); try c.encode(injection, forKey: .injection)
        try AppealJSON.encodeOrNull(note, &c, .note); try AppealJSON.encodeOrNull(model, &c, .model)
        try AppealJSON.encodeOrNull(promptHash, &c, .promptHash)
        try c.encode(DiscordTimestamp.format(updatedAt), forKey: .updatedAt)
    }

    /// The signals Warden's check finds in an appeal and its message, as stored in `injection_signals`.
    static func signalsJSON(reason: String, message: String?) -> String {
        func list(_ signals: [InstructionSignals.Signal]) -> JSONValue { .array(signals.map { .string($0.rawValue) }) }
        return JSONValue.object(["appeal": list(InstructionSignals.find(in: reason)),
                                 "message": list(message.map(InstructionSignals.find(in:)) ?? [])]).encoded()
    }

    /// The view of a stored row.
    /// - Throws: `AppealError.unreadableTriage` when the row is not what Warden writes.
    static func of(_ record: AppealTriageRepository.Record) throws -> AppealTriage {
        func unreadable(_ why: String) -> AppealError { .unreadableTriage(appeal: record.appealID, reason: why) }
        guard let status = Status(rawValue: record.status) else { throw unreadable("unknown status '\(record.status)'") }
        let signals: JSONValue
        do { signals = try JSONValue.parse(record.injectionSignalsJSON) } catch { throw unreadable("injection_signals is not JSON") }
        func names(_ key: String) throws -> [InstructionSignals.Signal] {
            try (signals[key]?.arrayValue ?? []).map { value in
                guard let name = value.stringValue, let signal = InstructionSignals.Signal(rawValue: name) else {
                    throw unreadable("injection_signals.\(key) holds \(value.encoded().prefix(40))")
                }
                return signal
            }
        }
        var evidence: [String] = []
        if let text = record.evidenceJSON {
            guard let items = (try? JSONValue.parse(text))?.arrayValue else { throw unreadable("evidence is not a JSON array") }
            evidence = items.compactMap(\.stringValue)
        }
        var suggestion: Suggestion?
        if let text = record.suggestion {
            guard let known = Suggestion(rawValue: text) else { throw unreadable("unknown suggestion '\(text)'") }
            suggestion = known
        }
        return AppealTriage(status: status, summary: record.summary, evidence: evidence, suggestion: suggestion,
                            confidence: record.confidence,
                            injection: Injection(byModel: record.instructionAttempt, appeal: try names("appeal"), message: try names("message")),
                            note: record.note, model: record.model, promptHash: record.promptHash, updatedAt: record.updatedAt)
    }
}
