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
    /// A text parameter held U+0000 (raw, or escaped in JSON), which PostgreSQL cannot store and libpq
    /// would cut the text at. Refused before either driver sees it, so both stores behave the same and
    /// nothing is stored cut short. `parameter` is 1-based (`$N`); `sql` is an excerpt of the statement.
    case unstorableText(parameter: Int, sql: String)

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
        case let .unstorableText(parameter, sql):
            return "parameter $\(parameter) holds a NUL character (U+0000), which is not stored -- in: \(sql)"
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

    /// The store cannot be used right now, through no fault of the request: it refused or dropped the
    /// connection, is shutting down or starting up, has no connection slot left, or (SQLite) another
    /// process holds the write lock past the busy timeout. The same request sent again later can succeed.
    ///
    /// The drivers make these recognisable: a failed connect is ``connect(_:message:)``; a statement on a
    /// connection libpq reports broken carries SQLSTATE 08006 when the server sent none; SQLite's
    /// SQLITE_BUSY and SQLITE_LOCKED carry 55P03.
    public var isUnavailable: Bool {
        switch self {
        case .connect, .closed:
            return true
        case .statement(_, _, let state?):
            return Self.unavailableStates.contains(state) || state.hasPrefix("08")
        default:
            return false
        }
    }

    /// Worth sending again after a short wait: a busy or unavailable store. Answered 503 with Retry-After.
    public var isTransient: Bool { isRetryable || isUnavailable }

    /// 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53300 too many connections,
    /// 55P03 lock not available (also SQLite's busy and locked); class 08 is handled by its prefix.
    static let unavailableStates: Set<String> = ["57P01", "57P02", "57P03", "53300", "55P03"]

    /// A one-line excerpt of `sql` for error messages: whitespace collapsed, at most 160 characters.
    static func excerpt(_ sql: String) -> String {
        let collapsed = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .joined(separator: " ")
        return collapsed.count > 160 ? String(collapsed.prefix(157)) + "..." : collapsed
    }
}
