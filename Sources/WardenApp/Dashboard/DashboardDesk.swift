import Foundation
import WardenCore
import WardenStore
import WardenSupport

/// A guild's figures at a glance, for the console's dashboard: decisions per day by verdict, the rules that
/// fire most, appeals and their approval rate, LLM calls and quota denials, tickets, FAQ deflection and
/// proposals waiting. Read-only; every figure comes from the store, so every instance shows the same.
public struct DashboardDesk: Sendable {
    public let database: any Database
    public let deflection: FAQDeflectionDesk
    private let clock: @Sendable () -> Date

    public init(database: any Database, deflection: FAQDeflectionDesk, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.deflection = deflection; self.clock = clock
    }

    /// The dashboard of one guild over the last `days` days (UTC, today included).
    public struct Dashboard: Sendable {
        /// The days shown, oldest first.
        public var days: [String]
        /// Per day: logged `flag` and `block` decisions.
        public var flagged: [Int]
        public var blocked: [Int]
        /// Rules by triggers over the window, most first: name, triggers, approved appeals (false positives).
        public var topRules: [(name: String, triggers: Int, falsePositives: Int)]
        public var appealsFiled: Int
        public var appealsApproved: Int
        public var appealsDenied: Int
        public var appealsPending: Int
        /// Approved ÷ decided, nil when none was decided.
        public var approvalRate: Double?
        public var llmCalls: [Int]
        public var quotaDenials: [Int]
        public var tickets: [String: Int]
        public var pendingProposals: Int
        public var deflection: DeflectionStats
    }

    public func dashboard(guild: Int64, days: Int = 14) async throws -> Dashboard {
        let now = clock()
        let (start, labels) = UTCDay.window(days: days, endingAt: now)
        let firstDay = labels.first ?? UTCDay.of(now)
        let figures = try await database.transaction { conn in
            (decisions: try GuildFigures.decisionsPerDay(on: conn, guild: guild, sinceDay: firstDay),
             rules: try GuildFigures.ruleDays(on: conn, guild: guild, sinceDay: firstDay),
             names: try AutomodRepository.rules(on: conn, guild: guild),
             appeals: try GuildFigures.appealsByStatus(on: conn, guild: guild, since: start),
             llm: try GuildFigures.llmPerDay(on: conn, guild: guild, sinceDay: firstDay),
             tickets: try GuildFigures.ticketsByStatus(on: conn, guild: guild),
             proposals: try GuildFigures.pendingProposals(on: conn, guild: guild))
        }
        func series(_ counts: [GuildFigures.DayCount], _ kind: String) -> [Int] {
            let byDay = Dictionary(counts.filter { $0.kind == kind }.map { ($0.day, $0.count) }, uniquingKeysWith: +)
            return labels.map { byDay[$0] ?? 0 }
        }
        let names = Dictionary(figures.names.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var perRule: [Int64: (Int, Int)] = [:]
        for day in figures.rules {
            let sum = perRule[day.ruleID] ?? (0, 0)
            perRule[day.ruleID] = (sum.0 + day.triggers, sum.1 + day.falsePositives)
        }
        let top = perRule.sorted { $0.value.0 != $1.value.0 ? $0.value.0 > $1.value.0 : $0.key < $1.key }.prefix(8).map {
            (name: names[$0.key] ?? "rule \($0.key)", triggers: $0.value.0, falsePositives: $0.value.1)
        }
        let approved = figures.appeals["approved"] ?? 0, denied = figures.appeals["denied"] ?? 0
        return Dashboard(days: labels, flagged: series(figures.decisions, "flag"), blocked: series(figures.decisions, "block"), topRules: top,
                         appealsFiled: figures.appeals.values.reduce(0, +), appealsApproved: approved, appealsDenied: denied,
                         appealsPending: figures.appeals["pending"] ?? 0,
                         approvalRate: approved + denied > 0 ? Double(approved) / Double(approved + denied) : nil,
                         llmCalls: series(figures.llm, "calls"), quotaDenials: series(figures.llm, "denied"), tickets: figures.tickets,
                         pendingProposals: figures.proposals, deflection: try await deflection.stats(guild: guild, days: days))
    }

    /// The guild's most frequent FAQ searches since `since` that found nothing (the FAQ's gaps).
    public func faqGaps(guild: Int64, since: Date, limit: Int = 20) async throws -> [(query: String, count: Int)] {
        try await database.transaction { conn in try GuildFigures.zeroResultQueries(on: conn, guild: guild, since: since, limit: limit) }
    }

    /// The guilds the store knows (rules or settings), for an unscoped token's guild switcher.
    public func knownGuilds() async throws -> [Int64] {
        try await database.transaction { conn in try GuildFigures.knownGuilds(on: conn) }
    }
}
