/// What an LLM call is for. Each task can use its own model (`WARDEN_LLM_MODEL_<TASK>`).
public enum LLMTask: String, Sendable, CaseIterable, Codable {
    case automod, summary, vision, embeddings

    /// The environment variable that overrides the model for this task.
    public var modelVariable: String { "WARDEN_LLM_MODEL_\(rawValue.uppercased())" }
}
