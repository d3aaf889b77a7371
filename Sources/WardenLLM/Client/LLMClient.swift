import Foundation
import Synchronization
import WardenCore

/// The one way Warden talks to a model: chat completions (structured JSON, images) and embeddings on
/// any OpenAI-compatible server, with a concurrency limit, retries with backoff, `Retry-After`, a
/// circuit breaker and an overall deadline per call. The API key goes in the Authorization header only.
public final class LLMClient: Sendable {
    public let configuration: LLMConfiguration
    let transport: any HTTPTransport
    let breaker: CircuitBreaker
    let limiter: AsyncLimiter
    private let epoch = ContinuousClock.now
    private let jitter: @Sendable () -> Double
    private let counters = Mutex(LLMStatistics())

    /// - Parameters:
    ///   - transport: defaults to libcurl (`CurlTransport`) sized to the concurrency limit.
    ///   - jitter: the random source for backoff jitter, in 0..<1 (tests pass a constant).
    public init(configuration: LLMConfiguration, transport: (any HTTPTransport)? = nil,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.configuration = configuration
        self.transport = transport ?? CurlTransport(maxConnections: max(8, configuration.concurrency))
        self.breaker = CircuitBreaker(configuration: configuration.breaker)
        self.limiter = AsyncLimiter(limit: configuration.concurrency)
        self.jitter = jitter
    }

    /// The breaker's state now (`closed`, `open`, `half_open`), for health checks.
    public var circuitState: CircuitBreaker.State { breaker.state(now: secondsSinceStart()) }

    /// Calls, retries and failures so far.
    public var statistics: LLMStatistics { counters.withLock { $0 } }

    /// Calls waiting for a free slot under the concurrency limit.
    public var queued: Int { limiter.waiting }

    /// A chat completion. With `request.output`, the answer must be JSON of that schema (checked here even
    /// when the provider enforces it) and is returned parsed in `json`.
    public func chat(_ request: ChatRequest) async throws(LLMError) -> ChatResult {
        guard let model = configuration.model(for: request.task) else {
            throw LLMError(.notConfigured, "no model for the \(request.task.rawValue) task: set WARDEN_LLM_MODEL or \(request.task.modelVariable)")
        }
        if request.messages.contains(where: \.hasImage) && !configuration.preset.supportsVision {
            throw LLMError(.unsupported, "the \(configuration.preset.name) preset does not accept images; set WARDEN_LLM_VISION=true if this model does")
        }
        let body = ChatWireFormat.body(request, model: model, preset: configuration.preset,
                                       maxTokens: request.maxTokens ?? configuration.maxTokens)
        let started = ContinuousClock.now
        let (response, attempts) = try await exchange(path: "/chat/completions", body: body, deadline: request.deadline)
        let requestID = response.header("x-request-id") ?? response.header("request-id")
        guard let answer = ChatWireFormat.answer(response.body) else {
            count { $0.failures += 1 }
            throw LLMError(.malformedResponse, "HTTP \(response.status) body (\(response.body.count) bytes) is not a chat completion",
                           status: response.status, requestID: requestID, attempts: attempts)
        }
        if let refusal = answer.refusal {
            count { $0.failures += 1 }
            throw LLMError(.refused, "the model refused", providerMessage: refusal, requestID: requestID, attempts: attempts)
        }
        switch answer.finishReason {
        case "length":
            count { $0.failures += 1 }
            throw LLMError(.truncated, "the answer was cut off at the token limit (finish_reason length, \(answer.usage.completionTokens) tokens)",
                           requestID: requestID, attempts: attempts)
        case "content_filter":
            count { $0.failures += 1 }
            throw LLMError(.refused, "the provider's content filter stopped the answer", requestID: requestID, attempts: attempts)
        default:
            break
        }
        guard let content = answer.content else {
            count { $0.failures += 1 }
            throw LLMError(.malformedResponse, "the answer has no content", requestID: requestID, attempts: attempts)
        }
        var result = ChatResult(content: content, json: nil, model: answer.model, finishReason: answer.finishReason,
                                usage: answer.usage, requestID: requestID, attempts: attempts, latency: ContinuousClock.now - started)
        if let output = request.output {
            guard let json = ChatWireFormat.jsonContent(content) else {
                count { $0.failures += 1 }
                // No excerpt: the content may echo the member's message, which stays out of error texts and logs.
                throw LLMError(.schemaViolation, "the answer is not JSON (\(content.utf8.count) bytes)", requestID: requestID, attempts: attempts)
            }
            let violations = JSONSchema.validate(json, against: output.schema)
            guard violations.isEmpty else {
                count { $0.failures += 1 }
                throw LLMError(.schemaViolation, "the answer does not match the \(output.name) schema: "
                               + violations.prefix(3).map(\.description).joined(separator: "; "), requestID: requestID, attempts: attempts)
            }
            result.json = json
        }
        count { $0.succeeded += 1; $0.promptTokens += answer.usage.promptTokens; $0.completionTokens += answer.usage.completionTokens }
        return result
    }

    /// Embeddings for `inputs`, in input order.
    public func embeddings(_ inputs: [String], deadline: Duration? = nil) async throws(LLMError) -> [[Double]] {
        guard configuration.preset.supportsEmbeddings else {
            throw LLMError(.unsupported, "the \(configuration.preset.name) preset has no embeddings endpoint")
        }
        guard let model = configuration.model(for: .embeddings) else {
            throw LLMError(.notConfigured, "no embeddings model: set \(LLMTask.embeddings.modelVariable)")
        }
        if inputs.isEmpty { return [] }
        let (response, attempts) = try await exchange(path: "/embeddings", body: ChatWireFormat.embeddingsBody(inputs, model: model), deadline: deadline)
        guard let vectors = ChatWireFormat.embeddings(response.body, expected: inputs.count) else {
            count { $0.failures += 1 }
            throw LLMError(.malformedResponse, "the embeddings answer (\(response.body.count) bytes) does not hold \(inputs.count) vectors",
                           status: response.status, requestID: response.header("x-request-id"), attempts: attempts)
        }
        count { $0.succeeded += 1 }
        return vectors
    }

    /// POSTs `body` until a 2xx comes back, a failure is final, or the deadline passes.
    private func exchange(path: String, body: JSONValue, deadline: Duration?) async throws(LLMError) -> (HTTPResponse, Int) {
        let bytes = Array(body.encoded().utf8)
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let key = configuration.apiKey { headers.append(("Authorization", "Bearer " + key)) }
        let end = ContinuousClock.now + (deadline ?? configuration.callDeadline)
        count { $0.calls += 1 }

        var attempt = 0
        while true {
            attempt += 1
            // A free slot first (waiting for one counts against the deadline), then the breaker, so a
            // half-open trial is not held while queued.
            do {
                try await limiter.acquire()
            } catch {
                throw LLMError(.cancelled, "cancelled while waiting for a free LLM slot", attempts: attempt - 1)
            }
            let remaining = end - ContinuousClock.now
            if remaining <= .zero {
                limiter.release()
                count { $0.failures += 1 }
                throw LLMError(.deadlineExceeded, "no answer within the call deadline", attempts: attempt - 1)
            }
            let permit: CircuitBreaker.Permit
            do {
                permit = try breaker.acquire(now: secondsSinceStart())
            } catch {
                limiter.release()
                count { $0.failures += 1 }
                throw LLMError(.circuitOpen, "the circuit breaker for \(configuration.baseURL) is open: \(error)", attempts: attempt - 1)
            }
            let request = HTTPRequest(method: "POST", url: configuration.baseURL + path, headers: headers, body: bytes,
                                      timeout: min(configuration.requestTimeout, remaining),
                                      connectTimeout: min(configuration.connectTimeout, remaining))
            let outcome: CallOutcome
            var response: HTTPResponse?
            var transportFailure: TransportError?
            do {
                let r = try await transport.send(request)
                limiter.release()
                response = r
                outcome = .http(status: r.status, errorCode: (200..<300).contains(r.status) ? nil : ChatWireFormat.providerError(r.body).code)
            } catch {
                limiter.release()
                if error.kind == .cancelled {
                    breaker.cancel(permit, now: secondsSinceStart())
                    throw LLMError(.cancelled, "cancelled", attempts: attempt)
                }
                if error.kind == .invalidRequest {
                    breaker.cancel(permit, now: secondsSinceStart())
                    throw LLMError(.transport, "the request could not be sent: \(error.message)", attempts: attempt)
                }
                transportFailure = error
                outcome = .transport(timedOut: error.kind == .timeout)
            }

            if let response, (200..<300).contains(response.status) {
                breaker.record(permit, success: true, now: secondsSinceStart())
                return (response, attempt)
            }
            // Rate limits, server errors and network failures say the provider is struggling; a 400 does not.
            let providerFailure: Bool = switch outcome {
            case .transport: true
            case .http(let status, _): status == 429 || status == 408 || status >= 500
            }
            breaker.record(permit, success: !providerFailure, now: secondsSinceStart())

            let retryAfter = response.flatMap {
                RetryAfter.parse(retryAfter: $0.header("retry-after"), retryAfterMs: $0.header("retry-after-ms"), now: Date())
            }
            switch configuration.retry.decide(outcome, attempt: attempt, retryAfter: retryAfter,
                                              remaining: end - ContinuousClock.now, jitter: jitter()) {
            case .retry(let delay):
                count { $0.retries += 1 }
                do { try await Task.sleep(for: delay) } catch {
                    throw LLMError(.cancelled, "cancelled while waiting to retry", attempts: attempt)
                }
            case .giveUp(let reason):
                count { $0.failures += 1 }
                let deadlinePassed = ContinuousClock.now >= end
                throw Self.failure(response: response, transport: transportFailure, reason: reason, attempts: attempt, deadlinePassed: deadlinePassed)
            }
        }
    }

    static func failure(response: HTTPResponse?, transport: TransportError?, reason: String, attempts: Int,
                        deadlinePassed: Bool) -> LLMError {
        guard let response else {
            let detail = transport.map { "\($0)" } ?? "no response"
            // A timeout that used up the whole call deadline is the deadline's doing, not one slow attempt's.
            let kind: LLMError.Kind = transport?.kind == .timeout && deadlinePassed ? .deadlineExceeded : .transport
            return LLMError(kind, "\(detail); \(reason)", attempts: attempts)
        }
        let (message, code) = ChatWireFormat.providerError(response.body)
        let requestID = response.header("x-request-id") ?? response.header("request-id")
        let kind: LLMError.Kind = switch (response.status, code) {
        case (429, "insufficient_quota"): .providerQuotaExhausted
        case (429, _): .rateLimited
        default: .http
        }
        return LLMError(kind, reason, status: response.status, providerMessage: message, providerCode: code,
                        requestID: requestID, attempts: attempts)
    }

    private func secondsSinceStart() -> Double {
        let d = ContinuousClock.now - epoch
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private func count(_ update: (inout LLMStatistics) -> Void) { counters.withLock { update(&$0) } }
}

/// Counters of a client since it started.
public struct LLMStatistics: Sendable, Equatable {
    /// Calls started (each may make several attempts).
    public var calls = 0
    public var retries = 0
    public var succeeded = 0
    public var failures = 0
    public var promptTokens = 0
    public var completionTokens = 0
}
