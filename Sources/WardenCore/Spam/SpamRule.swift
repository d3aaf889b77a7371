import Foundation

/// One configured spam rule, compiled. `id` is opaque to the tracker and echoed in hits.
public struct SpamRule: Sendable, Equatable {
    /// Opaque to the tracker; echoed in `SpamHit.ruleID` so the caller can find its rule again.
    public var id: Int
    /// What is measured. Fixed at creation: the measure and slot below are read from it.
    public let detector: SpamDetector
    /// The count (or per-message value) at which the rule triggers. A threshold below 1 behaves as 1,
    /// so a misconfigured rule cannot fire on every clean message.
    public var threshold: Int
    /// Length of the sliding window in seconds; ignored by per-message detectors.
    public var windowSeconds: Double
    /// Whether the window is per member (`user`) or per member and channel (`channel`).
    public var scope: SpamScope
    /// The detector's measure and signal slot, copied from its table row so the tracker's loop reads two
    /// plain values instead of the table.
    let measure: SpamDetectorSpec.Measure
    let signal: Int

    /// Creates a compiled rule.
    public init(id: Int, detector: SpamDetector, threshold: Int, windowSeconds: Double, scope: SpamScope) {
        self.id = id
        self.detector = detector
        self.threshold = threshold
        self.windowSeconds = windowSeconds
        self.scope = scope
        let spec = detector.spec
        self.measure = spec.measure
        self.signal = spec.signal ?? 0
    }
}
