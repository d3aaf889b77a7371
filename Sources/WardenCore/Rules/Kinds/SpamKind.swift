extension RuleType {
    /// Per-member counts over a sliding window, or one message's own counts.
    public static let spam = RuleType(registered: "spam")
}

/// `spam`: one detector of the table in `SpamDetector.swift` against a threshold, over a window for the
/// windowed detectors, per member or per member and channel.
public struct SpamKind: RuleKind {
    public static let type = RuleType.spam

    public var detector: String?
    public var threshold: Int?
    public var windowSeconds: Double?
    public var scope: String?

    public init() {}
    public init(detector: SpamDetector, threshold: Int, windowSeconds: Double? = nil, scope: SpamScope? = nil) {
        self.detector = detector.rawValue; self.threshold = threshold; self.windowSeconds = windowSeconds
        self.scope = scope?.rawValue
    }

    enum CodingKeys: String, CodingKey {
        case detector, threshold, window, windowSeconds = "window_seconds", scope
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        detector = try c.decodeIfPresent(String.self, forKey: .detector)
        threshold = try c.decodeIfPresent(Int.self, forKey: .threshold)
        windowSeconds = try c.decodeDuration(Double.self, seconds: .windowSeconds, text: .window, examples: "10s, 1m") { $0 }
        scope = try c.decodeIfPresent(String.self, forKey: .scope)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(detector, forKey: .detector)
        try c.encodeIfPresent(threshold, forKey: .threshold)
        try c.encodeIfPresent(windowSeconds, forKey: .windowSeconds)
        try c.encodeIfPresent(scope, forKey: .scope)
    }

    public func problems() -> [RuleKindProblem] {
        var out: [RuleKindProblem] = []
        guard let name = self.detector, let detector = SpamDetector(rawValue: name) else {
            out.append(.init("detector", "must be one of \(SpamDetector.allCases.map(\.rawValue).joined(separator: ", ")); got \(self.detector.map { "'\($0)'" } ?? "nothing")"))
            return out
        }
        let spec = detector.spec
        let threshold = self.threshold ?? 0
        if threshold < 1 { out.append(.init("threshold", "must be a positive integer")) }
        else if threshold > spec.thresholds.upperBound {
            out.append(.init("threshold", "must be between \(spec.thresholds.lowerBound) and \(spec.thresholds.upperBound) for the \(name) detector"))
        }
        if !detector.isPerMessage {
            guard let window = windowSeconds else {
                out.append(.init("window", "the \(name) detector needs a window (e.g. 10s)"))
                return out
            }
            if window <= 0 || window > 86_400 { out.append(.init("window", "must be between 1s and 1d")) }
        }
        if let scope, SpamScope(rawValue: scope) == nil { out.append(.init("scope", "must be user or channel, got '\(scope)'")) }
        return out
    }

    public func compile(_ rule: RuleSetBuilder.Rule, into builder: inout RuleSetBuilder) {
        guard let detector = self.detector.flatMap(SpamDetector.init(rawValue:)) else { return }
        builder.addSpamRule(SpamRule(id: rule.index, detector: detector, threshold: threshold ?? 1,
                                     windowSeconds: windowSeconds ?? 0, scope: scope.flatMap(SpamScope.init(rawValue:)) ?? .user))
        // Link and invite counts come from the links view; duplicates compare the skeleton.
        builder.build([.links, .skeleton])
    }

    /// The match for a spam hit of `rule`: the detector, the count and, for windowed detectors, the window.
    static func match(_ hit: SpamHit, of rule: CompiledRule) -> RuleMatch {
        RuleMatch(rule: rule.name, ruleID: rule.id, type: type, stage: .spam,
                  evidence: Evidence(detector: hit.detector.rawValue, observed: hit.observed, threshold: hit.threshold,
                                     windowSeconds: hit.detector.isPerMessage ? nil : hit.windowSeconds),
                  action: rule.definition.effectiveAction)
    }
}
