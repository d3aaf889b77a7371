import Foundation

/// A keyword with Discord's semantics: whole word unless `*` opens a side (`cat*`, `*cat`, `*cat*`).
public struct KeywordPattern: Sendable, Equatable {
    public let written: String
    public let core: String
    /// `*` at the start: the keyword may end a longer word.
    public let openStart: Bool
    /// `*` at the end: the keyword may start a longer word.
    public let openEnd: Bool

    public init?(_ written: String) {
        guard Self.problem(written) == nil else { return nil }
        self.written = written
        let trimmed = written.trimmingCharacters(in: .whitespaces)
        openStart = trimmed.hasPrefix("*")
        openEnd = trimmed.hasSuffix("*") && trimmed.count > 1
        core = String(trimmed.drop { $0 == "*" }.reversed().drop { $0 == "*" }.reversed())
    }

    /// Why a keyword is unusable, or nil.
    public static func problem(_ keyword: String) -> String? {
        let trimmed = keyword.trimmingCharacters(in: .whitespaces)
        let core = trimmed.drop { $0 == "*" }.reversed().drop { $0 == "*" }
        if core.isEmpty { return "is empty" }
        if core.contains("*") { return "'*' is only allowed at the start or end of a keyword" }
        if core.count > 60 { return "is longer than 60 characters" }
        return nil
    }
}

