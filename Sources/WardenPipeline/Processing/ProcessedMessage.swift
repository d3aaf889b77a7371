import WardenCore

/// A decision and how it came about.
public struct ProcessedMessage: Sendable {
    public var decision: Decision
    /// The message had been processed before: this is the stored decision and nothing was changed.
    public var replayed: Bool
    /// Time spent in the in-memory stages, in milliseconds.
    public var evaluationMillis: Double
    /// The decision as JSON (the output contract), encoded once for the store and reused by callers.
    public var json: String
}
