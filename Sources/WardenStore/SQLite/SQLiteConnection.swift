import CSQLite
import Foundation

/// One SQLite connection with a cache of prepared statements keyed by the caller's SQL text.
/// Confined to the `SQLiteWriter` actor, which runs on a dedicated serial queue.
final class SQLiteConnection: SQLConnection, ScriptRunning {
    let dialect = SQLDialect.sqlite
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    /// Enough for every statement the application uses; past it the cache is emptied rather than
    /// tracked per entry, because only ad-hoc SQL (tests, tools) ever gets there.
    private static let statementCacheLimit = 512

    /// Opens `path` (or an in-memory database for ":memory:") and applies the connection settings.
    init(path: String, redactedURL: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw StoreError.connect(redactedURL, message: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        do {
            // WAL lets readers proceed during writes; NORMAL syncs at checkpoints, not at every commit.
            try runScript("""
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                PRAGMA foreign_keys = ON;
                PRAGMA busy_timeout = 5000;
                """)
        } catch {
            sqlite3_close_v2(db)
            throw StoreError.connect(redactedURL, message: "\(error)")
        }
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// True when no transaction is open (SQLite rolls back by itself after some errors).
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) throws -> Int {
        let statement = try prepared(sql, binds)
        defer { release(statement) }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            if rc != SQLITE_ROW { throw failure(sql, rc) }
        }
        return Int(sqlite3_changes(handle))
    }

    func query(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        let statement = try prepared(sql, binds)
        defer { release(statement) }
        let count = Int(sqlite3_column_count(statement))
        let columns = SQLColumns((0..<count).map { i in
            sqlite3_column_name(statement, Int32(i)).map { String(cString: $0) } ?? "?column\(i)?"
        })
        var rows: [SQLRow] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure(sql, rc) }
            var cells: [SQLCell] = []
            cells.reserveCapacity(count)
            for i in 0..<Int32(count) { cells.append(cell(statement, i)) }
            rows.append(SQLRow(columns: columns, cells: cells))
        }
        return rows
    }

    /// Runs several statements without parameters (migrations, pragmas).
    func runScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            throw StoreError.statement(StoreError.excerpt(sql), message: text, sqlState: Self.sqlState(rc))
        }
    }

    // MARK: - Statements

    private func prepared(_ sql: String, _ binds: [SQLValue]) throws -> OpaquePointer {
        let statement: OpaquePointer
        if let cached = statements[sql] {
            statement = cached
        } else {
            var fresh: OpaquePointer?
            let rc = sqlite3_prepare_v3(handle, SQLitePlaceholders.rewrite(sql), -1,
                                        UInt32(SQLITE_PREPARE_PERSISTENT), &fresh, nil)
            guard rc == SQLITE_OK, let fresh else { throw failure(sql, rc) }
            if statements.count >= Self.statementCacheLimit {
                for old in statements.values { sqlite3_finalize(old) }
                statements.removeAll(keepingCapacity: true)
            }
            statements[sql] = fresh
            statement = fresh
        }
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == binds.count else {
            throw StoreError.statement(StoreError.excerpt(sql),
                                       message: "statement takes \(expected) parameters, \(binds.count) given", sqlState: "08P01")
        }
        for (offset, value) in binds.enumerated() {
            do { try value.checkStorable(parameter: offset + 1, sql: sql) } catch {
                release(statement)
                throw error
            }
            let rc = try bind(value, at: Int32(offset + 1), in: statement, sql: sql)
            if rc != SQLITE_OK {
                release(statement)
                throw failure(sql, rc)
            }
        }
        return statement
    }

    private func bind(_ value: SQLValue, at index: Int32, in statement: OpaquePointer, sql: String) throws -> Int32 {
        switch value {
        case .null: return sqlite3_bind_null(statement, index)
        case let .int(v): return sqlite3_bind_int64(statement, index, v)
        case let .double(v): return sqlite3_bind_double(statement, index, v)
        case let .bool(v): return sqlite3_bind_int64(statement, index, v ? 1 : 0)
        case let .text(s), let .json(s), let .date(s): return bindText(s, at: index, in: statement)
        case let .timestamp(date):
            guard let text = UTCTimestamp.format(date) else {
                release(statement)
                throw StoreError.statement(StoreError.excerpt(sql),
                                           message: "parameter $\(index): timestamp \(date) is outside years 1-9999", sqlState: "22008")
            }
            return bindText(text, at: index, in: statement)
        }
    }

    private func bindText(_ s: String, at index: Int32, in statement: OpaquePointer) -> Int32 {
        let length = Int32(clamping: s.utf8.count)
        // withCString's pointer is never nil, so an empty string binds as '' rather than NULL.
        return s.withCString { warden_sqlite3_bind_text_transient(statement, index, $0, length) }
    }

    private func cell(_ statement: OpaquePointer, _ i: Int32) -> SQLCell {
        switch sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .int(sqlite3_column_int64(statement, i))
        case SQLITE_FLOAT: return .double(sqlite3_column_double(statement, i))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(statement, i))
            guard let base = sqlite3_column_text(statement, i) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, i))
            guard let base = sqlite3_column_blob(statement, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: base, count: count)))
        default: return .null
        }
    }

    private func release(_ statement: OpaquePointer) {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    private func failure(_ sql: String, _ rc: Int32) -> StoreError {
        let message = String(cString: sqlite3_errmsg(handle))
        let code = sqlite3_extended_errcode(handle)
        return StoreError.statement(StoreError.excerpt(sql), message: "\(message) (sqlite \(code))",
                                    sqlState: Self.sqlState(code == 0 ? rc : code))
    }

    /// PostgreSQL's SQLSTATE for the equivalent SQLite error, so callers can test one code in both dialects.
    static func sqlState(_ extendedCode: Int32) -> String? {
        // The extended constraint codes are C macro expressions Swift does not import: SQLITE_CONSTRAINT | (n << 8).
        let constraint = SQLITE_CONSTRAINT
        switch extendedCode {
        case constraint | (8 << 8), constraint | (6 << 8): return "23505"  // UNIQUE, PRIMARYKEY
        case constraint | (3 << 8): return "23503"                          // FOREIGNKEY
        case constraint | (5 << 8): return "23502"                          // NOTNULL
        case constraint | (1 << 8): return "23514"                          // CHECK
        case SQLITE_BUSY, SQLITE_LOCKED: return "55P03"
        default: return (extendedCode & 0xff) == constraint ? "23000" : nil
        }
    }
}
