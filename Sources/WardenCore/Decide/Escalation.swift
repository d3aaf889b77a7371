import Foundation

/// One step of a guild's escalation ladder: at `points` or more, this action applies.
public struct LadderStep: Codable, Sendable, Equatable {
    public var points: Double
    public var action: RuleAction
    public init(points: Double, action: RuleAction) { self.points = points; self.action = action }
}

/// The guild's escalation ladder (in `bot_settings`, scope `automod`, key `escalation_ladder`) and the
/// half-life over which a user's points decay.
public struct EscalationLadder: Codable, Sendable, Equatable {
    public var steps: [LadderStep]
    public var halfLifeHours: Double

    public init(steps: [LadderStep], halfLifeHours: Double = 72) {
        self.steps = steps.sorted { $0.points < $1.points }
        self.halfLifeHours = halfLifeHours
    }

    /// 3 points: timeout 10 minutes; 6: timeout 1 hour; 10: ban. Points halve every 3 days.
    public static let standard = EscalationLadder(steps: [
        LadderStep(points: 3, action: RuleAction(type: .timeout, severity: 3, durationSeconds: 600, reason: "Repeated automod violations")),
        LadderStep(points: 6, action: RuleAction(type: .timeout, severity: 4, durationSeconds: 3_600, reason: "Repeated automod violations")),
        LadderStep(points: 10, action: RuleAction(type: .ban, severity: 5, deleteMessageSeconds: 86_400, reason: "Repeated automod violations")),
    ])

    enum CodingKeys: String, CodingKey { case steps, halfLifeHours = "half_life_hours" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(steps: try c.decode([LadderStep].self, forKey: .steps),
                  halfLifeHours: try c.decodeIfPresent(Double.self, forKey: .halfLifeHours) ?? 72)
    }

    /// How many steps `points` reaches (0 = none).
    public func level(for points: Double) -> Int { steps.lastIndex { points >= $0.points }.map { $0 + 1 } ?? 0 }
}

/// A user's stored points for one rule type (a row of `automod_user_history`).
public struct PointsRecord: Sendable, Equatable {
    public var ruleType: String
    public var points: Double
    public var violations: Int
    public var lastViolation: Date
    public init(ruleType: String, points: Double, violations: Int, lastViolation: Date) {
        self.ruleType = ruleType; self.points = points; self.violations = violations; self.lastViolation = lastViolation
    }
}

/// Where a user stands on the ladder after a message.
public struct EscalationState: Codable, Sendable, Equatable {
    /// Decayed points across rule types after this message.
    public var points: Double
    public var level: Int
    public var previousLevel: Int
    /// Points this message added, per rule type.
    public var added: [String: Double]

    public init(points: Double, level: Int, previousLevel: Int, added: [String: Double]) {
        self.points = points; self.level = level; self.previousLevel = previousLevel; self.added = added
    }

    enum CodingKeys: String, CodingKey { case points, level, previousLevel = "previous_level", added }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode((points * 1000).rounded() / 1000, forKey: .points)
        try c.encode(level, forKey: .level)
        try c.encode(previousLevel, forKey: .previousLevel)
        try c.encode(added, forKey: .added)
    }
}

/// What applying a message's points did: where the member stands, the point records to store, and the
/// ladder step to apply (nil when the message added nothing or reached no step).
public struct EscalationOutcome: Sendable, Equatable {
    public var state: EscalationState
    public var records: [PointsRecord]
    public var step: LadderStep?

    public init(state: EscalationState, records: [PointsRecord], step: LadderStep?) {
        self.state = state; self.records = records; self.step = step
    }
}

/// Pure escalation arithmetic: exponential decay of points and the ladder step they reach.
public enum Escalation {
    public static func decayed(_ points: Double, from: Date, to now: Date, halfLifeHours: Double) -> Double {
        guard halfLifeHours > 0 else { return points }
        let elapsed = max(0, now.timeIntervalSince(from))
        return points * pow(0.5, elapsed / (halfLifeHours * 3_600))
    }

    /// Applies `adding` (points per rule type) to `history` at `now`.
    public static func apply(history: [PointsRecord], adding: [String: Double], now: Date, ladder: EscalationLadder)
        -> EscalationOutcome {
        var records: [String: PointsRecord] = [:]
        var before = 0.0
        for record in history {
            var r = record
            r.points = decayed(record.points, from: record.lastViolation, to: now, halfLifeHours: ladder.halfLifeHours)
            before += r.points
            records[r.ruleType] = r
        }
        var changed: [PointsRecord] = []
        for (type, points) in adding.sorted(by: { $0.key < $1.key }) where points > 0 {
            var r = records[type] ?? PointsRecord(ruleType: type, points: 0, violations: 0, lastViolation: now)
            r.points += points
            r.violations += 1
            r.lastViolation = max(r.lastViolation, now)
            records[type] = r
            changed.append(r)
        }
        let after = records.values.reduce(0) { $0 + $1.points }
        let level = ladder.level(for: after)
        let state = EscalationState(points: after, level: level, previousLevel: ladder.level(for: before), added: adding)
        let step = (level > 0 && !changed.isEmpty) ? ladder.steps[level - 1] : nil
        return EscalationOutcome(state: state, records: changed, step: step)
    }
}
