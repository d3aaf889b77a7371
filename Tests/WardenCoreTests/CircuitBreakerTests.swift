import Foundation
import Testing
@testable import WardenCore

@Suite struct CircuitBreakerTests {
    /// Defaults: window 30 s, 10 calls minimum, 50 % failures, open 15 s, 2 trials.
    func breaker() -> CircuitBreaker { CircuitBreaker(configuration: .init()) }

    func refusal(_ breaker: CircuitBreaker, at now: Double) -> CircuitOpenError? {
        do {
            try breaker.acquire(now: now)
            return nil
        } catch {
            return error
        }
    }

    /// `n` calls at `now`, each acquired and recorded.
    func calls(_ breaker: CircuitBreaker, _ n: Int, success: Bool, at now: Double) throws {
        for _ in 0..<n {
            let permit = try breaker.acquire(now: now)
            breaker.record(permit, success: success, now: now)
        }
    }

    @Test func defaults() {
        let c = CircuitBreaker.Configuration()
        #expect(c.window == 30 && c.minimumCalls == 10 && c.failureRateThreshold == 0.5 && c.openDuration == 15 && c.halfOpenTrials == 2)
        #expect(CircuitBreaker.State.halfOpen.rawValue == "half_open")
    }

    @Test func opensOnlyWithEnoughCallsAndFailures() throws {
        let b = breaker()
        try calls(b, 9, success: false, at: 0)
        #expect(b.state(now: 0) == .closed)  // 9 failures, but fewer than minimumCalls
        try calls(b, 1, success: true, at: 1)
        #expect(b.state(now: 1) == .open)  // 10 calls, 90 % failures

        let c = breaker()
        try calls(c, 6, success: true, at: 0)
        try calls(c, 5, success: false, at: 0)
        #expect(c.state(now: 0) == .closed)  // 5 of 11 is below 50 %
        try calls(c, 1, success: false, at: 0)
        #expect(c.state(now: 0) == .open)  // 6 of 12 reaches it
    }

    @Test func oldOutcomesLeaveTheWindow() throws {
        let b = breaker()
        try calls(b, 9, success: false, at: 0)
        // 30 s later those failures are outside the window: ten successes and one failure do not open it.
        try calls(b, 1, success: false, at: 30)
        try calls(b, 9, success: true, at: 30)
        #expect(b.state(now: 30) == .closed)
        try calls(b, 1, success: false, at: 59.9)
        #expect(b.state(now: 59.9) == .closed)  // 2 of 11
    }

    @Test func closedToOpenToHalfOpenToClosed() throws {
        let b = breaker()
        try calls(b, 10, success: false, at: 100)
        #expect(b.state(now: 100) == .open)

        let open = refusal(b, at: 105)
        #expect(open == CircuitOpenError(retryIn: 10, state: .open))
        #expect(open?.description == "circuit open: calls resume in 10.0 s")
        #expect(b.state(now: 114.9) == .open)

        // After openDuration: half-open, two trials at a time.
        #expect(b.state(now: 115) == .halfOpen)
        let first = try b.acquire(now: 115)
        let second = try b.acquire(now: 115)
        #expect(refusal(b, at: 115) == CircuitOpenError(retryIn: 0, state: .halfOpen))
        b.record(first, success: true, now: 116)
        #expect(b.state(now: 116) == .halfOpen)  // one success of two
        b.record(second, success: true, now: 117)
        #expect(b.state(now: 117) == .closed)

        // Closed again with an empty window: the old failures do not count.
        try calls(b, 9, success: false, at: 118)
        #expect(b.state(now: 118) == .closed)
    }

    @Test func aTrialFailureReopens() throws {
        let b = breaker()
        try calls(b, 10, success: false, at: 0)
        let first = try b.acquire(now: 15)
        let second = try b.acquire(now: 15)
        b.record(first, success: true, now: 16)
        b.record(second, success: false, now: 17)
        #expect(b.state(now: 17) == .open)
        #expect(refusal(b, at: 20)?.retryIn == 12)
        #expect(b.state(now: 32) == .halfOpen)
    }

    @Test func trialsCanRunOneAfterAnother() throws {
        let b = breaker()
        try calls(b, 10, success: false, at: 0)
        try calls(b, 1, success: true, at: 15)
        #expect(b.state(now: 15) == .halfOpen)
        try calls(b, 1, success: true, at: 16)
        #expect(b.state(now: 16) == .closed)
    }

    @Test func cancelledTrialsFreeTheirSlot() throws {
        let b = breaker()
        try calls(b, 10, success: false, at: 0)
        let first = try b.acquire(now: 15)
        try b.acquire(now: 15)
        #expect(refusal(b, at: 15) != nil)
        b.cancel(first, now: 15.5)
        #expect(b.state(now: 15.5) == .halfOpen)  // a cancel is no success
        #expect(refusal(b, at: 16) == nil)
    }

    @Test func lateOutcomesAreIgnored() throws {
        let b = breaker()
        // Calls let through while closed that end after the breaker opened say nothing new.
        let early = try (0..<14).map { _ in try b.acquire(now: 0) }
        for permit in early[..<10] { b.record(permit, success: false, now: 1) }
        #expect(b.state(now: 1) == .open)
        b.record(early[10], success: true, now: 2)
        #expect(b.state(now: 2) == .open)
        // In half-open they are not trials, even while real trials are in flight.
        b.record(early[11], success: true, now: 16)
        b.record(early[12], success: true, now: 16)
        #expect(b.state(now: 16) == .halfOpen)
        let trial = try b.acquire(now: 16)
        b.record(early[13], success: false, now: 16)
        #expect(b.state(now: 16) == .halfOpen, "a straggler's failure does not settle the trial")
        b.cancel(early[13], now: 16)
        #expect(refusal(b, at: 16) == nil)   // the second trial slot
        #expect(refusal(b, at: 16) != nil, "both slots are taken: the straggler's cancel freed nothing")
        b.record(trial, success: false, now: 17)
        #expect(b.state(now: 17) == .open)
    }

    @Test func aLostTrialCountsAsAFailure() throws {
        let b = CircuitBreaker(configuration: .init(openDuration: 10, trialTimeout: 5))
        try calls(b, 10, success: false, at: 0)
        try b.acquire(now: 10)
        try b.acquire(now: 10)
        #expect(b.state(now: 14.9) == .halfOpen)
        #expect(b.state(now: 15) == .open)  // nobody reported back within trialTimeout
        #expect(refusal(b, at: 15)?.retryIn == 10)
    }

    @Test func manyThreadsAtOnce() async throws {
        let b = CircuitBreaker(configuration: .init(minimumCalls: 1_000_000))
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    for j in 0..<2_000 {
                        if let permit = try? b.acquire(now: Double(j) / 1000) {
                            b.record(permit, success: (i + j) % 2 == 0, now: Double(j) / 1000)
                        }
                    }
                }
            }
        }
        #expect(b.state(now: 2) == .closed)
    }
}
