import Foundation
import WardenCore
import WardenStore

/// A guild's automod rules for admins: list them, import a pack, put one rule (checked like a pack file),
/// switch one on or off, and dry-run a message against them.
///
/// Every change commits with its `admin_log` row (`rule.create`, `rule.update`, `rule.enable`,
/// `rule.disable`, the rule's config before and after), whether it came through the HTTP API or the CLI,
/// and the guild's rules are compiled again before the change is answered, so the next message sees it.
public final class RuleDesk: Sendable {
    public let database: any Database
    public let guilds: GuildDirectory
    /// How much rule text the guild may hold (the directory's, which bounds what it loads too).
    public var limits: RuleLimits { guilds.limits }
    let clock: @Sendable () -> Date
    /// Backtests running now (`backtest(guild:change:messages:limits:)`).
    let backtests = BacktestSlots()

    /// The `admin_log` target type of rule changes.
    public static let auditTarget = "automod_rule"

    public init(database: any Database, guilds: GuildDirectory, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.guilds = guilds; self.clock = clock
    }

    // MARK: Reading

    /// The guild's stored rules (on first sight of the guild, the default pack is imported first).
    /// - Throws: `GuildPolicyLoader.InvalidSetting` when the guild's stored policy cannot be read.
    public func list(guild: Int64) async throws -> RuleList {
        _ = try await guilds.context(for: Self.snowflake(guild))
        let stored = try await database.transaction { conn in try AutomodRepository.rules(on: conn, guild: guild) }
        return RuleList(rules: try stored.map { RuleView(id: $0.id, enabled: $0.enabled, definition: try RuleCodec.definition(from: $0)) })
    }

    // MARK: Validation

    /// Reads one rule and checks it like a pack file; `source` names it in problems. JSON is decoded as
    /// JSON (``RulePack/rule(json:source:)``); YAML is read as one entry of a pack file's `rules:` list.
    /// - Throws: `RuleError.invalidRule` (the first problem found), `.notOneRule`.
    public static func rule(from body: RuleBody, source: String) throws(RuleError) -> RuleDefinition {
        switch body {
        case .json(let bytes):
            do throws(RuleIssue) { return try RulePack.rule(json: bytes, source: source) } catch { throw .invalidRule(error) }
        case .yaml(let text):
            let pack = "rules:\n  - " + text.replacingOccurrences(of: "\n", with: "\n    ")
            let (rules, issues) = RulePack.parse(files: [(name: source, contents: pack)])
            if let issue = issues.first { throw .invalidRule(issue) }
            guard let rule = rules.first, rules.count == 1 else { throw .notOneRule }
            return rule.definition
        }
    }

    // MARK: Changes

    /// Creates or replaces the guild's rule `name` from `body` (see ``rule(from:source:)``).
    /// - Throws: `RuleError.invalidRule`, `.notOneRule`, `.nameMismatch` (the rule's own name differs from
    ///   `name`), `.ruleLimit` (the guild's rules would pass one of its ``RuleLimits``).
    public func put(guild: Int64, name: String, body: RuleBody, by actor: Int64?) async throws -> RuleWrite {
        let definition = try Self.rule(from: body, source: "PUT rules/\(name)")
        guard definition.name == name else { throw RuleError.nameMismatch(rule: definition.name, path: name) }
        let written = try await importPack([definition], guild: guild, by: actor)
        guard let first = written.first else { throw RuleError.notOneRule }
        return first
    }

    /// Inserts or updates (by name) each rule in the guild, in one transaction with one audit row per rule,
    /// then has the guild's rules compiled again (off the message path; its messages are judged with the
    /// previous set until the new one is ready, which it is when this returns).
    /// The rules are expected checked already (a pack loaded with its problems shown).
    /// - Throws: `RuleError.ruleLimit` when the guild's rules would pass one of its ``RuleLimits`` (nothing is stored).
    @discardableResult
    public func importPack(_ rules: [RuleDefinition], guild: Int64, by actor: Int64?) async throws -> [RuleWrite] {
        let snowflake = Self.snowflake(guild)
        // Imports the default pack on first sight first, so "before" is what the guild really had.
        _ = try await guilds.context(for: snowflake)
        let now = clock()
        let limits = self.limits
        // Sized before the transaction, which holds SQLite's one writer.
        let added = rules.reduce(RuleSize.zero) { $0 + RuleSize.of($1) }
        let written = try await database.transaction { conn -> [RuleWrite] in
            // One writer of the guild's rules at a time, so two changes cannot each pass the limits alone.
            try AutomodRepository.lockGuild(on: conn, guild: guild)
            let before = Dictionary(try AutomodRepository.rules(on: conn, guild: guild).map { ($0.name, $0) }) { _, last in last }
            // The guild's rules as they would be: the ones kept, and the new ones. A stored row that cannot be
            // read any more counts as nothing (it is not compiled either).
            let replaced = Set(rules.map(\.name))
            let kept = before.values.filter { !replaced.contains($0.name) }.compactMap { try? RuleCodec.definition(from: $0) }
            if let exceeded = limits.exceeded(by: kept.reduce(added) { $0 + RuleSize.of($1) }) {
                throw RuleError.ruleLimit(exceeded, guild: guild)
            }
            let ids = try GuildDirectory.importPack(rules, into: snowflake, on: conn, by: actor, at: now)
            var written: [RuleWrite] = []
            for (rule, id) in zip(rules, ids) {
                let old = before[rule.name]
                try AdminLogRepository.record(on: conn, guild: guild, actor: actor, action: old == nil ? "rule.create" : "rule.update",
                                              targetType: Self.auditTarget, targetID: rule.name, beforeJSON: old?.configJSON,
                                              afterJSON: try RuleCodec.rows(for: rule).configJSON, at: now)
                written.append(RuleWrite(rule: RuleView(id: id, enabled: rule.enabled, definition: rule), created: old == nil))
            }
            return written
        }
        await guilds.refresh(snowflake)
        return written
    }

    /// Switches the guild's rule `name` on or off.
    /// - Throws: `RuleError.ruleNotFound`.
    public func setEnabled(_ enabled: Bool, rule name: String, guild: Int64, by actor: Int64?) async throws -> RuleSwitch {
        let snowflake = Self.snowflake(guild)
        _ = try await guilds.context(for: snowflake)
        let now = clock()
        try await database.transaction { conn in
            guard let rule = try AutomodRepository.rules(on: conn, guild: guild).first(where: { $0.name == name }) else {
                throw RuleError.ruleNotFound(name, guild: guild)
            }
            try AutomodRepository.setRuleEnabled(on: conn, ruleID: rule.id, enabled: enabled, at: now)
            try AdminLogRepository.record(on: conn, guild: guild, actor: actor, action: enabled ? "rule.enable" : "rule.disable",
                                          targetType: Self.auditTarget, targetID: name,
                                          beforeJSON: try Self.json(Switched(enabled: rule.enabled)),
                                          afterJSON: try Self.json(Switched(enabled: enabled)), at: now)
        }
        await guilds.refresh(snowflake)
        return RuleSwitch(name: name, enabled: enabled)
    }

    // MARK: Figures

    /// One rule's record over a window: triggers per day (oldest first) and how many of its actions were
    /// overturned on appeal (false positives).
    public struct Figures: Sendable, Equatable {
        public var triggersPerDay: [Int]
        public var triggers: Int { triggersPerDay.reduce(0, +) }
        public var falsePositives: Int
        /// False positives ÷ triggers; nil when the rule never fired.
        public var falsePositiveRate: Double? { triggers > 0 ? Double(falsePositives) / Double(triggers) : nil }

        public init(triggersPerDay: [Int], falsePositives: Int) {
            self.triggersPerDay = triggersPerDay; self.falsePositives = falsePositives
        }
    }

    /// Each of the guild's rules' figures (by rule id) over the last `days` UTC days, today included.
    public func figures(guild: Int64, days: Int = 14) async throws -> [Int64: Figures] {
        let now = clock()
        let labels = UTCDay.window(days: days, endingAt: now).days
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let rows = try await database.transaction { conn in
            try GuildFigures.ruleDays(on: conn, guild: guild, sinceDay: labels.first ?? UTCDay.of(now))
        }
        var out: [Int64: Figures] = [:]
        for row in rows {
            var figures = out[row.ruleID] ?? Figures(triggersPerDay: Array(repeating: 0, count: days), falsePositives: 0)
            if let i = index[row.day] { figures.triggersPerDay[i] += row.triggers }
            figures.falsePositives += row.falsePositives
            out[row.ruleID] = figures
        }
        return out
    }

    // MARK: Dry run

    /// Judges `message` with the guild's rules and policy through a fresh ``RuleTrial`` (so the dry run
    /// counts towards nobody's spam windows); nothing is stored.
    /// - Throws: `RuleError.messageOfAnotherGuild`.
    public func dryRun(guild: Int64, message: DiscordMessage) async throws -> Decision {
        guard message.guildID.int64 == guild else { throw RuleError.messageOfAnotherGuild(message: message.guildID, guild: guild) }
        let context = try await guilds.context(for: message.guildID)
        return RuleTrial().run(message, rules: context.rules, policy: context.policy, now: clock()).decision
    }

    /// What a switch's audit row records before and after.
    private struct Switched: Encodable { let enabled: Bool }

    private static func snowflake(_ guild: Int64) -> Snowflake { Snowflake(UInt64(bitPattern: guild)) }

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
