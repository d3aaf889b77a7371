import Foundation
import WardenCore

/// The time scopes a `ticket_metrics` snapshot is taken for (`ticket_metrics.scope`).
public enum TicketMetricsScope: String, Sendable, Codable, CaseIterable {
    case sevenDays = "7d"
    case thirtyDays = "30d"
    case all

    /// Length of the window; nil for `all`.
    public var window: TimeInterval? {
        switch self {
        case .sevenDays: 7 * 86_400
        case .thirtyDays: 30 * 86_400
        case .all: nil
        }
    }
}

/// The parts of a ticket the metrics need. `support_tickets` has no `closed_at` column: the caller passes
/// the time the ticket was closed (from the close event, or `updated_at` of a closed ticket), nil while open.
public struct TicketMetricsInput: Sendable, Equatable {
    public var status: TicketStatus
    public var createdAt: Date
    public var closedAt: Date?

    public init(status: TicketStatus, createdAt: Date, closedAt: Date? = nil) {
        self.status = status; self.createdAt = createdAt; self.closedAt = closedAt
    }
}

/// One `ticket_metrics` row: the counts and the average cycle time for one scope.
public struct TicketMetricsSnapshot: Sendable, Equatable, Codable {
    public var scope: TicketMetricsScope
    /// Start of the window (inclusive); nil for `all`.
    public var since: Date?
    /// When the snapshot was computed.
    public var computedAt: Date
    /// Tickets created in the window, by current status. Every status is present (0 when none) so that
    /// consumers of the JSON never have to tell "missing" from "zero".
    public var counts: [TicketStatus: Int]
    /// Sum of `counts`.
    public var total: Int
    /// How many tickets the average is over: those closed in the window.
    public var closedInScope: Int
    /// Average seconds from creation to close over `closedInScope` tickets, rounded to the nearest second
    /// (`ticket_metrics.average_cycle_time` is a BIGINT); nil when no ticket closed in the window.
    public var averageCycleTimeSeconds: Int?

    public init(scope: TicketMetricsScope, since: Date?, computedAt: Date, counts: [TicketStatus: Int],
                total: Int, closedInScope: Int, averageCycleTimeSeconds: Int?) {
        self.scope = scope; self.since = since; self.computedAt = computedAt; self.counts = counts
        self.total = total; self.closedInScope = closedInScope; self.averageCycleTimeSeconds = averageCycleTimeSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case scope, since, counts, total
        case computedAt = "computed_at"
        case closedInScope = "closed_in_scope"
        case averageCycleTimeSeconds = "average_cycle_time"
    }

    // Explicit nulls: a dashboard must see `"average_cycle_time": null` (no data), not a missing key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scope, forKey: .scope)
        try c.encode(since, forKey: .since)
        try c.encode(computedAt, forKey: .computedAt)
        try c.encode(counts, forKey: .counts)
        try c.encode(total, forKey: .total)
        try c.encode(closedInScope, forKey: .closedInScope)
        try c.encode(averageCycleTimeSeconds, forKey: .averageCycleTimeSeconds)
    }
}

/// Computes `ticket_metrics` snapshots from ticket rows. Pure: the caller loads the rows and stores the result.
public enum TicketMetrics {
    /// One snapshot per scope (7d, 30d, all), in that order.
    public static func snapshots(of tickets: [TicketMetricsInput], now: Date) -> [TicketMetricsSnapshot] {
        TicketMetricsScope.allCases.map { snapshot(of: tickets, scope: $0, now: now) }
    }

    /// The snapshot for one scope.
    ///
    /// The two numbers answer different questions, so they select tickets differently:
    /// - counts are over tickets *created* in the window ("what came in this week, and where is it now");
    /// - the cycle time is over tickets *closed* in the window ("how long did the tickets we finished this
    ///   week take"). Selecting those by creation instead would drop every long ticket from a 7-day
    ///   average and make it look better the slower the desk is.
    /// A close time before the creation time (clock skew between writers) counts as 0 seconds rather than
    /// pulling the average down with a negative duration.
    public static func snapshot(of tickets: [TicketMetricsInput], scope: TicketMetricsScope, now: Date) -> TicketMetricsSnapshot {
        let since = scope.window.map { now.addingTimeInterval(-$0) }
        var counts = Dictionary(uniqueKeysWithValues: TicketStatus.allCases.map { ($0, 0) })
        var total = 0
        var closed = 0
        var cycleSum: Double = 0
        for ticket in tickets {
            if since.map({ ticket.createdAt >= $0 }) ?? true {
                counts[ticket.status, default: 0] += 1
                total += 1
            }
            // A reopened ticket has no close time any more: the caller passes nil for it.
            guard let closedAt = ticket.closedAt, ticket.status.isFinished else { continue }
            guard since.map({ closedAt >= $0 }) ?? true, closedAt <= now else { continue }
            closed += 1
            cycleSum += max(0, closedAt.timeIntervalSince(ticket.createdAt))
        }
        let average = closed == 0 ? nil : Int((cycleSum / Double(closed)).rounded())
        return TicketMetricsSnapshot(scope: scope, since: since, computedAt: now, counts: counts, total: total,
                                     closedInScope: closed, averageCycleTimeSeconds: average)
    }
}
