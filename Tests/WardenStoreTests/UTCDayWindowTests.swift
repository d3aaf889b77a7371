import Foundation
import Testing
import WardenStore

@Suite("UTC day windows")
struct UTCDayWindowTests {
    @Test func theWindowEndsOnTodayAndStartsAtMidnightUTC() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2026-12-07T15:04:05Z"))
        let (start, days) = UTCDay.window(days: 3, endingAt: now)
        #expect(days == ["2026-12-05", "2026-12-06", "2026-12-07"])
        #expect(start == ISO8601DateFormatter().date(from: "2026-12-05T00:00:00Z"))
        // Just before midnight the day is still today's; one day is the least.
        let late = try #require(ISO8601DateFormatter().date(from: "2026-12-31T23:59:59Z"))
        #expect(UTCDay.window(days: 0, endingAt: late).days == ["2026-12-31"])
        #expect(UTCDay.window(days: 14, endingAt: late).days.first == "2026-12-18")
    }
}
