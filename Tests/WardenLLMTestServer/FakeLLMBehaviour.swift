import Foundation

/// What the fake server does with one request. Queued with ``FakeLLMServer/enqueue(_:)`` or returned by
/// the fallback responder.
public indirect enum FakeLLMBehaviour: Sendable {
    /// 200 chat.completion with `choices[0].message.content` = content (a JSON string usually), finish_reason,
    /// optional refusal (content null then), usage {prompt_tokens, completion_tokens, total_tokens}, header x-request-id.
    case chat(content: String?, finishReason: String = "stop", refusal: String? = nil, promptTokens: Int = 12, completionTokens: Int = 7, requestID: String = "req_fake")
    /// 200 with one embedding per vector, in order (`{"object":"list","data":[...],...}`).
    case embeddings([[Double]])
    /// Any status with a JSON body (OpenAI error shape `{"error":{"message","type","code"}}` when you build one) and extra headers.
    case status(Int, body: String, headers: [(name: String, value: String)] = [])
    /// 429 `rate_limit_exceeded` with optional `retry-after` and `retry-after-ms` headers.
    case rateLimited(retryAfter: String? = nil, retryAfterMs: String? = nil)
    /// 429 whose error code is `insufficient_quota` (must not be retried by clients).
    case insufficientQuota
    /// A 5xx (or any status) with OpenAI's `server_error` body.
    case serverError(Int = 500)
    /// Waits (on the event loop's scheduler, no thread blocked) then behaves as the inner behaviour.
    case delayed(Duration, FakeLLMBehaviour)
    /// Holds the answer back until ``FakeLLMServer/releaseHeld()`` or, as a safety valve, until the timeout
    /// passes; then behaves as the inner behaviour. Lets a test prove a caller did not wait for an answer
    /// without betting on wall-clock time.
    case held(timeout: Duration, FakeLLMBehaviour)
    /// Closes the connection without any response.
    case drop
    /// Sends a 200 whose Content-Length announces the whole body but only the first half is written, then closes.
    case truncated(String)
    /// 200 with this exact body text (e.g. malformed JSON) and content-type application/json.
    case rawBody(String)
}

/// One request as the fake server received it (body fully aggregated).
public struct RecordedRequest: Sendable {
    public let method: String, path: String
    /// Header names as the client sent them, in order.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    public init(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The path without its query string.
    var route: Substring {
        path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(path)
    }

    /// The body parsed as a JSON object, or nil.
    var jsonObject: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The `messages` array's contents as sent (for chat requests): role + the text parts joined.
    /// String content is taken as is; for an array of parts, the `text` of each `{"type":"text"}` part,
    /// joined with a newline. Empty when the body is not a chat request.
    public var chatMessages: [(role: String, text: String)] {
        guard let messages = jsonObject?["messages"] as? [Any] else { return [] }
        return messages.compactMap { element in
            guard let message = element as? [String: Any] else { return nil }
            let role = message["role"] as? String ?? ""
            return (role: role, text: Self.text(ofContent: message["content"]))
        }
    }

    static func text(ofContent content: Any?) -> String {
        if let string = content as? String { return string }
        guard let parts = content as? [Any] else { return "" }
        return parts.compactMap { part -> String? in
            guard let part = part as? [String: Any], part["type"] as? String == "text" else { return nil }
            return part["text"] as? String
        }.joined(separator: "\n")
    }
}
