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
