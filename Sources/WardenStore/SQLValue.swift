import Foundation

/// A value bound to a statement parameter. SQL text uses `$1, $2, ...` placeholders in BOTH dialects
/// (the SQLite driver rewrites `$N` to `?N`, caching the rewrite).
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)
    /// TIMESTAMPTZ in PostgreSQL; in SQLite TEXT 'YYYY-MM-DDTHH:MM:SS.ssssssZ' (UTC, fixed width so it sorts).
    case timestamp(Date)
    /// 'YYYY-MM-DD' (DATE in PostgreSQL, TEXT in SQLite).
    case date(String)
    /// JSON text: JSONB in PostgreSQL, TEXT in SQLite. PostgreSQL returns it normalised (key order, spacing).
    case json(String)
}

extension SQLValue {
    /// `.int` or `.null`.
    public static func int(_ value: Int64?) -> SQLValue { value.map(SQLValue.int) ?? .null }
    /// `.text` or `.null`.
    public static func text(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    /// `.json` or `.null`.
    public static func json(_ value: String?) -> SQLValue { value.map(SQLValue.json) ?? .null }
    /// `.timestamp` or `.null`.
    public static func timestamp(_ value: Date?) -> SQLValue { value.map(SQLValue.timestamp) ?? .null }
}

extension SQLValue {
    /// Refuses a text that holds U+0000, raw or (in JSON) as the escape `\u0000`: PostgreSQL stores
    /// neither (libpq ends a text parameter at the NUL; JSONB refuses the escape) while SQLite keeps both.
    /// Both drivers call this for every parameter before binding, so the stores agree and nothing is cut.
    func checkStorable(parameter: Int, sql: String) throws(StoreError) {
        switch self {
        case .text(let text), .date(let text):
            if text.utf8.contains(0) { throw .unstorableText(parameter: parameter, sql: StoreError.excerpt(sql)) }
        case .json(let text):
            if Self.holdsNUL(json: text) { throw .unstorableText(parameter: parameter, sql: StoreError.excerpt(sql)) }
        case .null, .int, .double, .bool, .timestamp:
            return
        }
    }

    /// True when JSON text holds a raw NUL byte or a `\u0000` escape.
    static func holdsNUL(json text: String) -> Bool {
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            if byte == 0 { return true }
            guard byte == UInt8(ascii: "\\") else { continue }
            // An escape: `\uXXXX` is checked for 0000; any other escape is two bytes and skipped whole,
            // so the second backslash of `\\` never starts an escape of its own.
            guard let kind = utf8.next() else { return false }
            if kind == 0 { return true }
            guard kind == UInt8(ascii: "u") else { continue }
            var zeros = 0
            for _ in 0..<4 {
                guard let digit = utf8.next() else { return false }
                if digit == 0 { return true }
                if digit == UInt8(ascii: "0") { zeros += 1 }
            }
            if zeros == 4 { return true }
        }
        return false
    }
}
