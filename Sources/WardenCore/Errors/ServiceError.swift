/// An error a client of Warden can be shown: it knows its HTTP status and its stable code, so the HTTP
/// layer answers `{"error": {"code", "message"}}` without a table of every module's errors, and the CLI
/// prints the same message.
///
/// Each module makes its own errors conform, next to their definition.
public protocol ServiceError: Error, Sendable {
    /// The HTTP status this error is answered with (404, 409, 422, 503, ...).
    var httpStatus: Int { get }
    /// Stable and machine-readable (`not_found`, `invalid_setting`, ...).
    var code: String { get }
    /// For a person: what was wrong and where.
    var message: String { get }
    /// Seconds after which sending the same request again may succeed (the store is unavailable or busy):
    /// the HTTP layer writes it as `Retry-After`. Nil for errors that sending again does not cure.
    var retryAfter: Int? { get }
}

extension ServiceError {
    /// Most errors are not cured by waiting.
    public var retryAfter: Int? { nil }
}

extension ServiceError where Self: CustomStringConvertible {
    /// Most errors already describe themselves for people.
    public var message: String { description }
}
