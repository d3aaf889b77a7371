/// Errors from the storage layer. Every case carries enough context to act on the message alone;
/// URLs are always redacted (no password) before they are stored in an error.
public enum StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The database URL could not be understood. The URL is redacted.
    case badURL(String, reason: String)
    /// Could not connect or open the store. The URL is redacted.
    case connect(String, message: String)
    /// A statement failed. `sql` is a short excerpt of the statement; `sqlState` is the PostgreSQL
    /// SQLSTATE, or for SQLite the SQLSTATE of the equivalent PostgreSQL error where one exists
    /// (constraint violations: 23505 unique, 23503 foreign key, 23502 not null, 23514 check).
    case statement(String, message: String, sqlState: String?)
    /// A row accessor found a value it cannot convert (or no such column).
    case column(String, expected: String, got: String)
    /// A migration failed; the transaction that applied it was rolled back.
    case migration(Int, message: String)
    /// The store has been closed.
    case closed

    public var description: String {
        switch self {
        case let .badURL(url, reason):
            return "bad database URL '\(url)': \(reason)"
        case let .connect(url, message):
            return "cannot connect to '\(url)': \(message)"
        case let .statement(sql, message, sqlState):
            let state = sqlState.map { " [SQLSTATE \($0)]" } ?? ""
            return "statement failed\(state): \(message) -- in: \(sql)"
        case let .column(name, expected, got):
            return "column '\(name)': expected \(expected), got \(got)"
        case let .migration(version, message):
            return "migration \(version) failed: \(message)"
        case .closed:
            return "the database is closed"
        }
    }

    /// The SQLSTATE of a statement error, if any.
    public var sqlState: String? {
        if case let .statement(_, _, state) = self { return state }
        return nil
    }

    /// True for a unique or primary key violation (SQLSTATE 23505) in either dialect.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// PostgreSQL aborted the transaction for a deadlock or a serialisation failure: running it again is safe.
    public var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }

    /// A one-line excerpt of `sql` for error messages: whitespace collapsed, at most 160 characters.
    static func excerpt(_ sql: String) -> String {
        let collapsed = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .joined(separator: " ")
        return collapsed.count > 160 ? String(collapsed.prefix(157)) + "..." : collapsed
    }
}
