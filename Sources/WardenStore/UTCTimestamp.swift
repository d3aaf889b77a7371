import Foundation

/// Formats and parses the timestamps the two drivers exchange, by hand: this runs for every timestamp
/// column of every row, and the formats are fixed, so a calendar or formatter would only add cost.
///
/// Written: `YYYY-MM-DDTHH:MM:SS.ssssssZ` (27 characters, UTC, microseconds) — sorts as text in SQLite
/// and is accepted by PostgreSQL as a TIMESTAMPTZ literal.
/// Read: that form, PostgreSQL's ISO output (`2026-11-22 02:10:00.123456+00`, fraction optional, offset
/// `±HH[:MM[:SS]]`), and zone-less `YYYY-MM-DD HH:MM:SS` (SQLite's CURRENT_TIMESTAMP, taken as UTC).
enum UTCTimestamp {
    /// Returns nil when the year falls outside 0001...9999, which a fixed-width text cannot hold.
    static func format(_ date: Date) -> String? {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard micros.isFinite, abs(micros) < 9.0e17 else { return nil }
        let total = Int64(micros)
        let seconds = floorDiv(total, 1_000_000)
        let fraction = total - seconds * 1_000_000
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        guard (1...9999).contains(year) else { return nil }
        var out = ""
        out.reserveCapacity(27)
        append(&out, year, width: 4); out += "-"
        append(&out, month, width: 2); out += "-"
        append(&out, day, width: 2); out += "T"
        append(&out, secondOfDay / 3600, width: 2); out += ":"
        append(&out, secondOfDay % 3600 / 60, width: 2); out += ":"
        append(&out, secondOfDay % 60, width: 2); out += "."
        append(&out, fraction, width: 6); out += "Z"
        return out
    }

    static func parse(_ text: String) -> Date? {
        var s = Scanner(Array(text.utf8))
        guard let year = s.digits(4), s.take(UInt8(ascii: "-")),
              let month = s.digits(2), s.take(UInt8(ascii: "-")),
              let day = s.digits(2),
              s.take(UInt8(ascii: "T")) || s.take(UInt8(ascii: " ")),
              let hour = s.digits(2), s.take(UInt8(ascii: ":")),
              let minute = s.digits(2), s.take(UInt8(ascii: ":")),
              let second = s.digits(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var micros: Int64 = 0
        if s.take(UInt8(ascii: ".")) {
            var scale: Int64 = 100_000
            var count = 0
            while let d = s.digit() {
                micros += Int64(d) * scale
                scale /= 10
                count += 1
            }
            guard count > 0 else { return nil }
        }
        var offsetSeconds: Int64 = 0
        if s.take(UInt8(ascii: "Z")) {
            // UTC
        } else if let sign = s.sign() {
            guard let oh = s.digits(2) else { return nil }
            var offset = oh * 3600
            if s.take(UInt8(ascii: ":")) {
                guard let om = s.digits(2) else { return nil }
                offset += om * 60
                if s.take(UInt8(ascii: ":")) {
                    guard let os = s.digits(2) else { return nil }
                    offset += os
                }
            }
            offsetSeconds = sign * offset
        }
        guard s.atEnd else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func append(_ out: inout String, _ value: Int64, width: Int) {
        let digits = String(value)
        if digits.count < width { out += String(repeating: "0", count: width - digits.count) }
        out += digits
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index == bytes.count }
        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        mutating func digit() -> Int64? {
            guard index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 else { return nil }
            index += 1
            return Int64(bytes[index - 1] - 48)
        }
        mutating func digits(_ count: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<count {
                guard let d = digit() else { return nil }
                value = value * 10 + d
            }
            return value
        }
        mutating func sign() -> Int64? {
            if take(UInt8(ascii: "+")) { return 1 }
            if take(UInt8(ascii: "-")) { return -1 }
            return nil
        }
    }
}

/// The UTC calendar day of a moment as `YYYY-MM-DD`: the form of the store's day columns
/// (`gpt_usage.usage_date`, `automod_stats.date`), so every writer and reader agrees on it.
public enum UTCDay {
    public static func of(_ date: Date) -> String {
        // Outside years 1-9999 there is no fixed-width text; such a clock is broken, and day 1 is as good as any.
        String((UTCTimestamp.format(date) ?? "0001-01-01").prefix(10))
    }

    /// The last `days` UTC days up to the one holding `now`, oldest first, and the midnight the first begins at:
    /// the window of the console's per-day figures.
    public static func window(days: Int, endingAt now: Date) -> (start: Date, days: [String]) {
        let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 - Double(max(1, days) - 1) * 86_400)
        return (start, (0..<max(1, days)).map { of(start.addingTimeInterval(Double($0) * 86_400)) })
    }
}
