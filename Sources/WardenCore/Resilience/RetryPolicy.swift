import Foundation

/// How one attempt of a call to a provider ended, as far as retrying is concerned.
public enum CallOutcome: Sendable, Equatable {
    /// No HTTP response: a connection error, or a timeout when `timedOut`.
    case transport(timedOut: Bool)
    /// An HTTP response that is not a success. `errorCode` is `error.code` (or `error.type`) from the body,
    /// e.g. `insufficient_quota`, when there was one.
    case http(status: Int, errorCode: String?)
}

/// What to do after a failed attempt.
public enum RetryDecision: Sendable, Equatable {
    /// Try again after this delay.
    case retry(after: Duration)
    /// Stop; `reason` says why, for the error the caller reports.
    case giveUp(reason: String)
}

/// When and how soon to retry a failed call: transport failures, 408, 409, 429 and 5xx are retried with
/// capped exponential backoff and full jitter, or after the server's `Retry-After` hint; requests the
/// server rejected as such (400, 401, 403, 404, 422, other 4xx) and `insufficient_quota` are not, because
/// sending them again cannot succeed. Pure: the jitter and the time left are passed in.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts, the first included. 1 disables retries.
    public var maxAttempts: Int
    /// The backoff before the second attempt (before jitter); it doubles for each later one.
    public var baseDelay: Duration
    /// The cap of the exponential backoff (before jitter).
    public var maxDelay: Duration
    /// The longest `Retry-After` honoured. A server asking for more is treated as "not now": give up
    /// rather than hold the caller (and a concurrency slot) that long.
    public var retryAfterCap: Duration

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(20),
                retryAfterCap: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryAfterCap = retryAfterCap
    }

    /// Decides after a failed attempt.
    /// - Parameters:
    ///   - attempt: the attempt that just failed, 1-based.
    ///   - retryAfter: the server's hint (see `RetryAfter.parse`), if any; it replaces the backoff.
    ///   - remaining: time left before the caller's deadline; nil for no deadline. A delay that would use it
    ///     all (no time left for the attempt itself) gives up.
    ///   - jitter: a random value in 0..<1; the backoff is `jitter` times the capped exponential delay
    ///     ("full jitter", which spreads out clients that failed together). Values outside are clamped.
    public func decide(_ outcome: CallOutcome, attempt: Int, retryAfter: Duration?, remaining: Duration?, jitter: Double) -> RetryDecision {
        let what = Self.describe(outcome)
        if let reason = Self.notRetryable(outcome) { return .giveUp(reason: reason) }
        guard attempt < maxAttempts else {
            return .giveUp(reason: "\(what) on attempt \(attempt) of \(maxAttempts); no attempts left")
        }
        let delay: Duration
        if let hint = retryAfter {
            let hint = max(hint, .zero)
            if hint > retryAfterCap {
                return .giveUp(reason: "\(what): the server asked to retry after \(Self.format(hint)), longer than the \(Self.format(retryAfterCap)) cap")
            }
            delay = hint
        } else {
            // 2^(attempt-1) overflows nothing in Double; the cap applies before the jitter.
            let exponent = Double(min(max(attempt - 1, 0), 1_000))
            let backoff = min(Self.seconds(baseDelay) * pow(2, exponent), Self.seconds(maxDelay))
            let factor = jitter.isNaN ? 1 : min(max(jitter, 0), 1)
            delay = .seconds(max(0, backoff * factor))
        }
        if let remaining, delay >= remaining {
            return .giveUp(reason: "\(what): deadline: waiting \(Self.format(delay)) before the next attempt would leave no time "
                           + "(\(Self.format(max(remaining, .zero))) left)")
        }
        return .retry(after: delay)
    }

    /// Why the outcome is final, or nil when it is worth another attempt.
    static func notRetryable(_ outcome: CallOutcome) -> String? {
        guard case .http(let status, let code) = outcome else { return nil }
        if code == "insufficient_quota" {
            return "HTTP \(status) insufficient_quota: the provider account is out of credit; retrying cannot help"
        }
        switch status {
        case 408, 409, 429, 500...599: return nil
        case 401: return "HTTP 401: the provider refused the API key"
        case 403: return "HTTP 403: the provider refused access to this model or endpoint"
        case 400...499: return "HTTP \(status): the provider rejected the request itself; sending it again cannot succeed"
        default: return "HTTP \(status) is not a retryable failure"
        }
    }

    static func describe(_ outcome: CallOutcome) -> String {
        switch outcome {
        case .transport(let timedOut): return timedOut ? "timed out" : "connection failed"
        case .http(let status, let code): return "HTTP \(status)" + (code.map { " \($0)" } ?? "")
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func format(_ d: Duration) -> String {
        let s = seconds(d)
        return s < 10 ? String(format: "%.3gs", s) : String(format: "%.0fs", s)
    }
}

/// Parses the servers' "retry later" hints.
public enum RetryAfter {
    /// The longest hint returned; anything longer is clamped here (a policy's cap rejects it anyway), which
    /// keeps absurd values from overflowing `Duration`.
    static let ceiling = 100_000_000_000.0

    /// The delay a response asks for.
    /// - `retry-after-ms` (OpenAI, Azure): milliseconds, possibly fractional. Preferred when present and
    ///   well-formed; when malformed, `retry-after` is used instead.
    /// - `retry-after`: delta-seconds (fractional accepted) or an HTTP-date in IMF-fixdate
    ///   (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) or asctime
    ///   (`Sun Nov  6 08:49:37 1994`) form, taken relative to `now`; a date in the past gives zero.
    /// - Returns: nil when neither header is present and well-formed (negative numbers are malformed).
    public static func parse(retryAfter: String?, retryAfterMs: String?, now: Date) -> Duration? {
        if let ms = retryAfterMs.flatMap(decimal) {
            return duration(seconds: ms / 1000)
        }
        guard let text = retryAfter?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = decimal(text) { return duration(seconds: seconds) }
        guard let date = httpDate(text, now: now) else { return nil }
        return duration(seconds: date.timeIntervalSince(now))
    }

    /// Whole microseconds (so `12.5` ms is exactly 12 500 µs, not a binary fraction of a second), clamped
    /// to 0...ceiling.
    private static func duration(seconds: Double) -> Duration {
        let clamped = seconds.isNaN ? 0 : min(max(seconds, 0), ceiling)
        return .microseconds(Int64((clamped * 1_000_000).rounded()))
    }

    /// `DIGITS` or `DIGITS.DIGITS`, nothing else (no sign, exponent, `inf` or `nan`, which `Double(_:)` accepts).
    static func decimal(_ raw: String) -> Double? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        var sawDigit = false, sawDot = false, digitsAfterDot = 0
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigit = true
                if sawDot { digitsAfterDot += 1 }
            case UInt8(ascii: ".") where !sawDot && sawDigit:
                sawDot = true
            default:
                return nil
            }
        }
        guard sawDigit, !sawDot || digitsAfterDot > 0, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let shortDays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let longDays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// The three HTTP-date forms RFC 9110 requires recipients to accept, all in GMT. The weekday name is
    /// checked for form, not against the date (senders get it wrong and it carries nothing).
    static func httpDate(_ text: String, now: Date) -> Date? {
        let tokens = text.split(separator: " ").map { String($0) }
        switch tokens.count {
        case 6:  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            guard tokens[0].hasSuffix(","), shortDays.contains(tokens[0].dropLast().lowercased()),
                  tokens[5] == "GMT", let day = digits(tokens[1], 2...2),
                  let month = month(tokens[2]), let year = digits(tokens[3], 4...4),
                  let time = clock(tokens[4])
            else { return nil }
            return date(year: year, month: month, day: day, time: time)
        case 4:  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let parts = tokens[1].split(separator: "-", omittingEmptySubsequences: false).map { String($0) }
            guard tokens[0].hasSuffix(","), longDays.contains(tokens[0].dropLast().lowercased()),
                  tokens[3] == "GMT", parts.count == 3, let day = digits(parts[0], 2...2),
                  let month = month(parts[1]), let yy = digits(parts[2], 2...2),
                  let time = clock(tokens[2])
            else { return nil }
            return date(year: fullYear(twoDigits: yy, now: now), month: month, day: day, time: time)
        case 5:  // asctime: Sun Nov  6 08:49:37 1994 (the day is space-padded, so the split drops an empty token)
            guard shortDays.contains(tokens[0].lowercased()), let month = month(tokens[1]),
                  let day = digits(tokens[2], 1...2),
                  let time = clock(tokens[3]), let year = digits(tokens[4], 4...4)
            else { return nil }
            return date(year: year, month: month, day: day, time: time)
        default:
            return nil
        }
    }

    /// A number written with only ASCII digits (no sign), `width` of them.
    private static func digits(_ text: String, _ width: ClosedRange<Int>) -> Int? {
        guard width.contains(text.utf8.count), text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(text)
    }

    private static func month(_ name: String) -> Int? {
        guard name.count == 3, let i = months.firstIndex(of: name.lowercased()) else { return nil }
        return i + 1
    }

    /// `HH:MM:SS` as seconds of the day (a leap second 60 is accepted).
    private static func clock(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { String($0) }
        guard parts.count == 3,
              let h = digits(parts[0], 2...2), let m = digits(parts[1], 2...2), let s = digits(parts[2], 2...2),
              (0..<24).contains(h), (0..<60).contains(m), (0...60).contains(s)
        else { return nil }
        return h * 3600 + m * 60 + s
    }

    /// RFC 9110: a two-digit year is the next year with those digits, unless that is more than 50 years in
    /// the future; then it is the most recent past year with those digits.
    private static func fullYear(twoDigits yy: Int, now: Date) -> Int {
        let current = civilYear(now)
        var year = current - current % 100 + yy
        if year < current { year += 100 }
        if year > current + 50 { year -= 100 }
        return year
    }

    private static func date(year: Int, month: Int, day: Int, time: Int) -> Date? {
        guard (1...9999).contains(year), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        let days = CivilDays.from(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + time))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func civilYear(_ date: Date) -> Int {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 2.5e11 else { return 2000 }
        let days = Int((seconds / 86_400).rounded(.down))
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return yoe + era * 400 + (month <= 2 ? 1 : 0)
    }
}
