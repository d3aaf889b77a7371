import WardenCore

extension StoreError: ServiceError {
    /// A retryable failure (deadlock, serialisation) is the store being busy: the client may send again.
    public var httpStatus: Int { isRetryable ? 503 : 500 }

    public var code: String { isRetryable ? "store_busy" : "store_error" }

    /// Never the statement or the URL: those stay in the server's log.
    public var message: String {
        isRetryable ? "the store was busy; send the request again" : "the store failed; see the server log"
    }
}
