import WardenCore

extension StoreError: ServiceError {
    /// A busy or unavailable store is nobody's fault: 503, and the client sends again (re-deliveries are
    /// idempotent). Text the store refuses is the client's: 400. Everything else is the server's.
    public var httpStatus: Int {
        if isTransient { return 503 }
        if case .unstorableText = self { return 400 }
        return 500
    }

    public var code: String {
        if isRetryable || sqlState == "55P03" { return "store_busy" }
        if isUnavailable { return "store_unavailable" }
        if case .unstorableText = self { return "invalid_text" }
        return "store_error"
    }

    /// Never the statement or the URL: those stay in the server's log.
    public var message: String {
        if isRetryable || sqlState == "55P03" { return "the store was busy; send the request again" }
        if isUnavailable { return "the store is unavailable; send the request again in a moment (re-deliveries are idempotent)" }
        if case .unstorableText(let parameter, _) = self {
            return "a text holds a NUL character (U+0000, value $\(parameter) of the write); text may not contain C0 controls other than tab, line feed and carriage return; nothing was stored"
        }
        return "the store failed; see the server log"
    }

    /// One second: long enough for a restarting server or a competing writer, short enough not to pile up.
    public var retryAfter: Int? { isTransient ? 1 : nil }
}
