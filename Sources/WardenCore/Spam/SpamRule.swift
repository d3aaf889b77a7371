import Foundation

/// One configured spam rule, compiled. `id` is opaque to the tracker and echoed in hits.
public struct SpamRule: Sendable, Equatable {
    /// Opaque to the tracker; echoed in `SpamHit.ruleID` so the caller can find its rule again.
    public var id: Int
    /// What is measured.
    public var detector: SpamDetector
    /// The count (or per-message value) at which the rule triggers. A threshold below 1 behaves as 1,
    /// so a misconfigured rule cannot fire on every clean message.
    public var threshold: Int
    /// Length of the sliding window in seconds; ignored by per-message detectors (`lines`, `characters`).
    public var windowSeconds: Double
    /// Whether the window is per member (`user`) or per member and channel (`channel`).
    public var scope: SpamScope

    /// Creates a compiled rule.
    public init(id: Int, detector: SpamDetector, threshold: Int, windowSeconds: Double, scope: SpamScope) {
        self.id = id
        self.detector = detector
        self.threshold = threshold
        self.windowSeconds = windowSeconds
        self.scope = scope
    }
}
