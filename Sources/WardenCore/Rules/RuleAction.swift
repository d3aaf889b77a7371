import Foundation

/// What a rule asks for when it triggers, as in `automod_actions` (action_type, severity 1-5, config).
public struct RuleAction: Codable, Sendable, Equatable {
    /// An action type's name (`delete`, `warn`, `mute`, `timeout`, `kick`, `ban`, `alert`). Each is
    /// declared, with its behaviour, in its own file under `Actions/Kinds/`; `ActionKinds.all` lists them.
    public struct Kind: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
        public let rawValue: String

        /// The registered action type of that name, or nil.
        public init?(rawValue: String) {
            guard ActionKinds.named(rawValue) != nil else { return nil }
            self.rawValue = rawValue
        }

        /// For the kinds' own `static let`s, which the registry lists.
        init(registered name: String) { rawValue = name }

        /// Every registered action type, in registry order.
        public static var allCases: [Kind] { ActionKinds.all.map { $0.name } }

        public var description: String { rawValue }
    }

    /// Discord's limits: timeouts up to 28 days, ban history deletion up to 7 days.
    public static let maxTimeoutSeconds = 28 * 86_400
    /// The longest temporary ban Warden keeps an end for.
    public static let maxTemporarySeconds = 365 * 86_400
    public static let maxDeleteMessageSeconds = 7 * 86_400
    public static let defaultTimeoutSeconds = 600

    public var type: Kind
    public var severity: Int
    /// Escalation points per violation; defaults to the severity.
    public var points: Double?
    public var durationSeconds: Int?
    public var deleteMessage: Bool?
    public var deleteMessageSeconds: Int?
    public var reason: String?

    public init(type: Kind, severity: Int = 1, points: Double? = nil, durationSeconds: Int? = nil,
                deleteMessage: Bool? = nil, deleteMessageSeconds: Int? = nil, reason: String? = nil) {
        self.type = type; self.severity = severity; self.points = points; self.durationSeconds = durationSeconds
        self.deleteMessage = deleteMessage; self.deleteMessageSeconds = deleteMessageSeconds; self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case type, severity, points, duration, durationSeconds = "duration_seconds", deleteMessage = "delete_message"
        case deleteMessageSeconds = "delete_message_seconds", reason
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let typeName = try c.decode(String.self, forKey: .type)
        guard let kind = Kind(rawValue: typeName) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription:
                "unknown action type '\(typeName)' (expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        type = kind
        severity = try c.decodeIfPresent(Int.self, forKey: .severity) ?? 1
        points = try c.decodeIfPresent(Double.self, forKey: .points)
        durationSeconds = try c.decodeDuration(Int.self, seconds: .durationSeconds, text: .duration, examples: "30s, 10m, 1h, 7d") { Int($0) }
        deleteMessage = try c.decodeIfPresent(Bool.self, forKey: .deleteMessage)
        deleteMessageSeconds = try c.decodeIfPresent(Int.self, forKey: .deleteMessageSeconds)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type.rawValue, forKey: .type)
        try c.encode(severity, forKey: .severity)
        try c.encodeIfPresent(points, forKey: .points)
        try c.encodeIfPresent(durationSeconds, forKey: .durationSeconds)
        try c.encodeIfPresent(deleteMessage, forKey: .deleteMessage)
        try c.encodeIfPresent(deleteMessageSeconds, forKey: .deleteMessageSeconds)
        try c.encodeIfPresent(reason, forKey: .reason)
    }

    /// Whether the message is removed: the kind's default (everything but a warning or an alert) unless
    /// the action says.
    public var deletesMessage: Bool { deleteMessage ?? type.behaviour.deletesMessageByDefault }
    /// Escalation points: an alert is not a violation and adds none.
    public var effectivePoints: Double { type.behaviour.addsPoints ? points ?? Double(severity) : 0 }
    /// The timeout length for kinds that take a duration (default 10 minutes, at most 28 days), else nil.
    public var timeoutSeconds: Int? {
        type.behaviour.takesDuration ? min(durationSeconds ?? Self.defaultTimeoutSeconds, Self.maxTimeoutSeconds) : nil
    }

    /// Problems with this action, as `field: message` pairs.
    public func problems() -> [RuleKindProblem] {
        var out: [RuleKindProblem] = []
        let behaviour = type.behaviour
        if !(1...5).contains(severity) { out.append(RuleKindProblem("action.severity", "must be 1-5, got \(severity)")) }
        if let points, points < 0 || !points.isFinite { out.append(RuleKindProblem("action.points", "must be a non-negative number")) }
        if let d = durationSeconds {
            if !behaviour.takesDuration && !behaviour.endsByItself {
                out.append(RuleKindProblem("action.duration", "only \(Self.takers { $0.takesDuration || $0.endsByItself }) a duration"))
            }
            if behaviour.endsByItself {
                if d <= 0 || d > Self.maxTemporarySeconds { out.append(RuleKindProblem("action.duration", "must be between 1s and 365d, got \(d)s")) }
            } else if d <= 0 || d > Self.maxTimeoutSeconds {
                out.append(RuleKindProblem("action.duration", "must be between 1s and 28d (Discord's limit), got \(d)s"))
            }
        }
        if let s = deleteMessageSeconds {
            if !behaviour.takesDeleteMessageSeconds {
                out.append(RuleKindProblem("action.delete_message_seconds", "only \(Self.takers { $0.takesDeleteMessageSeconds }) delete_message_seconds"))
            }
            if s < 0 || s > Self.maxDeleteMessageSeconds { out.append(RuleKindProblem("action.delete_message_seconds", "must be 0-604800, got \(s)")) }
        }
        return out
    }

    /// "mute and timeout take", "ban takes": the registered kinds that accept a field, for error messages.
    static func takers(_ accepts: (any ActionKind.Type) -> Bool) -> String {
        let names = ActionKinds.all.filter(accepts).map { $0.name.rawValue }
        return names.listed("and") + (names.count == 1 ? " takes" : " take")
    }
}

/// Parses durations written as `30s`, `10m`, `1h`, `7d` or plain seconds.
public enum DurationText {
    public static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let last = t.last else { return nil }
        let multiplier: Double
        var number = Substring(t)
        switch last {
        case "s": multiplier = 1; number = number.dropLast()
        case "m": multiplier = 60; number = number.dropLast()
        case "h": multiplier = 3_600; number = number.dropLast()
        case "d": multiplier = 86_400; number = number.dropLast()
        case "0"..."9": multiplier = 1
        default: return nil
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        return value * multiplier
    }
}

extension KeyedDecodingContainer {
    /// A duration given either as a number under `seconds` (`duration_seconds: 600`) or under `text`, as a
    /// number or as `DurationText` (`duration: 10m`); nil when neither is present. Shared by every field
    /// that takes a duration, so they accept the same forms and refuse bad ones with the same message.
    func decodeDuration<T: Decodable>(_ type: T.Type, seconds: Key, text: Key, examples: String,
                                      fromSeconds: (Double) -> T) throws -> T? {
        if let value = try decodeIfPresent(T.self, forKey: seconds) { return value }
        if let written = try? decodeIfPresent(String.self, forKey: text) {
            guard let parsed = DurationText.seconds(written) else {
                throw DecodingError.dataCorruptedError(forKey: text, in: self, debugDescription: "not a duration: '\(written)' (use e.g. \(examples))")
            }
            return fromSeconds(parsed)
        }
        return try decodeIfPresent(T.self, forKey: text)
    }
}
