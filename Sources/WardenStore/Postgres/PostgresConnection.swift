import CLibPQ
import Foundation

/// One libpq connection. Parameters go out as text with types inferred by the server (`PQexecParams`
/// with no parameter types), so `$1` takes whatever type its column or operator needs; results come
/// back as text and the `SQLRow` accessors parse them.
final class PostgresConnection: SQLConnection, ScriptRunning {
    let dialect = SQLDialect.postgres
    let handle: OpaquePointer

    /// Connects (blocking) and fixes the session settings the row accessors rely on.
    init(url: String, redactedURL: String) throws {
        // Keywords before "dbname" are defaults: the URL's own values, expanded from "dbname", win.
        let keywords = ["connect_timeout", "fallback_application_name", "dbname"]
        let values = ["10", "warden", url]
        let conn: OpaquePointer? = Self.withCStrings(keywords) { k in
            Self.withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let conn else { throw StoreError.connect(redactedURL, message: "out of memory") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(conn))
            PQfinish(conn)
            throw StoreError.connect(redactedURL, message: message)
        }
        handle = conn
        do {
            try runScript("""
                SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET client_encoding = 'UTF8';
                SET client_min_messages = warning
                """)
        } catch {
            PQfinish(conn)
            throw StoreError.connect(redactedURL, message: "session setup failed: \(error)")
        }
    }

    deinit {
        PQfinish(handle)
    }

    /// False once the server or network dropped the connection; such a connection is replaced.
    var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// SQLSTATE 08006 (connection failure) once libpq reports the connection broken, so the error says
    /// the store is unavailable (``StoreError/isUnavailable``) rather than that the statement was wrong.
    private var lostState: String? { isHealthy ? nil : "08006" }

    /// True when the connection is idle outside a transaction.
    var isIdle: Bool { PQtransactionStatus(handle) == PQTRANS_IDLE }

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) throws -> Int {
        let result = try run(sql, binds)
        defer { PQclear(result) }
        let tuples = String(cString: PQcmdTuples(result))
        return Int(tuples) ?? 0
    }

    func query(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        let result = try run(sql, binds)
        defer { PQclear(result) }
        let fieldCount = PQnfields(result)
        let columns = SQLColumns((0..<fieldCount).map { String(cString: PQfname(result, $0)) })
        let rowCount = PQntuples(result)
        var rows: [SQLRow] = []
        rows.reserveCapacity(Int(rowCount))
        for r in 0..<rowCount {
            var cells: [SQLCell] = []
            cells.reserveCapacity(Int(fieldCount))
            for f in 0..<fieldCount {
                if PQgetisnull(result, r, f) != 0 {
                    cells.append(.null)
                } else {
                    let length = Int(PQgetlength(result, r, f))
                    let bytes = UnsafeRawPointer(PQgetvalue(result, r, f)).map {
                        UnsafeBufferPointer(start: $0.assumingMemoryBound(to: UInt8.self), count: length)
                    }
                    cells.append(.text(bytes.map { String(decoding: $0, as: UTF8.self) } ?? ""))
                }
            }
            rows.append(SQLRow(columns: columns, cells: cells))
        }
        return rows
    }

    /// Runs several statements without parameters through the simple query protocol.
    func runScript(_ sql: String) throws {
        let result = PQexec(handle, sql)
        try check(result, sql)
        PQclear(result)
    }

    // MARK: - Internals

    private func run(_ sql: String, _ binds: [SQLValue]) throws -> OpaquePointer {
        var texts: [String?] = []
        texts.reserveCapacity(binds.count)
        for (i, value) in binds.enumerated() {
            try value.checkStorable(parameter: i + 1, sql: sql)
            texts.append(try Self.text(value, parameter: i + 1, sql: sql))
        }
        let result: OpaquePointer? = Self.withOptionalCStrings(texts) { values in
            PQexecParams(handle, sql, Int32(binds.count), nil, values, nil, nil, 0)
        }
        try check(result, sql)
        guard let result else { throw StoreError.statement(StoreError.excerpt(sql), message: "no result", sqlState: nil) }
        return result
    }

    private func check(_ result: OpaquePointer?, _ sql: String) throws {
        guard let result else {
            throw StoreError.statement(StoreError.excerpt(sql), message: Self.trimmed(PQerrorMessage(handle)), sqlState: lostState)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            // A server that went away mid-statement sends no SQLSTATE; libpq only marks the connection bad.
            let state = Self.field(result, "C") ?? lostState
            var message = Self.field(result, "M") ?? Self.trimmed(PQresultErrorMessage(result))
            if message.isEmpty { message = Self.trimmed(PQerrorMessage(handle)) }
            if let detail = Self.field(result, "D") { message += " (\(detail))" }
            PQclear(result)
            throw StoreError.statement(StoreError.excerpt(sql), message: message, sqlState: state)
        }
    }

    /// The text form PostgreSQL's input functions accept for each kind of value.
    private static func text(_ value: SQLValue, parameter: Int, sql: String) throws -> String? {
        switch value {
        case .null: return nil
        case let .int(v): return String(v)
        case let .double(v):
            if v.isNaN { return "NaN" }
            if v.isInfinite { return v < 0 ? "-Infinity" : "Infinity" }
            return "\(v)"
        case let .bool(v): return v ? "true" : "false"
        case let .text(s), let .json(s), let .date(s): return s
        case let .timestamp(date):
            guard let text = UTCTimestamp.format(date) else {
                throw StoreError.statement(StoreError.excerpt(sql),
                                           message: "parameter $\(parameter): timestamp \(date) is outside years 1-9999", sqlState: "22008")
            }
            return text
        }
    }

    private static func field(_ result: OpaquePointer, _ code: Character) -> String? {
        guard let ascii = code.asciiValue, let value = PQresultErrorField(result, Int32(ascii)) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        withOptionalCStrings(strings.map(Optional.some), body)
    }

    /// Copies strings into C memory for the duration of `body`, with a trailing NULL entry.
    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                preconditionFailure("an array holding at least the NULL terminator has storage")
            }
            return body(base)
        }
    }
}
