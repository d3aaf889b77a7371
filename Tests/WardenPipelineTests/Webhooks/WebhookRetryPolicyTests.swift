import Foundation
import Testing
import WardenPipeline

@Suite struct WebhookRetryPolicyTests {
    let policy = WebhookRetryPolicy()
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func wait(_ next: WebhookRetryPolicy.Next) -> TimeInterval? {
        if case .retry(let at) = next { return at.timeIntervalSince(now) }
        return nil
    }

    @Test func twoHundredsAreDeliveredAndRefusalsAreDeadAtOnce() {
        for status in [200, 201, 204, 299] {
            #expect(policy.next(after: .answered(status: status, retryAfter: nil), attempts: 1, firstFailedAt: nil, now: now, unit: 0.5) == .delivered)
        }
        for status in [301, 400, 401, 403, 404, 410, 422] {
            #expect(policy.next(after: .answered(status: status, retryAfter: nil), attempts: 1, firstFailedAt: nil, now: now, unit: 0.5) == .dead, "\(status)")
        }
        // A URL libcurl refuses fails every attempt alike.
        #expect(policy.next(after: .unusable, attempts: 1, firstFailedAt: nil, now: now, unit: 0.5) == .dead)
    }

    @Test func serverErrorsTimeoutsAndRateLimitsBackOffExponentiallyUpToTheCap() {
        for attempt in [WebhookRetryPolicy.Attempt.failed, .answered(status: 500, retryAfter: nil), .answered(status: 503, retryAfter: nil),
                        .answered(status: 408, retryAfter: nil), .answered(status: 425, retryAfter: nil), .answered(status: 429, retryAfter: nil)] {
            #expect(wait(policy.next(after: attempt, attempts: 1, firstFailedAt: nil, now: now, unit: 0.5)) == 10, "\(attempt)")
        }
        let waits = (1...12).map { wait(policy.next(after: .failed, attempts: $0, firstFailedAt: now, now: now, unit: 0.5)) }
        #expect(waits == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600])
    }

    @Test func jitterSpreadsEachWaitByAtMostAFifth() {
        #expect(wait(policy.next(after: .failed, attempts: 3, firstFailedAt: now, now: now, unit: 0)) == 32)
        #expect(wait(policy.next(after: .failed, attempts: 3, firstFailedAt: now, now: now, unit: 0.999_999)).map { abs($0 - 48) < 0.001 } == true)
        // At the cap, jitter only shortens the wait: never more than the hour.
        #expect(wait(policy.next(after: .failed, attempts: 20, firstFailedAt: now, now: now, unit: 0.999_999)) == 3_600)
        #expect(wait(policy.next(after: .failed, attempts: 20, firstFailedAt: now, now: now, unit: 0)) == 2_880)
    }

    @Test func retryAfterIsHonouredWhenLongerThanTheBackoff() {
        #expect(wait(policy.next(after: .answered(status: 429, retryAfter: 120), attempts: 1, firstFailedAt: nil, now: now, unit: 0.5)) == 120)
        #expect(wait(policy.next(after: .answered(status: 503, retryAfter: 2), attempts: 3, firstFailedAt: now, now: now, unit: 0.5)) == 40)
        #expect(WebhookRetryPolicy.retryAfter("120", now: now) == 120)
        #expect(WebhookRetryPolicy.retryAfter(" 0 ", now: now) == 0)
        #expect(WebhookRetryPolicy.retryAfter("-5", now: now) == nil)
        #expect(WebhookRetryPolicy.retryAfter("soon", now: now) == nil)
        #expect(WebhookRetryPolicy.retryAfter(nil, now: now) == nil)
        // 1_800_000_000 is Fri, 15 Jan 2027 08:00:00 GMT.
        #expect(WebhookRetryPolicy.retryAfter("Fri, 15 Jan 2027 08:01:30 GMT", now: now) == 90)
        #expect(WebhookRetryPolicy.retryAfter("Fri, 15 Jan 2027 07:00:00 GMT", now: now) == 0)
    }

    @Test func theLastAttemptIsAtTheWindowsEndAndThenTheDeliveryIsDead() {
        let firstFailure = now.addingTimeInterval(-86_400 + 100)
        #expect(policy.next(after: .failed, attempts: 30, firstFailedAt: firstFailure, now: now, unit: 0.5)
                == .retry(at: firstFailure.addingTimeInterval(86_400)))
        #expect(policy.next(after: .failed, attempts: 31, firstFailedAt: firstFailure, now: firstFailure.addingTimeInterval(86_400), unit: 0.5) == .dead)
        // A Retry-After beyond the window is cut to the window's end.
        #expect(policy.next(after: .answered(status: 429, retryAfter: 1_000_000), attempts: 1, firstFailedAt: nil, now: now, unit: 0.5)
                == .retry(at: now.addingTimeInterval(86_400)))
    }
}
