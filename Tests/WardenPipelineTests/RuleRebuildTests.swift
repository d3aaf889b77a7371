import Foundation
import Synchronization
import Testing
import WardenCore
import WardenStore
import WardenTestSupport
@testable import WardenPipeline

/// Issue 11, F7: a guild's rule compile runs off the message path. While it runs, that guild's messages
/// are judged with its previous rules and every other guild's as usual; a guild may not hold more rule
/// text than its ``RuleLimits``.
@Suite("rule rebuilds: off the message path, bounded per guild")
struct RuleRebuildTests {
    static let guildA = Snowflake(1_100_000_000_000_000_001)
    static let guildB = Snowflake(1_100_000_000_000_000_002)

    /// A compile that holds (until the test opens it) the first build of a rule set holding a rule named
    /// `held`, or with `holdEvery`, the first build of all. One rebuild thread, so rebuilds queue.
    final class HeldCompile: Sendable {
        let opened = DispatchSemaphore(value: 0)
        let entered = Atomic<Bool>(false)
        let builds = Atomic<Int>(0)
        let holdEvery: Bool

        init(holdEvery: Bool = false) { self.holdEvery = holdEvery }

        var compiler: RuleCompiler {
            RuleCompiler(firstLoadThreads: 2, rebuildThreads: 1) { [self] sources, _ in
                builds.add(1, ordering: .relaxed)
                if holdEvery || sources.contains(where: { $0.definition.name == "held" }),
                   !entered.exchange(true, ordering: .acquiringAndReleasing) {
                    opened.wait()
                }
                return CompiledRuleSet(rules: sources)
            }
        }

        /// Returns once a held compile has started (bounded by a count of short sleeps).
        func waitUntilEntered() async throws {
            for _ in 0..<3_000 where !entered.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(10)) }
            let started = entered.load(ordering: .acquiring)
            #expect(started, "the held compile never started")
        }
    }

    /// `body`'s result, or nil (a recorded failure) if it has not answered within `seconds`: only a guard
    /// against hanging the suite, since with the fix each call answers from the cache at once.
    static func answered<T: Sendable>(within seconds: Int, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask { try await Task.sleep(for: .seconds(seconds)); return nil }
            let first = try await group.next() ?? nil
            group.cancelAll()
            #expect(first != nil, "\(what) waited for another compile")
            return first
        }
    }

    static let heldRule = #"{"name": "held", "type": "content", "keywords": ["zorblax"], "action": {"type": "delete"}}"#

    @Test(arguments: allDialects)
    func messagesAreJudgedWithThePreviousRulesWhileTheNewOnesCompile(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let held = HeldCompile()
            let guilds = GuildDirectory(database: db, defaultPack: try loadDefaultPack(), compiler: held.compiler)
            let desk = RuleDesk(database: db, guilds: guilds)
            _ = try await guilds.context(for: Self.guildA)
            _ = try await guilds.context(for: Self.guildB)
            let probe = message("zorblax", guild: Self.guildA.rawValue)
            #expect(try await desk.dryRun(guild: Self.guildA.int64, message: probe).verdict == .allow)

            let put = Task { try await desk.put(guild: Self.guildA.int64, name: "held", body: .json(Array(Self.heldRule.utf8)), by: nil) }
            try await held.waitUntilEntered()

            // The rule is stored, its compile is held: guild A is judged with its previous rules, guild B as always.
            let during = try await Self.answered(within: 30, "guild A's message") {
                try await desk.dryRun(guild: Self.guildA.int64, message: probe)
            }
            #expect(during?.verdict == .allow)
            let other = try await Self.answered(within: 30, "guild B's message") {
                try await desk.dryRun(guild: Self.guildB.int64, message: message("FREE NITRO https://discord-nitro.gift/x", guild: Self.guildB.rawValue))
            }
            #expect(other.map { $0.verdict != .allow } == true, "guild B's rules still run")

            held.opened.signal()
            let written = try await put.value
            #expect(written.created)
            // The change is answered once the new set is in place: the next message sees it.
            #expect(try await desk.dryRun(guild: Self.guildA.int64, message: probe).verdict != .allow)
        }
    }

    @Test func aGuildsFirstMessageDoesNotQueueBehindAnotherGuildsRebuild() async throws {
        try await withStore(.sqlite) { db in
            let held = HeldCompile()
            let guilds = GuildDirectory(database: db, defaultPack: try loadDefaultPack(), compiler: held.compiler)
            let desk = RuleDesk(database: db, guilds: guilds)
            _ = try await guilds.context(for: Self.guildA)
            let put = Task { try await desk.put(guild: Self.guildA.int64, name: "held", body: .json(Array(Self.heldRule.utf8)), by: nil) }
            try await held.waitUntilEntered()
            // Guild C has never been seen: its first load compiles in its own lane while A's rebuild is held.
            let guildC = Snowflake(1_100_000_000_000_000_003)
            let first = try await Self.answered(within: 30, "guild C's first message") { try await guilds.context(for: guildC) }
            #expect(first.map { !$0.rules.rules.isEmpty } == true)
            held.opened.signal()
            _ = try await put.value
        }
    }

    @Test func aRebuildSupersededBeforeItStartsIsSkipped() async throws {
        try await withStore(.sqlite) { db in
            let held = HeldCompile()
            let guilds = GuildDirectory(database: db, defaultPack: try loadDefaultPack(), compiler: held.compiler)
            let desk = RuleDesk(database: db, guilds: guilds)
            _ = try await guilds.context(for: Self.guildA)
            let before = held.builds.load(ordering: .relaxed)
            let first = Task { try await desk.put(guild: Self.guildA.int64, name: "held", body: .json(Array(Self.heldRule.utf8)), by: nil) }
            try await held.waitUntilEntered()
            // Two more changes while the first one's rebuild is held: both rebuilds wait for the one thread.
            let second = Task { try await desk.put(guild: Self.guildA.int64, name: "x1", body: .json(Array(Self.contentRule("x1", keywords: 2).utf8)), by: nil) }
            try await Task.sleep(for: .milliseconds(50))
            let third = Task { try await desk.put(guild: Self.guildA.int64, name: "x2", body: .json(Array(Self.contentRule("x2", keywords: 2).utf8)), by: nil) }
            // The third change's rebuild is started (stored, then queued) before the held one is let go.
            for _ in 0..<3_000 {
                if try await count(db, "SELECT COUNT(*) AS n FROM automod_rules WHERE name = 'x2'") == 1 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            try await Task.sleep(for: .milliseconds(50))
            held.opened.signal()
            _ = try await first.value
            // A change whose rebuild was skipped still answers only once a set holding it is in place.
            _ = try await second.value
            #expect(try await guilds.context(for: Self.guildA).rules.rules.contains { $0.name == "x1" })
            _ = try await third.value
            // Every change answered, and the guild judges with all three rules; the second's rebuild was
            // skipped (its set was already out of date when its turn came), so two builds, not three.
            let names = try await guilds.context(for: Self.guildA).rules.rules.map(\.name)
            #expect(["held", "x1", "x2"].allSatisfy(names.contains), "\(names)")
            #expect(held.builds.load(ordering: .relaxed) - before == 2)
        }
    }

    @Test func concurrentFirstMessagesShareOneCompile() async throws {
        try await withStore(.sqlite) { db in
            // The first build is held until every caller has asked: without one shared load each would
            // start (and hold on) its own.
            let held = HeldCompile(holdEvery: true)
            let guilds = GuildDirectory(database: db, defaultPack: try loadDefaultPack(), compiler: held.compiler)
            final class Asked: Sendable { let count = Atomic<Int>(0) }
            let asked = Asked()
            let contexts = try await withThrowingTaskGroup(of: GuildContext.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        asked.count.add(1, ordering: .relaxed)
                        return try await guilds.context(for: Self.guildA)
                    }
                }
                try await held.waitUntilEntered()
                for _ in 0..<3_000 where asked.count.load(ordering: .relaxed) < 8 { try await Task.sleep(for: .milliseconds(10)) }
                try await Task.sleep(for: .milliseconds(50))
                held.opened.signal()
                return try await group.reduce(into: [GuildContext]()) { $0.append($1) }
            }
            #expect(contexts.count == 8)
            #expect(held.builds.load(ordering: .relaxed) == 1)
            #expect(Set(contexts.map { ObjectIdentifier($0.rules) }).count == 1)
        }
    }

    static func contentRule(_ name: String, keywords: Int, prefix: String = "w") -> String {
        let words = (0..<keywords).map { "\"\(prefix)\(name)\($0)\"" }.joined(separator: ",")
        return #"{"name": "\#(name)", "type": "content", "keywords": [\#(words)]}"#
    }

    static func regexRule(_ name: String, patterns: Int) -> String {
        let list = (0..<patterns).map { "\"p\(name)\($0)x\"" }.joined(separator: ",")
        return #"{"name": "\#(name)", "type": "regex", "patterns": [\#(list)]}"#
    }

    /// The ``RuleError`` `body` throws, if it is one.
    static func refusal(_ body: () async throws -> Void) async -> RuleError? {
        do { try await body(); return nil } catch { return error as? RuleError }
    }

    @Test(arguments: allDialects)
    func aChangePastAGuildLimitIsRefusedNamingItAndNothingIsStored(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let limits = RuleLimits(keywords: 10, patterns: 3, bytes: 2_000)
            let desk = RuleDesk(database: db, guilds: GuildDirectory(database: db, defaultPack: [], limits: limits))
            let guild = Self.guildA.int64
            func put(_ name: String, _ json: String) async throws { _ = try await desk.put(guild: guild, name: name, body: .json(Array(json.utf8)), by: 7) }

            try await put("a", Self.contentRule("a", keywords: 6))
            // 6 + 5 keywords is past 10.
            let keywords = await Self.refusal { try await put("b", Self.contentRule("b", keywords: 5)) }
            guard case .ruleLimit(let exceeded, _)? = keywords else { Issue.record("expected rule_limit, got \(String(describing: keywords))"); return }
            #expect(exceeded.limit == "keywords" && exceeded.maximum == 10 && exceeded.total == 11)
            #expect(keywords.map { $0.httpStatus == 422 && $0.code == "rule_limit" && $0.description.contains("at most 10 per guild") } == true)
            // Replacing a rule counts its new size, not both.
            try await put("a", Self.contentRule("a", keywords: 10))
            #expect(await Self.refusal { try await put("a", Self.contentRule("a", keywords: 11)) } != nil)

            try await put("r", Self.regexRule("r", patterns: 3))
            let patterns = await Self.refusal { try await put("s", Self.regexRule("s", patterns: 1)) }
            guard case .ruleLimit(let past, _)? = patterns else { Issue.record("expected rule_limit, got \(String(describing: patterns))"); return }
            #expect(past.limit == "patterns" && past.total == 4)

            // Nothing of the refused changes was stored or audited: the stored "a" is the 10-keyword one.
            let stored = try await desk.list(guild: guild).rules
            #expect(stored.map(\.definition.name).sorted() == ["a", "r"])
            #expect(stored.first { $0.definition.name == "a" }?.definition.config(as: ContentKind.self)?.keywords?.count == 10)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM admin_log WHERE target_id IN ('b', 's', 'long')") == 0)

            // The bytes limit, on a desk whose keyword limit is far: 40 keywords of 50 characters pass 2,000 bytes.
            let roomy = RuleDesk(database: db, guilds: GuildDirectory(database: db, defaultPack: [], limits: RuleLimits(keywords: 1_000, patterns: 3, bytes: 2_000)))
            let words = (0..<40).map { "\"\(String(repeating: "x", count: 47))\($0 + 100)\"" }.joined(separator: ",")
            let bytes = await Self.refusal {
                _ = try await roomy.put(guild: guild, name: "long", body: .json(Array(#"{"name": "long", "type": "content", "keywords": [\#(words)]}"#.utf8)), by: 7)
            }
            guard case .ruleLimit(let heavy, _)? = bytes else { Issue.record("expected rule_limit, got \(String(describing: bytes))"); return }
            #expect(heavy.limit == "bytes" && heavy.maximum == 2_000 && heavy.total > 2_000)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM admin_log WHERE target_id = 'long'") == 0)
        }
    }

    @Test func rulesStoredPastTheLimitsAreSkippedWhenLoadedAndReported() async throws {
        try await withStore(.sqlite) { db in
            let reported = Mutex<[RuleIssue]>([])
            let guilds = GuildDirectory(database: db, defaultPack: [], limits: RuleLimits(keywords: 10),
                                        report: { issue in reported.withLock { $0.append(issue) } })
            // Written around the desk (as an older version or a hand-edited row would have).
            let rules = try [Self.contentRule("first", keywords: 8), Self.contentRule("second", keywords: 8)].map {
                try RulePack.rule(json: Array($0.utf8), source: "test")
            }
            try await db.transaction { conn in _ = try GuildDirectory.importPack(rules, into: Self.guildA, on: conn, by: nil, at: Date()) }
            let context = try await guilds.context(for: Self.guildA)
            #expect(context.rules.rules.map(\.name) == ["first"])
            #expect(context.issues.contains { $0.rule == "second" && $0.message.contains("keywords limit") })
            #expect(reported.withLock { $0.contains { $0.rule == "second" } })
        }
    }
}
