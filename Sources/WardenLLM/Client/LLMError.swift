/// Why an LLM call gave no usable answer. Carries what the provider said (status, message, code,
/// request id) so an operator can act on it, and whether the model answered at all (quota refunds).
public struct LLMError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No provider, or no model for the task.
        case notConfigured = "not_configured"
        /// The provider cannot do what was asked (e.g. images on a text-only preset).
        case unsupported
        /// No HTTP response: connection refused or dropped, timeout, broken response.
        case transport
        /// The provider answered with an error status.
        case http
        /// 429 rate limiting that retries did not outlast.
        case rateLimited = "rate_limited"
        /// 429 `insufficient_quota`: the provider account is out of credit. Never retried.
        case providerQuotaExhausted = "provider_quota_exhausted"
        /// The model refused, or a content filter stopped it.
        case refused
        /// `finish_reason: length`: the answer was cut off.
        case truncated
        /// A 200 whose body is not a chat completion.
        case malformedResponse = "malformed_response"
        /// The answer is not JSON, or not JSON of the schema.
        case schemaViolation = "schema_violation"
        /// The circuit breaker is open after repeated failures.
        case circuitOpen = "circuit_open"
        /// The call's overall deadline passed.
        case deadlineExceeded = "deadline_exceeded"
        case cancelled
    }

    public var kind: Kind
    public var message: String
    public var status: Int?
    public var providerMessage: String?
    public var providerCode: String?
    public var requestID: String?
    public var attempts: Int

    public init(_ kind: Kind, _ message: String, status: Int? = nil, providerMessage: String? = nil,
                providerCode: String? = nil, requestID: String? = nil, attempts: Int = 0) {
        self.kind = kind; self.message = message; self.status = status; self.providerMessage = providerMessage
        self.providerCode = providerCode; self.requestID = requestID; self.attempts = attempts
    }

    /// Whether the model produced an answer (tokens were spent). A call without one is refunded.
    public var modelAnswered: Bool {
        switch kind {
        case .refused, .truncated, .schemaViolation: true
        default: false
        }
    }

    /// Whether the provider is unreachable or failing (as opposed to a bad request or a bad answer):
    /// the case a guild's outage policy (fail open or to review) is about.
    public var isOutage: Bool {
        switch kind {
        case .transport, .http, .rateLimited, .providerQuotaExhausted, .circuitOpen, .deadlineExceeded, .malformedResponse: true
        default: false
        }
    }

    /// The failure without anything the provider or the model wrote: kind, status, code, request id.
    /// Safe for decisions, events and logs, where a model echoing the member's message must not land.
    public var summary: String {
        var text = kind.rawValue
        if let status { text += " (HTTP \(status)" + (providerCode.map { ", \($0)" } ?? "") + ")" }
        if let requestID { text += " [request \(requestID)]" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text
    }

    public var description: String {
        var text = "\(kind.rawValue): \(message)"
        if let status { text += " (HTTP \(status)" + (providerCode.map { ", \($0)" } ?? "") + ")" }
        if let providerMessage { text += ": provider says \"\(providerMessage)\"" }
        if let requestID { text += " [request \(requestID)]" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text
    }
}
