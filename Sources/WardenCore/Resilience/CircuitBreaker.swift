import Synchronization

/// Thrown by `CircuitBreaker.acquire` when a call may not go out now.
public struct CircuitOpenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Seconds until the breaker lets a trial call through: the rest of the open period, or 0 when it is
    /// half-open and every trial slot is taken (a slot frees as soon as a trial reports back).
    public var retryIn: Double
    /// `open`, or `halfOpen` with all trial slots in use.
    public var state: CircuitBreaker.State

    public init(retryIn: Double, state: CircuitBreaker.State) {
        self.retryIn = retryIn
        self.state = state
    }

    public var description: String {
        if state == .halfOpen { return "circuit half-open: all trial calls are in flight" }
        // Tenths of a second, rounded up, without Foundation's formatting.
        let tenths = retryIn.isFinite ? Int((max(0, min(retryIn, 1e9)) * 10).rounded(.up)) : 0
        return "circuit open: calls resume in \(tenths / 10).\(tenths % 10) s"
    }
}

/// Stops calls to a provider that keeps failing, so a struggling provider is not hammered and callers
/// fail fast (their stage degrades) instead of waiting out timeouts.
///
/// - closed: calls go through; outcomes are counted over a sliding `window`. When at least `minimumCalls`
///   fall in the window and the share of failures reaches `failureRateThreshold`, the breaker opens.
/// - open: `acquire` throws `CircuitOpenError` until `openDuration` has passed, then the breaker is half-open.
/// - half-open: up to `halfOpenTrials` trial calls at a time. As many trial successes as `halfOpenTrials`
///   close the breaker (with an empty window); any trial failure opens it again for `openDuration`. A trial
///   that reports nothing within `trialTimeout` counts as failed, so a lost caller cannot wedge it half-open.
///
/// Time is passed in as monotonic seconds (`now`) on every call: the breaker never reads a clock, which
/// makes it deterministic under test. Every `acquire` that succeeds returns a `Permit` that must be handed
/// back once to `record` (or `cancel`). A permit from an earlier phase (a call let through before the breaker
/// opened, reporting late) is ignored: only the calls of the current phase count, and only a trial's own
/// permit can settle a trial.
public final class CircuitBreaker: Sendable {
    /// The breaker's settings; times in seconds.
    public struct Configuration: Sendable, Equatable {
        /// Length of the sliding window of outcomes considered while closed.
        public var window: Double
        /// Fewer calls than this in the window never open the breaker (too little evidence).
        public var minimumCalls: Int
        /// Failure share (0...1) that opens the breaker.
        public var failureRateThreshold: Double
        /// How long the breaker stays open before allowing trial calls.
        public var openDuration: Double
        /// Concurrent trial calls when half-open, and the successes needed to close.
        public var halfOpenTrials: Int
        /// A trial call not reported back within this long counts as a failure.
        public var trialTimeout: Double

        public init(window: Double = 30, minimumCalls: Int = 10, failureRateThreshold: Double = 0.5,
                    openDuration: Double = 15, halfOpenTrials: Int = 2, trialTimeout: Double = 60) {
            self.window = window
            self.minimumCalls = minimumCalls
            self.failureRateThreshold = failureRateThreshold
            self.openDuration = openDuration
            self.halfOpenTrials = halfOpenTrials
            self.trialTimeout = trialTimeout
        }
    }

    /// The breaker's state; raw values are what health checks and metrics print.
    public enum State: String, Sendable, Equatable, CaseIterable {
        case closed, open, halfOpen = "half_open"
    }

    /// What `acquire` lets through: which phase the call belongs to and, when half-open, which trial it is.
    public struct Permit: Sendable, Equatable {
        fileprivate let generation: UInt64
        fileprivate let trial: UInt64?
    }

    public let configuration: Configuration
    private let core: Mutex<Core>

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.core = Mutex(Core())
    }

    /// Asks to make a call at `now`.
    /// - Throws: `CircuitOpenError` when the breaker is open, or half-open with every trial slot taken.
    @discardableResult
    public func acquire(now: Double) throws(CircuitOpenError) -> Permit {
        let config = configuration
        let answer: Result<Permit, CircuitOpenError> = core.withLock { core in
            core.advance(now: now, config)
            switch core.phase {
            case .closed:
                return .success(Permit(generation: core.generation, trial: nil))
            case .open(let until):
                return .failure(CircuitOpenError(retryIn: max(0, until - now), state: .open))
            case .halfOpen:
                guard core.trials.count < max(1, config.halfOpenTrials) else {
                    return .failure(CircuitOpenError(retryIn: 0, state: .halfOpen))
                }
                core.nextTrial += 1
                core.trials.append((core.nextTrial, now))
                return .success(Permit(generation: core.generation, trial: core.nextTrial))
            }
        }
        return try answer.get()
    }

    /// Reports how a call let through by `acquire` ended. Count as failures only what says the provider is
    /// unwell (timeouts, connection errors, 429, 5xx), not requests it rightly rejected.
    public func record(_ permit: Permit, success: Bool, now: Double) {
        let config = configuration
        core.withLock { core in
            core.advance(now: now, config)
            guard permit.generation == core.generation else { return }   // from an earlier phase: says nothing now
            switch core.phase {
            case .closed:
                core.append(now: now, failed: !success, config)
                let calls = core.count
                if calls >= max(1, config.minimumCalls), Double(core.failures) / Double(calls) >= config.failureRateThreshold {
                    core.open(until: now + config.openDuration)
                }
            case .open:
                break
            case .halfOpen:
                guard let index = core.trials.firstIndex(where: { $0.id == permit.trial }) else { return }
                core.trials.remove(at: index)
                if !success {
                    core.open(until: now + config.openDuration)
                } else {
                    core.trialSuccesses += 1
                    if core.trialSuccesses >= max(1, config.halfOpenTrials) { core.close() }
                }
            }
        }
    }

    /// Gives back a call that ended without saying anything about the provider (cancelled, or never sent):
    /// frees its trial slot when half-open, and is not counted in any state.
    public func cancel(_ permit: Permit, now: Double) {
        let config = configuration
        core.withLock { core in
            core.advance(now: now, config)
            guard permit.generation == core.generation, case .halfOpen = core.phase,
                  let index = core.trials.firstIndex(where: { $0.id == permit.trial }) else { return }
            core.trials.remove(at: index)
        }
    }

    /// The state at `now` (an open breaker whose open period has passed reports `halfOpen`).
    public func state(now: Double) -> State {
        let config = configuration
        return core.withLock { core in
            core.advance(now: now, config)
            switch core.phase {
            case .closed: return .closed
            case .open: return .open
            case .halfOpen: return .halfOpen
            }
        }
    }

    private enum Phase {
        case closed
        case open(until: Double)
        case halfOpen
    }

    private struct Core {
        var phase = Phase.closed
        /// Outcomes in the window while closed, oldest first, from `head` on (dropping from the front of an
        /// array is linear; moving `head` and compacting now and then is not).
        var times: [Double] = []
        var failedFlags: [Bool] = []
        var head = 0
        var failures = 0
        /// The trial calls in flight while half-open (id, start time), oldest first.
        var trials: [(id: UInt64, start: Double)] = []
        var nextTrial: UInt64 = 0
        var trialSuccesses = 0
        /// Bumped on every change of phase, so permits of an earlier phase are recognised.
        var generation: UInt64 = 0

        var count: Int { times.count - head }

        mutating func advance(now: Double, _ config: Configuration) {
            switch phase {
            case .closed:
                // Outcomes at or before now - window have left the window.
                let cutoff = now - config.window
                while head < times.count, times[head] <= cutoff {
                    if failedFlags[head] { failures -= 1 }
                    head += 1
                }
                if head > 256, head * 2 > times.count {
                    times.removeFirst(head)
                    failedFlags.removeFirst(head)
                    head = 0
                }
            case .open(let until):
                if now >= until {
                    phase = .halfOpen
                    generation += 1
                    trials = []
                    trialSuccesses = 0
                }
            case .halfOpen:
                if let oldest = trials.first?.start, now - oldest >= config.trialTimeout {
                    open(until: now + config.openDuration)
                }
            }
        }

        mutating func append(now: Double, failed: Bool, _ config: Configuration) {
            times.append(now)
            failedFlags.append(failed)
            if failed { failures += 1 }
        }

        mutating func open(until: Double) {
            phase = .open(until: until)
            generation += 1
            clearWindow()
            trials = []
            trialSuccesses = 0
        }

        mutating func close() {
            phase = .closed
            generation += 1
            clearWindow()
            trials = []
            trialSuccesses = 0
        }

        mutating func clearWindow() {
            times.removeAll(keepingCapacity: true)
            failedFlags.removeAll(keepingCapacity: true)
            head = 0
            failures = 0
        }
    }
}
