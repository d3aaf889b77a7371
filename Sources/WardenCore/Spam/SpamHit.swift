import Foundation

/// One spam rule that reached its threshold on a message.
public struct SpamHit: Sendable, Equatable {
    /// `SpamRule.id` of the rule that triggered.
    public var ruleID: Int
    public var detector: SpamDetector
    /// The count (or per-message value) that reached the threshold.
    public var observed: Int
    public var threshold: Int
    public var windowSeconds: Double

    public init(ruleID: Int, detector: SpamDetector, observed: Int, threshold: Int, windowSeconds: Double) {
        self.ruleID = ruleID
        self.detector = detector
        self.observed = observed
        self.threshold = threshold
        self.windowSeconds = windowSeconds
    }
}

/// The spam stage's answer for one message.
public struct SpamObservation: Sendable {
    /// Rules that triggered, in the order of the rules passed to `SpamTracker.observe`.
    public var hits: [SpamHit]
    /// True when this message id was already observed for this (guild,user): it was NOT counted again,
    /// and `hits` are recomputed from the current windows without adding it.
    public var redelivered: Bool

    public init(hits: [SpamHit], redelivered: Bool) {
        self.hits = hits
        self.redelivered = redelivered
    }
}
