import Foundation
import Synchronization
import WardenCore
import WardenStore

/// Finds each guild's rules and policy, compiling them once and caching the result. A guild seen for the
/// first time with no rules of its own gets the default pack imported into its `automod_rules`, so every
/// log and stat row refers to a stored rule.
///
/// Compiling happens off the message path (``RuleCompiler``): after a change (``refresh(_:)``) the guild's
/// messages are judged with its previous rule set until the new one is ready, and a guild's rebuild never
/// holds up another guild's messages. Only a guild's first message waits for its first compile (in a lane
/// of its own, not behind rebuilds), and concurrent first messages share that one compile.
public final class GuildDirectory: Sendable {
    /// One guild's cache entry.
    struct Entry: Sendable {
        /// What the guild's messages are judged with now.
        var current: GuildContext?
        /// Generation of `current`.
        var installed: UInt64 = 0
        /// The newest load started, which callers with no `current` yet await.
        var loading: Task<GuildContext, any Error>?
        /// Generation of the newest load started; a load installs its result only if nothing newer has been.
        var started: UInt64 = 0
    }

    /// One cache shard; sharding keeps lookups from different guilds off a single lock.
    final class Shard: Sendable {
        let entries = Mutex<[Snowflake: Entry]>([:])
    }

    public let database: any Database
    /// The pack imported into guilds that have none (from `--rules`).
    public let defaultPack: [PackRule]
    /// How much rule text a guild may hold; rules past it are skipped when loading.
    public let limits: RuleLimits
    let compiler: RuleCompiler
    /// Told about stored rules that could not be loaded (they are skipped; the guild's other rules run).
    let report: @Sendable (RuleIssue) -> Void
    let shards: [Shard]

    /// The `bot_settings` key (scope automod) recording that the default pack was imported, so a guild that
    /// later deletes every rule is not given them back.
    static let importedKey = "default_pack_imported"

    public init(database: any Database, defaultPack: [PackRule], limits: RuleLimits = .standard,
                compiler: RuleCompiler = RuleCompiler(), shardCount: Int = 16,
                report: @escaping @Sendable (RuleIssue) -> Void = { _ in }) {
        self.database = database
        self.defaultPack = defaultPack
        self.limits = limits
        self.compiler = compiler
        self.report = report
        shards = (0..<max(1, shardCount)).map { _ in Shard() }
    }

    func shard(_ guild: Snowflake) -> Shard { shards[Int(guild.rawValue % UInt64(shards.count))] }

    /// The guild's compiled rules and policy: the current ones, or (on the guild's first message) the ones
    /// being loaded, importing the default pack on first sight.
    public func context(for guild: Snowflake) async throws -> GuildContext {
        try await context(for: guild, newest: false)
    }

    /// With `newest`, a load in flight is preferred to the current context (what a superseded load waits for).
    private func context(for guild: Snowflake, newest: Bool) async throws -> GuildContext {
        enum Found { case ready(GuildContext), pending(Task<GuildContext, any Error>) }
        let state = shard(guild).entries.withLock { entries -> Found in
            if newest, let loading = entries[guild]?.loading { return .pending(loading) }
            if let current = entries[guild]?.current { return .ready(current) }
            if let loading = entries[guild]?.loading { return .pending(loading) }
            return .pending(startLoad(guild, in: &entries))
        }
        switch state {
        case .ready(let context): return context
        case .pending(let task): return try await task.value
        }
    }

    /// Loads and compiles the guild's rules and policy again after a change, and returns once they are the
    /// current ones (or a newer load's are). Until then the guild's messages are judged with the previous
    /// ones. If the load fails (the store is unavailable), the cached context is dropped, so the guild's
    /// next message loads it again.
    public func refresh(_ guild: Snowflake) async {
        let task = shard(guild).entries.withLock { entries in startLoad(guild, in: &entries) }
        _ = try? await task.value
    }

    /// Another instance changed the guild's rules or settings (a store notification): loads them again if
    /// this instance has them cached; a guild it has not seen loads fresh on its first message anyway.
    public func refreshIfCached(_ guild: Snowflake) async {
        let task = shard(guild).entries.withLock { entries -> Task<GuildContext, any Error>? in
            guard entries[guild]?.current != nil || entries[guild]?.loading != nil else { return nil }
            return startLoad(guild, in: &entries)
        }
        _ = try? await task?.value
    }

    /// Loads every cached guild again (changes may have been missed: the store listener reconnected).
    public func refreshAll() async {
        var tasks: [Task<GuildContext, any Error>] = []
        for shard in shards {
            shard.entries.withLock { entries in
                for guild in Array(entries.keys) where entries[guild]?.current != nil { tasks.append(startLoad(guild, in: &entries)) }
            }
        }
        for task in tasks { _ = try? await task.value }
    }

    /// Starts loading the guild (under the shard's lock) as a new generation: in the first-load lane when the
    /// guild has nothing to judge with yet, else as a rebuild.
    private func startLoad(_ guild: Snowflake, in entries: inout [Snowflake: Entry]) -> Task<GuildContext, any Error> {
        var entry = entries[guild] ?? Entry()
        entry.started += 1
        let generation = entry.started
        let lane: RuleCompiler.Lane = entry.current == nil ? .firstLoad : .rebuild
        let task = Task { [self] in
            do {
                if let context = try await load(guild, generation: generation, lane: lane) {
                    install(context, generation: generation)
                    return context
                }
                // Superseded before its compile began: what the newer load gives.
                return try await context(for: guild, newest: true)
            } catch {
                shard(guild).entries.withLock { entries in
                    // The newest load failed: what the guild had is stale (a change was committed), and no
                    // older load still compiling may install its even older rules.
                    guard var entry = entries[guild], entry.started == generation else { return }
                    entry.current = nil
                    entry.installed = max(entry.installed, generation)
                    entry.loading = nil
                    entries[guild] = entry
                }
                throw error
            }
        }
        entry.loading = task
        entries[guild] = entry
        return task
    }

    private func install(_ context: GuildContext, generation: UInt64) {
        shard(context.guildID).entries.withLock { entries in
            var entry = entries[context.guildID] ?? Entry()
            if generation > entry.installed { entry.current = context; entry.installed = generation }
            if entry.started == generation { entry.loading = nil }
            entries[context.guildID] = entry
        }
    }

    /// Reads the guild's rules and policy (importing the default pack on first sight) and compiles the rules;
    /// nil when a newer load of the guild started before this one's compile did.
    private func load(_ guild: Snowflake, generation: UInt64, lane: RuleCompiler.Lane) async throws -> GuildContext? {
        let pack = defaultPack
        let (stored, policy) = try await database.transaction { conn in
            try AutomodRepository.lockGuild(on: conn, guild: guild.int64)
            var stored = try AutomodRepository.rules(on: conn, guild: guild.int64)
            if stored.isEmpty, !pack.isEmpty,
               try SettingsRepository.get(on: conn, guild: guild.int64, scope: GuildPolicy.scope, key: Self.importedKey) == nil {
                try Self.importPack(pack.map(\.definition), into: guild, on: conn, by: nil, at: Date())
                stored = try AutomodRepository.rules(on: conn, guild: guild.int64)
            }
            return (stored, try GuildPolicyLoader.load(on: conn, guild: guild.int64))
        }
        let shard = shard(guild), limits = limits
        let stillWanted: @Sendable () -> Bool = { shard.entries.withLock { $0[guild]?.started == generation } }
        guard let (rules, issues) = await compiler.compile(guild: guild, lane: lane, stillWanted: stillWanted, prepare: {
            Self.sources(of: stored, guild: guild, limits: limits)
        }) else { return nil }
        let context = GuildContext(guildID: guild, rules: rules, policy: policy, loadIssues: issues)
        for issue in context.issues { report(issue) }
        return context
    }

    /// The stored rules that can be compiled: rows that cannot be decoded, and enabled rules past the
    /// guild's limits (writes are checked against them; rows can get past them some other way), are
    /// skipped and reported.
    static func sources(of stored: [StoredRule], guild: Snowflake, limits: RuleLimits) -> (sources: [RuleSource], issues: [RuleIssue]) {
        var sources: [RuleSource] = []
        var issues: [RuleIssue] = []
        var size = RuleSize.zero
        for row in stored {
            let file = "guild \(guild) automod_rules id \(row.id)"
            let definition: RuleDefinition
            do { definition = try RuleCodec.definition(from: row) }
            catch { issues.append(RuleIssue(file: file, rule: row.name, message: "cannot be loaded: \(error)")); continue }
            if definition.enabled {
                let total = size + RuleSize.of(definition)
                if let exceeded = limits.exceeded(by: total) {
                    issues.append(RuleIssue(file: file, rule: row.name, message: "skipped: \(exceeded)"))
                    continue
                }
                size = total
            }
            sources.append(RuleSource(id: row.id, definition: definition))
        }
        return (sources, issues)
    }

    /// Inserts or updates (by name) each rule and its action for `guild`, and marks the pack imported.
    @discardableResult
    public static func importPack(_ rules: [RuleDefinition], into guild: Snowflake, on conn: any SQLConnection,
                                  by user: Int64?, at now: Date) throws -> [Int64] {
        var ids: [Int64] = []
        for rule in rules {
            let rows = try RuleCodec.rows(for: rule)
            ids.append(try AutomodRepository.upsertRule(
                on: conn, guild: guild.int64, name: rule.name, ruleType: rule.type.rawValue, enabled: rule.enabled,
                configJSON: rows.configJSON, actionType: rows.actionType, severity: rows.severity,
                actionConfigJSON: rows.actionConfigJSON, by: user, at: now))
        }
        try SettingsRepository.set(on: conn, guild: guild.int64, scope: GuildPolicy.scope, key: importedKey,
                                   valueJSON: "true", valueType: "bool", by: user, at: now)
        return ids
    }
}
