import Foundation
import Testing
@testable import WardenCore

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()

    func decide(_ outcome: CallOutcome, attempt: Int = 1, retryAfter: Duration? = nil, remaining: Duration? = nil,
                jitter: Double = 1) -> RetryDecision {
        policy.decide(outcome, attempt: attempt, retryAfter: retryAfter, remaining: remaining, jitter: jitter)
    }

    func reason(_ decision: RetryDecision) -> String? {
        if case .giveUp(let reason) = decision { return reason }
        return nil
    }

    @Test func defaults() {
        #expect(policy.maxAttempts == 4)
        #expect(policy.baseDelay == .milliseconds(500))
        #expect(policy.maxDelay == .seconds(20))
        #expect(policy.retryAfterCap == .seconds(30))
    }

    @Test func retryableFailures() {
        for outcome: CallOutcome in [.transport(timedOut: true), .transport(timedOut: false),
                                     .http(status: 408, errorCode: nil), .http(status: 409, errorCode: nil),
                                     .http(status: 429, errorCode: "rate_limit_exceeded"), .http(status: 500, errorCode: nil),
                                     .http(status: 502, errorCode: nil), .http(status: 503, errorCode: "server_error"),
                                     .http(status: 504, errorCode: nil), .http(status: 599, errorCode: nil)] {
            #expect(decide(outcome) == .retry(after: .milliseconds(500)), "\(outcome)")
        }
    }

    @Test func finalFailures() {
        for status in [400, 401, 403, 404, 405, 413, 422, 451, 499, 200, 302, 600] {
            let decision = decide(.http(status: status, errorCode: nil))
            #expect(reason(decision)?.hasPrefix("HTTP \(status)") == true, "\(status): \(decision)")
        }
        #expect(reason(decide(.http(status: 401, errorCode: "invalid_api_key")))?.contains("API key") == true)
        // An account out of credit answers 429 too, but waiting does not help.
        let quota = reason(decide(.http(status: 429, errorCode: "insufficient_quota")))
        #expect(quota?.contains("insufficient_quota") == true)
        #expect(reason(decide(.http(status: 429, errorCode: "insufficient_quota"), retryAfter: .seconds(1))) != nil)
    }

    @Test func exponentialBackoffWithFullJitterAndCap() {
        #expect(decide(.transport(timedOut: true), attempt: 1) == .retry(after: .milliseconds(500)))
        #expect(decide(.transport(timedOut: true), attempt: 2) == .retry(after: .seconds(1)))
        #expect(decide(.transport(timedOut: true), attempt: 3) == .retry(after: .seconds(2)))
        #expect(decide(.transport(timedOut: true), attempt: 3, jitter: 0.25) == .retry(after: .milliseconds(500)))
        #expect(decide(.transport(timedOut: true), attempt: 3, jitter: 0) == .retry(after: .zero))
        // Out-of-range jitter is clamped.
        #expect(decide(.transport(timedOut: true), attempt: 2, jitter: 7) == .retry(after: .seconds(1)))
        #expect(decide(.transport(timedOut: true), attempt: 2, jitter: -1) == .retry(after: .zero))
        // The cap applies before the jitter.
        let many = RetryPolicy(maxAttempts: 100)
        #expect(many.decide(.http(status: 503, errorCode: nil), attempt: 9, retryAfter: nil, remaining: nil, jitter: 1) == .retry(after: .seconds(20)))
        #expect(many.decide(.http(status: 503, errorCode: nil), attempt: 60, retryAfter: nil, remaining: nil, jitter: 0.5) == .retry(after: .seconds(10)))
    }

    @Test func attemptsRunOut() {
        #expect(decide(.transport(timedOut: false), attempt: 3) == .retry(after: .seconds(2)))
        let last = reason(decide(.transport(timedOut: false), attempt: 4))
        #expect(last == "connection failed on attempt 4 of 4; no attempts left")
        #expect(reason(RetryPolicy(maxAttempts: 1).decide(.http(status: 500, errorCode: nil), attempt: 1, retryAfter: nil,
                                                            remaining: nil, jitter: 0.5)) != nil)
    }

    @Test func serverHintReplacesBackoffUpToTheCap() {
        #expect(decide(.http(status: 429, errorCode: nil), attempt: 1, retryAfter: .seconds(7), jitter: 0) == .retry(after: .seconds(7)))
        #expect(decide(.http(status: 503, errorCode: nil), attempt: 3, retryAfter: .milliseconds(20)) == .retry(after: .milliseconds(20)))
        #expect(decide(.http(status: 429, errorCode: nil), retryAfter: .seconds(30)) == .retry(after: .seconds(30)))
        let tooLong = reason(decide(.http(status: 429, errorCode: nil), retryAfter: .seconds(31)))
        #expect(tooLong == "HTTP 429: the server asked to retry after 31s, longer than the 30s cap")
    }

    @Test func theDeadlineWins() {
        #expect(decide(.http(status: 500, errorCode: nil), attempt: 2, remaining: .seconds(5)) == .retry(after: .seconds(1)))
        let backoff = reason(decide(.http(status: 500, errorCode: nil), attempt: 3, remaining: .milliseconds(1500)))
        #expect(backoff?.contains("deadline") == true)
        let hinted = reason(decide(.http(status: 429, errorCode: nil), retryAfter: .seconds(10), remaining: .seconds(9)))
        #expect(hinted?.contains("deadline") == true)
        // No time left at all: even an immediate retry is pointless.
        #expect(reason(decide(.transport(timedOut: true), remaining: .zero, jitter: 0))?.contains("deadline") == true)
        #expect(reason(decide(.transport(timedOut: true), remaining: .seconds(-1), jitter: 0))?.contains("deadline") == true)
    }
}

@Suite struct RetryAfterTests {
    /// Tue, 15 Nov 1994 08:12:31 GMT.
    let now = Date(timeIntervalSince1970: 784_887_151)

    func parse(_ retryAfter: String?, ms: String? = nil) -> Duration? {
        RetryAfter.parse(retryAfter: retryAfter, retryAfterMs: ms, now: now)
    }

    @Test func deltaSeconds() {
        #expect(parse("120") == .seconds(120))
        #expect(parse(" 0 ") == .zero)
        #expect(parse("1.5") == .milliseconds(1500))
        for bad in ["", "-1", "+3", "1e3", "inf", "nan", "0x10", "1.", ".5", "3 s", "١٢"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
        #expect(parse(nil) == nil)
    }

    @Test func millisecondsArePreferred() {
        #expect(parse("10", ms: "250") == .milliseconds(250))
        #expect(parse(nil, ms: "12.5") == .microseconds(12_500))
        #expect(parse(nil, ms: "0") == .zero)
        // A malformed ms header falls back to retry-after.
        #expect(parse("3", ms: "soon") == .seconds(3))
        #expect(parse(nil, ms: "-5") == nil)
    }

    @Test func httpDatesInAllThreeForms() {
        // 08:12:31 + 60 s.
        #expect(parse("Tue, 15 Nov 1994 08:13:31 GMT") == .seconds(60))
        #expect(parse("Tuesday, 15-Nov-94 08:13:31 GMT") == .seconds(60))
        #expect(parse("Tue Nov 15 08:13:31 1994") == .seconds(60))
        #expect(parse("Wed Nov 16 08:12:31 1994") == .seconds(86_400))
        #expect(parse("Tue Nov  1 08:12:31 1994") == .zero)  // space-padded day, in the past
    }

    @Test func aDateInThePastMeansNow() {
        #expect(parse("Sun, 06 Nov 1994 08:49:37 GMT") == .zero)
        #expect(parse("Thu, 01 Jan 1970 00:00:00 GMT") == .zero)
    }

    @Test func rfc850TwoDigitYearsFollowTheFiftyYearRule() {
        // From 1994, "44" is 2044 (50 years ahead), "45" is 1945, "95" is 1995 and "93" is 1993.
        #expect(parse("Friday, 01-Jan-44 00:00:00 GMT").map { $0 > .seconds(86_400 * 365 * 49) } == true)
        #expect(parse("Monday, 01-Jan-45 00:00:00 GMT") == .zero)
        #expect(parse("Sunday, 01-Jan-95 00:00:00 GMT").map { $0 < .seconds(86_400 * 365) } == true)
        #expect(parse("Friday, 01-Jan-93 00:00:00 GMT") == .zero)
    }

    @Test func malformedDatesAreRejected() {
        for bad in ["Tue, 15 Nov 1994 08:13:31 PST", "Tue, 31 Feb 1994 08:13:31 GMT", "Tue, 15 Foo 1994 08:13:31 GMT",
                    "Tue, 15 Nov 1994 25:13:31 GMT", "Tue, 15 Nov 1994 08:13 GMT", "15 Nov 1994 08:13:31 GMT",
                    "Tue 15 Nov 1994 08:13:31 GMT", "Tuesday, 15-Nov-1994 08:13:31 GMT", "Tue, +5 Nov 1994 08:13:31 GMT",
                    "Xyz, 15 Nov 1994 08:13:31 GMT", "tomorrow"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
    }

    @Test func hugeValuesDoNotOverflow() {
        #expect(parse("99999999999999999999999").map { $0 > .seconds(1_000_000) } == true)
        #expect(parse(nil, ms: "1" + String(repeating: "0", count: 40)) != nil)
    }
}
