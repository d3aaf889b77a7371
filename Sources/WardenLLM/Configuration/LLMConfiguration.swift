import Foundation
import WardenCore

/// Why the LLM settings in the environment cannot be used. Names the variable and what was wrong.
public struct LLMConfigurationError: Error, Sendable, CustomStringConvertible {
    public var variable: String
    public var reason: String
    public var description: String { "\(variable): \(reason)" }
}

/// Where and how to reach the model provider. Built from the environment by `fromEnvironment`; the API
/// key is kept out of `description` so the configuration can be logged.
public struct LLMConfiguration: Sendable, CustomStringConvertible {
    /// Base URL of the OpenAI-compatible API, without a trailing slash (e.g. `https://api.openai.com/v1`).
    public var baseURL: String
    public var apiKey: String?
    public var preset: ProviderPreset
    /// The model per task; tasks without one fall back to `defaultModel`, then to the preset's default.
    public var models: [LLMTask: String]
    public var defaultModel: String?
    /// Limit for one HTTP attempt.
    public var requestTimeout: Duration
    public var connectTimeout: Duration
    /// Overall limit for one call, retries and backoff included.
    public var callDeadline: Duration
    /// Calls in flight at once; more wait their turn.
    public var concurrency: Int
    public var retry: RetryPolicy
    public var breaker: CircuitBreaker.Configuration
    public var maxTokens: Int

    public init(baseURL: String, apiKey: String? = nil, preset: ProviderPreset = .generic, models: [LLMTask: String] = [:],
                defaultModel: String? = nil, requestTimeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(5),
                callDeadline: Duration = .seconds(60), concurrency: Int = 64, retry: RetryPolicy = RetryPolicy(),
                breaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration(), maxTokens: Int = 512) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base; self.apiKey = apiKey; self.preset = preset; self.models = models; self.defaultModel = defaultModel
        self.requestTimeout = requestTimeout; self.connectTimeout = connectTimeout; self.callDeadline = callDeadline
        self.concurrency = concurrency; self.retry = retry; self.breaker = breaker; self.maxTokens = maxTokens
    }

    /// The model for a task, or nil when none is configured anywhere.
    public func model(for task: LLMTask) -> String? {
        models[task] ?? defaultModel ?? preset.defaultModels[task]
    }

    public var description: String {
        let modelText = LLMTask.allCases.map { "\($0.rawValue)=\(model(for: $0) ?? "-")" }.joined(separator: " ")
        return "\(preset.name) at \(baseURL), key \(apiKey == nil ? "none" : "set"), models \(modelText)"
    }

    /// The variables `fromEnvironment` reads, for help texts and the README.
    public static let variables = [
        "WARDEN_LLM_BASE_URL", "WARDEN_LLM_API_KEY", "WARDEN_LLM_API_KEY_FILE", "WARDEN_LLM_PROVIDER", "WARDEN_LLM_MODEL",
    ] + LLMTask.allCases.map(\.modelVariable) + [
        "WARDEN_LLM_TIMEOUT_MS", "WARDEN_LLM_CONNECT_TIMEOUT_MS", "WARDEN_LLM_DEADLINE_MS", "WARDEN_LLM_CONCURRENCY",
        "WARDEN_LLM_MAX_ATTEMPTS", "WARDEN_LLM_STRUCTURED_OUTPUT", "WARDEN_LLM_VISION",
    ]

    /// Reads the configuration from environment variables. Returns nil when `WARDEN_LLM_BASE_URL` is unset
    /// or empty (the LLM is off); throws when a variable is set but unusable.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment)
        throws(LLMConfigurationError) -> LLMConfiguration? {
        func value(_ name: String) -> String? {
            guard let v = env[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        func milliseconds(_ name: String) throws(LLMConfigurationError) -> Duration? {
            guard let text = value(name) else { return nil }
            guard let ms = Int(text), ms > 0, ms <= 3_600_000 else {
                throw LLMConfigurationError(variable: name, reason: "must be a whole number of milliseconds between 1 and 3600000, got '\(text)'")
            }
            return .milliseconds(ms)
        }
        func count(_ name: String, _ range: ClosedRange<Int>) throws(LLMConfigurationError) -> Int? {
            guard let text = value(name) else { return nil }
            guard let n = Int(text), range.contains(n) else {
                throw LLMConfigurationError(variable: name, reason: "must be a whole number between \(range.lowerBound) and \(range.upperBound), got '\(text)'")
            }
            return n
        }

        guard let base = value("WARDEN_LLM_BASE_URL") else { return nil }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else {
            throw LLMConfigurationError(variable: "WARDEN_LLM_BASE_URL", reason: "must be an http:// or https:// URL such as http://127.0.0.1:11434/v1, got '\(base)'")
        }
        var preset = ProviderPreset.inferred(fromBaseURL: base)
        if let name = value("WARDEN_LLM_PROVIDER") {
            guard let named = ProviderPreset.named(name) else {
                throw LLMConfigurationError(variable: "WARDEN_LLM_PROVIDER", reason: "unknown provider '\(name)' (expected one of \(ProviderPreset.all.map(\.name).joined(separator: ", ")))")
            }
            preset = named
        }
        if let mode = value("WARDEN_LLM_STRUCTURED_OUTPUT") {
            guard let parsed = ProviderPreset.StructuredOutput(rawValue: mode) else {
                throw LLMConfigurationError(variable: "WARDEN_LLM_STRUCTURED_OUTPUT", reason: "expected one of \(ProviderPreset.StructuredOutput.allCases.map(\.rawValue).joined(separator: ", ")), got '\(mode)'")
            }
            preset.structuredOutput = parsed
        }
        if let vision = value("WARDEN_LLM_VISION") {
            switch vision.lowercased() {
            case "1", "true", "yes", "on": preset.supportsVision = true
            case "0", "false", "no", "off": preset.supportsVision = false
            default: throw LLMConfigurationError(variable: "WARDEN_LLM_VISION", reason: "expected true or false, got '\(vision)'")
            }
        }

        var key = value("WARDEN_LLM_API_KEY")
        if key == nil, let path = value("WARDEN_LLM_API_KEY_FILE") {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw LLMConfigurationError(variable: "WARDEN_LLM_API_KEY_FILE", reason: "cannot read \(path)")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw LLMConfigurationError(variable: "WARDEN_LLM_API_KEY_FILE", reason: "\(path) is empty") }
            key = trimmed
        }
        if let key, key.contains(where: { $0.isNewline }) {
            throw LLMConfigurationError(variable: "WARDEN_LLM_API_KEY", reason: "contains a line break")
        }
        if preset.requiresAPIKey && key == nil {
            throw LLMConfigurationError(variable: "WARDEN_LLM_API_KEY", reason: "the \(preset.name) provider needs an API key (set WARDEN_LLM_API_KEY or WARDEN_LLM_API_KEY_FILE)")
        }

        var models: [LLMTask: String] = [:]
        for task in LLMTask.allCases { if let m = value(task.modelVariable) { models[task] = m } }
        var config = LLMConfiguration(baseURL: base, apiKey: key, preset: preset, models: models, defaultModel: value("WARDEN_LLM_MODEL"))
        if let t = try milliseconds("WARDEN_LLM_TIMEOUT_MS") { config.requestTimeout = t }
        if let t = try milliseconds("WARDEN_LLM_CONNECT_TIMEOUT_MS") { config.connectTimeout = t }
        if let t = try milliseconds("WARDEN_LLM_DEADLINE_MS") { config.callDeadline = t }
        if let n = try count("WARDEN_LLM_CONCURRENCY", 1...4096) { config.concurrency = n }
        if let n = try count("WARDEN_LLM_MAX_ATTEMPTS", 1...10) { config.retry.maxAttempts = n }
        if config.model(for: .automod) == nil {
            throw LLMConfigurationError(variable: "WARDEN_LLM_MODEL", reason: "no model is configured for \(preset.name) at \(base) (set WARDEN_LLM_MODEL, or \(LLMTask.automod.modelVariable) for automod)")
        }
        return config
    }
}
