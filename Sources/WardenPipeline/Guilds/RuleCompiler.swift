import Foundation
import Synchronization
import WardenCore

/// Compiles guilds' rule sets on threads of its own, never on Swift's cooperative pool: a guild with
/// 100,000 keywords takes seconds to compile, and on the pool (as many threads as cores) those seconds
/// would hold up every other guild's messages.
///
/// Two lanes, so that what messages wait for never queues behind what they do not:
/// - **first loads** (a guild's first message waits for it): up to `firstLoadThreads` at once;
/// - **rebuilds** after a change (the guild's messages are judged with its previous set meanwhile): up to
///   `rebuildThreads` at once, by default half the cores, so rebuilds never take every core. A rebuild that
///   a newer one of the same guild has superseded before it started is skipped.
public final class RuleCompiler: Sendable {
    /// Which lane a compile runs in.
    public enum Lane: Sendable { case firstLoad, rebuild }

    private let firstLoads: CompileLane
    private let rebuilds: CompileLane
    private let build: @Sendable ([RuleSource], Snowflake) -> CompiledRuleSet

    /// `build` is the compile itself (tests hold it to see what waits on it).
    public init(firstLoadThreads: Int = ProcessInfo.processInfo.activeProcessorCount,
                rebuildThreads: Int = RuleCompiler.defaultRebuildThreads,
                build: @escaping @Sendable ([RuleSource], Snowflake) -> CompiledRuleSet = { sources, _ in CompiledRuleSet(rules: sources) }) {
        firstLoads = CompileLane(name: "warden.rule-compiler.first-load", width: firstLoadThreads)
        rebuilds = CompileLane(name: "warden.rule-compiler.rebuild", width: rebuildThreads)
        self.build = build
    }

    /// Half the cores, at least one.
    public static var defaultRebuildThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / 2) }

    /// The guild's rule set compiled in `lane`, with what `prepare` reported, or nil when `stillWanted` says
    /// no once the compile's turn comes (a newer rebuild of the guild superseded it). `prepare` turns stored
    /// rows into sources (decoding, limits) on the compile thread too, as it costs time in proportion.
    public func compile(guild: Snowflake, lane: Lane, stillWanted: @escaping @Sendable () -> Bool = { true },
                        prepare: @escaping @Sendable () -> (sources: [RuleSource], issues: [RuleIssue]))
        async -> (rules: CompiledRuleSet, issues: [RuleIssue])? {
        let build = self.build
        return await withCheckedContinuation { continuation in
            (lane == .firstLoad ? firstLoads : rebuilds).submit {
                guard stillWanted() else { return continuation.resume(returning: nil) }
                let prepared = prepare()
                continuation.resume(returning: (build(prepared.sources, guild), prepared.issues))
            }
        }
    }

    /// Runs `work` on one of `lane`'s threads and returns its result: for other CPU-bound rule work that
    /// must not hold a thread of the cooperative pool either (a backtest judging a page of logs).
    public func run<T: Sendable>(in lane: Lane, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            (lane == .firstLoad ? firstLoads : rebuilds).submit { continuation.resume(returning: work()) }
        }
    }
}

/// A first-in first-out queue of jobs run on at most `width` threads of its own, started when work arrives
/// and ended when the queue is empty (a compile takes milliseconds to seconds; a thread's start, microseconds).
final class CompileLane: Sendable {
    private struct State: Sendable {
        var pending: [@Sendable () -> Void] = []
        var next = 0
        var running = 0
    }

    private let name: String
    private let width: Int
    private let state = Mutex(State())

    init(name: String, width: Int) {
        self.name = name
        self.width = max(1, width)
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        let startThread = state.withLock { state -> Bool in
            state.pending.append(job)
            guard state.running < width else { return false }
            state.running += 1
            return true
        }
        guard startThread else { return }
        let thread = Thread { [self] in drain() }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Runs jobs until none is left, then lets the thread end.
    private func drain() {
        while let job = state.withLock({ state -> (@Sendable () -> Void)? in
            guard state.next < state.pending.count else {
                state.pending.removeAll(keepingCapacity: true)
                state.next = 0
                state.running -= 1
                return nil
            }
            let job = state.pending[state.next]
            state.next += 1
            // Drop what has run, now and then, so a lane that never empties does not keep every job.
            if state.next >= 64, state.next * 2 >= state.pending.count {
                state.pending.removeFirst(state.next)
                state.next = 0
            }
            return job
        }) {
            job()
        }
    }
}
