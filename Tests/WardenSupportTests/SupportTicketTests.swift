import Foundation
import Testing
@testable import WardenSupport
import WardenCore

@Suite struct SupportTicketTests {
    let staff = Snowflake(42)
    let role = Snowflake(7)

    @Test func everyValidTransition() throws {
        let valid: [(TicketStatus, TicketEvent, TicketStatus)] = [
            (.open, .claim(by: staff), .claimed),
            (.escalated, .claim(by: staff), .claimed),
            (.claimed, .waitForUser, .waitingForUser),
            (.escalated, .waitForUser, .waitingForUser),
            (.waitingForUser, .userReplied, .claimed),
            (.open, .escalate(to: role), .escalated),
            (.claimed, .escalate(to: role), .escalated),
            (.waitingForUser, .escalate(to: role), .escalated),
            (.open, .close, .closed),
            (.claimed, .close, .closed),
            (.waitingForUser, .close, .closed),
            (.escalated, .close, .closed),
            (.closed, .reopen, .open),
            (.closed, .archive(by: staff), .archived),
        ]
        for (from, event, to) in valid {
            #expect(try TicketStatus.transition(from: from, event) == to, "\(from) + \(event)")
        }
        // The table holds exactly these: every other (status, event) pair is refused.
        var refused = 0
        for status in TicketStatus.allCases {
            for event in [TicketEvent.claim(by: staff), .waitForUser, .userReplied, .escalate(to: role), .close, .reopen, .archive(by: staff)]
            where !valid.contains(where: { $0.0 == status && $0.1 == event }) {
                #expect(throws: TicketTransitionError(from: status, event: event.kind)) { try TicketStatus.transition(from: status, event) }
                refused += 1
            }
        }
        #expect(refused == 6 * 7 - valid.count)
    }

    @Test func invalidTransitionsNameTheStatusAndTheEvent() throws {
        func message(_ status: TicketStatus, _ event: TicketEvent) -> String? {
            do {
                _ = try TicketStatus.transition(from: status, event)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(message(.archived, .close) == "cannot close an archived ticket (nothing can be done to it any more)")
        #expect(message(.archived, .reopen)?.hasPrefix("cannot reopen an archived ticket") == true)
        #expect(message(.claimed, .claim(by: staff)) == "cannot claim a claimed ticket (allowed: wait_for_user, escalate, close)")
        #expect(message(.open, .archive(by: staff)) == "cannot archive an open ticket (allowed: claim, escalate, close)")
        #expect(message(.open, .userReplied)?.hasPrefix("cannot record a user reply on an open ticket") == true)
        #expect(message(.closed, .waitForUser) == "cannot wait for the user on a closed ticket (allowed: reopen, archive)")
        #expect(message(.waitingForUser, .reopen)?.hasPrefix("cannot reopen a ticket waiting for the user") == true)
        #expect(message(.escalated, .escalate(to: role))?.hasPrefix("cannot escalate an escalated ticket") == true)
    }

    @Test func storedStatusesRoundTrip() {
        #expect(TicketStatus.allCases.map(\.rawValue) == ["open", "claimed", "waiting_for_user", "escalated", "closed", "archived"])
        #expect(TicketStatus(stored: "waiting_for_user") == .waitingForUser)
        #expect(TicketStatus(stored: "Closed") == nil)
        #expect(TicketStatus.archived.allowedEvents.isEmpty)
    }

    // MARK: Metrics

    @Test func metricsPerScope() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let day: TimeInterval = 86_400
        func ago(_ days: Double) -> Date { now.addingTimeInterval(-days * day) }
        let tickets = [
            // created 2 days ago, closed after 1 hour (inside 7d)
            TicketMetricsInput(status: .closed, createdAt: ago(2), closedAt: ago(2).addingTimeInterval(3_600)),
            // created 3 days ago, still open
            TicketMetricsInput(status: .open, createdAt: ago(3)),
            // created 10 days ago, closed 5 days ago: counted in 30d, cycle time (5 days) in 7d and 30d
            TicketMetricsInput(status: .archived, createdAt: ago(10), closedAt: ago(5)),
            // created 20 days ago, closed 15 days ago (5 days): 30d only
            TicketMetricsInput(status: .closed, createdAt: ago(20), closedAt: ago(15)),
            // created 100 days ago, closed 90 days ago (10 days): all only
            TicketMetricsInput(status: .closed, createdAt: ago(100), closedAt: ago(90)),
            // created 40 days ago, waiting
            TicketMetricsInput(status: .waitingForUser, createdAt: ago(40)),
            // reopened: status open, no close time
            TicketMetricsInput(status: .claimed, createdAt: ago(1), closedAt: nil),
        ]
        let snapshots = TicketMetrics.snapshots(of: tickets, now: now)
        #expect(snapshots.map(\.scope) == [.sevenDays, .thirtyDays, .all])

        let week = snapshots[0]
        #expect(week.since == ago(7))
        #expect(week.total == 3)
        #expect(week.counts == [.open: 1, .claimed: 1, .waitingForUser: 0, .escalated: 0, .closed: 1, .archived: 0])
        #expect(week.closedInScope == 2)
        #expect(week.averageCycleTimeSeconds == (3_600 + 5 * 86_400) / 2)  // 217,800

        let month = snapshots[1]
        #expect(month.total == 5)
        #expect(month.counts[.closed] == 2 && month.counts[.archived] == 1 && month.counts[.waitingForUser] == 0)
        #expect(month.closedInScope == 3)
        #expect(month.averageCycleTimeSeconds == (3_600 + 5 * 86_400 + 5 * 86_400) / 3)  // 289,200

        let all = snapshots[2]
        #expect(all.since == nil)
        #expect(all.total == 7)
        #expect(all.counts[.closed] == 3 && all.counts[.waitingForUser] == 1)
        #expect(all.closedInScope == 4)
        #expect(all.averageCycleTimeSeconds == (3_600 + 5 * 86_400 + 5 * 86_400 + 10 * 86_400) / 4)  // 432,900
    }

    @Test func metricsWithoutClosedTicketsHaveNoAverage() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let snapshot = TicketMetrics.snapshot(of: [TicketMetricsInput(status: .open, createdAt: now)], scope: .sevenDays, now: now)
        #expect(snapshot.averageCycleTimeSeconds == nil)
        #expect(snapshot.total == 1)
        // Skewed clocks: closed "before" creation counts as 0, and rounding is to the nearest second.
        let skewed = TicketMetrics.snapshot(of: [
            TicketMetricsInput(status: .closed, createdAt: now.addingTimeInterval(-10), closedAt: now.addingTimeInterval(-20)),
            TicketMetricsInput(status: .closed, createdAt: now.addingTimeInterval(-30), closedAt: now.addingTimeInterval(-27)),
        ], scope: .all, now: now)
        #expect(skewed.averageCycleTimeSeconds == 2)  // (0 + 3) / 2 = 1.5 → 2

        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let json = try JSONValue.parse(Array(encoder.encode(snapshot)))
        #expect(json["average_cycle_time"] == .null)
        #expect(json["scope"] == "7d")
        #expect(json["counts"]?["waiting_for_user"] == 0)
        #expect(json["counts"]?["open"] == 1)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        #expect(try decoder.decode(TicketMetricsSnapshot.self, from: encoder.encode(snapshot)) == snapshot)
    }
}
