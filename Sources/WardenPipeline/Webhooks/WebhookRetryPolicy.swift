import Foundation

/// What happens after one delivery attempt: done, try again later, or give up (dead letter).
///
/// Retried: 5xx, 408, 425 and 429 answers, timeouts and connection errors, after an exponential backoff with
/// jitter (at most `maxBackoff`), or after the receiver's `Retry-After` when that is later. Given up at once:
/// any other answer outside 2xx (the receiver refused this delivery: a wrong URL, a failed signature check)
/// and a request that cannot be made at all (a URL libcurl refuses), since sending it again will not change
/// that; and any failure once the retry window (24 hours by default) since the first failure is over. Pure:
/// the caller supplies the clock and the randomness.
public struct WebhookRetryPolicy: Sendable, Equatable {
    /// Backoff after the first failure; doubles per failed attempt.
    public var baseBackoff: TimeInterval = 10
    /// The longest backoff between two attempts (a `Retry-After` may ask for longer, up to the window's end).
    public var maxBackoff: TimeInterval = 3_600
    /// How long after its first failure a delivery is still retried.
    public var retryWindow: TimeInterval = 86_400
    /// Each backoff is spread by up to this fraction either way, so receivers coming back are not hit by every
    /// sender at once.
    public var jitter: Double = 0.2

    public init() {}

    /// How one attempt ended.
    public enum Attempt: Sendable, Equatable {
        /// An HTTP answer, with its `Retry-After` in seconds when it had a usable one.
        case answered(status: Int, retryAfter: TimeInterval?)
        /// No answer: timeout, refused or reset connection, broken response.
        case failed
        /// The request could not be made (its URL is unusable): no attempt will do better.
        case unusable
    }

    /// What to do next.
    public enum Next: Sendable, Equatable {
        case delivered
        case retry(at: Date)
        case dead
    }

    /// The next step after `attempt`, the delivery's `attempts`-th (1 for the first), whose first failure was
    /// at `firstFailedAt` (nil when this is its first failure). `unit` is a random number in 0..<1.
    public func next(after attempt: Attempt, attempts: Int, firstFailedAt: Date?, now: Date, unit: Double) -> Next {
        var retryAfter: TimeInterval?
        switch attempt {
        case .answered(let status, let after):
            if (200..<300).contains(status) { return .delivered }
            guard Self.retried(status) else { return .dead }
            retryAfter = after
        case .failed:
            break
        case .unusable:
            return .dead
        }
        let windowEnd = (firstFailedAt ?? now).addingTimeInterval(retryWindow)
        guard now < windowEnd else { return .dead }
        let exponent = Double(min(max(attempts - 1, 0), 40))
        let backoff = min(maxBackoff, baseBackoff * pow(2, exponent))
        let spread = min(maxBackoff, backoff * (1 + jitter * (2 * min(max(unit, 0), 1) - 1)))
        let wait = max(spread, min(retryAfter ?? 0, retryWindow))
        // The last attempt is made at the window's end, not skipped.
        return .retry(at: min(now.addingTimeInterval(wait), windowEnd))
    }

    /// Answers that are worth sending again.
    public static func retried(_ status: Int) -> Bool {
        status >= 500 || status == 408 || status == 425 || status == 429
    }

    /// A `Retry-After` header: delay-seconds, or an HTTP date (seconds from `now`, at least 0); nil when unusable.
    public static func retryAfter(_ value: String?, now: Date) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return seconds >= 0 ? TimeInterval(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
