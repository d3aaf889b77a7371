import Foundation
import Synchronization
import WardenCore
import WardenStore

/// Finds each guild's rules and policy, compiling them once and caching the result. A guild seen for the
/// first time with no rules of its own gets the default pack imported into its `automod_rules`, so every
/// log and stat row refers to a stored rule.
public final class GuildDirectory: Sendable {
    /// One cache shard; sharding keeps lookups from different guilds off a single lock.
    final class Shard: Sendable {
        let entries = Mutex<[Snowflake: GuildContext]>([:])
    }

    public let database: any Database
    /// The pack imported into guilds that have none (from `--rules`).
    public let defaultPack: [PackRule]
    /// Told about stored rules that could not be loaded (they are skipped; the guild's other rules run).
    let report: @Sendable (RuleIssue) -> Void
    let shards: [Shard]

    /// The `bot_settings` key (scope automod) recording that the default pack was imported, so a guild that
    /// later deletes every rule is not given them back.
    static let importedKey = "default_pack_imported"

    public init(database: any Database, defaultPack: [PackRule], shardCount: Int = 16,
                report: @escaping @Sendable (RuleIssue) -> Void = { _ in }) {
        self.database = database
        self.defaultPack = defaultPack
        self.report = report
        shards = (0..<max(1, shardCount)).map { _ in Shard() }
    }

    func shard(_ guild: Snowflake) -> Shard { shards[Int(guild.rawValue % UInt64(shards.count))] }

    /// The guild's compiled rules and policy, loading (and on first sight importing) them if needed.
    public func context(for guild: Snowflake) async throws -> GuildContext {
        if let cached = shard(guild).entries.withLock({ $0[guild] }) { return cached }
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
        var sources: [RuleSource] = []
        var issues: [RuleIssue] = []
        for row in stored {
            do { sources.append(RuleSource(id: row.id, definition: try RuleCodec.definition(from: row))) }
            catch { issues.append(RuleIssue(file: "guild \(guild) automod_rules id \(row.id)", rule: row.name, message: "cannot be loaded: \(error)")) }
        }
        let context = GuildContext(guildID: guild, rules: CompiledRuleSet(rules: sources), policy: policy, loadIssues: issues)
        for issue in context.issues { report(issue) }
        shard(guild).entries.withLock { $0[guild] = context }
        return context
    }

    /// Forgets a guild's cached rules and policy (after an import or a settings change).
    public func invalidate(_ guild: Snowflake) {
        _ = shard(guild).entries.withLock { $0.removeValue(forKey: guild) }
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
