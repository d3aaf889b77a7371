import Foundation
import WardenCore

/// Compiles guilds' rule sets on threads of its own, never on Swift's cooperative pool: a guild with
/// 100,000 keywords takes seconds to compile, and on the pool (as many threads as cores) those seconds
/// would hold up every other guild's messages. One guild's compiles run one after another on the same
/// thread; different guilds spread over `threads`.
public final class RuleCompiler: Sendable {
    private let queues: [DispatchQueue]
    private let build: @Sendable ([RuleSource], Snowflake) -> CompiledRuleSet

    /// `threads` compile threads (at least one); by default half the cores, so compiling never takes all of
    /// them. `build` is the compile itself (tests hold it to see what waits on it).
    public init(threads: Int = RuleCompiler.defaultThreads,
                build: @escaping @Sendable ([RuleSource], Snowflake) -> CompiledRuleSet = { sources, _ in CompiledRuleSet(rules: sources) }) {
        queues = (0..<max(1, threads)).map { DispatchQueue(label: "warden.rule-compiler.\($0)", qos: .utility) }
        self.build = build
    }

    public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / 2) }

    /// The guild's rule set, compiled on one of the compile threads.
    public func compile(_ sources: [RuleSource], guild: Snowflake) async -> CompiledRuleSet {
        let queue = queues[Int(guild.rawValue % UInt64(queues.count))]
        return await withCheckedContinuation { continuation in
            queue.async { [build] in continuation.resume(returning: build(sources, guild)) }
        }
    }
}
