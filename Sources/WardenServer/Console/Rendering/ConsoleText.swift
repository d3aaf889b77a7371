import Foundation
import WardenSupport

/// How the console writes times, numbers and member text (invisible characters as markers, long texts cut).
enum ConsoleText {
    /// `2026-12-07 15:44 UTC`.
    static func stamp(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// `YYYY-MM-DD` (UTC).
    static func day(_ date: Date) -> String { String(stamp(date).prefix(10)) }

    /// `3 h ago`, `2 d ago`.
    static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, now.timeIntervalSince(date))
        switch seconds {
        case ..<60: return "just now"
        case ..<3600: return "\(Int(seconds / 60)) min ago"
        case ..<86_400: return "\(Int(seconds / 3600)) h ago"
        default: return "\(Int(seconds / 86_400)) d ago"
        }
    }

    /// A number without a needless `.0`.
    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.2f", value)
    }

    /// Text as written, but invisible and bidirectional characters as `[U+202E]` markers.
    static func visible(_ text: String) -> String { TranscriptText.visible(text) }

    /// The first `limit` characters of `text` on one line, invisible characters shown as markers, with an
    /// ellipsis when cut.
    static func excerpt(_ text: String, _ limit: Int) -> String {
        let line = TranscriptText.visible(text).split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }
}
