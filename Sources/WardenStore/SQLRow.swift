import Foundation

/// One value as a driver delivered it. SQLite hands over typed values; PostgreSQL (text result
/// format) hands over text that the accessors parse.
enum SQLCell: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])

    var kind: String {
        switch self {
        case .null: return "NULL"
        case .int: return "integer"
        case .double: return "real"
        case .text: return "text"
        case .blob: return "blob"
        }
    }
}

/// Column names of one result, shared by all its rows.
struct SQLColumns: Sendable {
    let names: [String]
    let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        self.index = index
    }
}

/// One result row. Accessors by column name; they throw `StoreError.column(...)` naming the column on a
/// type mismatch, a NULL where a value was required, or an unknown column.
public struct SQLRow: Sendable {
    let columns: SQLColumns
    let cells: [SQLCell]

    init(columns: SQLColumns, cells: [SQLCell]) {
        self.columns = columns
        self.cells = cells
    }

    /// The row's column names, in result order.
    public var columnNames: [String] { columns.names }

    /// True when the column is SQL NULL.
    public func isNull(_ c: String) throws -> Bool { try cell(c) == .null }

    /// An integer (SQLite INTEGER, or an exactly integral REAL; PostgreSQL int2/4/8 text).
    public func int(_ c: String) throws -> Int64 { try required(c, "integer", optionalInt(c)) }

    /// An integer, or nil for NULL.
    public func optionalInt(_ c: String) throws -> Int64? {
        switch try cell(c) {
        case .null: return nil
        case let .int(v): return v
        case let .double(d):
            // SQLite may hand back REAL for integral arithmetic (e.g. SUM over REAL); accept exact integers only.
            if let v = Int64(exactly: d) { return v }
            throw mismatch(c, "integer", "real \(d)")
        case let .text(s):
            if let v = Int64(s) { return v }
            throw mismatch(c, "integer", "text '\(Self.clip(s))'")
        case .blob: throw mismatch(c, "integer", "blob")
        }
    }

    /// A floating-point number (integers convert; PostgreSQL `NaN`/`Infinity` parse).
    public func double(_ c: String) throws -> Double { try required(c, "double", optionalDouble(c)) }

    /// A floating-point number, or nil for NULL.
    public func optionalDouble(_ c: String) throws -> Double? {
        switch try cell(c) {
        case .null: return nil
        case let .int(v): return Double(v)
        case let .double(d): return d
        case let .text(s):
            if let d = Self.parseDouble(s) { return d }
            throw mismatch(c, "double", "text '\(Self.clip(s))'")
        case .blob: throw mismatch(c, "double", "blob")
        }
    }

    /// Text, including JSON and DATE columns. A SQLite number is not text (this throws); PostgreSQL delivers
    /// every value as text, so read each column with the accessor of its real type to stay portable.
    public func string(_ c: String) throws -> String { try required(c, "text", optionalString(c)) }

    /// Text, or nil for NULL.
    public func optionalString(_ c: String) throws -> String? {
        switch try cell(c) {
        case .null: return nil
        case let .text(s): return s
        case let other: throw mismatch(c, "text", other.kind)
        }
    }

    /// A boolean: SQLite INTEGER 0/1, PostgreSQL `t`/`f`.
    public func bool(_ c: String) throws -> Bool { try required(c, "boolean", optionalBool(c)) }

    /// A boolean, or nil for NULL.
    public func optionalBool(_ c: String) throws -> Bool? {
        switch try cell(c) {
        case .null: return nil
        case let .int(v) where v == 0 || v == 1: return v == 1
        case let .text(s):
            switch s {
            case "t", "true", "1": return true
            case "f", "false", "0": return false
            default: throw mismatch(c, "boolean", "text '\(Self.clip(s))'")
            }
        case let other: throw mismatch(c, "boolean", other.kind)
        }
    }

    /// A timestamp in either driver's text form (see `SQLValue.timestamp`).
    public func timestamp(_ c: String) throws -> Date { try required(c, "timestamp", optionalTimestamp(c)) }

    /// A timestamp, or nil for NULL.
    public func optionalTimestamp(_ c: String) throws -> Date? {
        switch try cell(c) {
        case .null: return nil
        case let .text(s):
            if let d = UTCTimestamp.parse(s) { return d }
            throw mismatch(c, "timestamp", "text '\(Self.clip(s))'")
        case let other: throw mismatch(c, "timestamp", other.kind)
        }
    }

    private func cell(_ c: String) throws -> SQLCell {
        guard let i = columns.index[c] else {
            throw StoreError.column(c, expected: "a column of the result", got: "no such column (have: \(columns.names.joined(separator: ", ")))")
        }
        return cells[i]
    }

    private func required<T>(_ c: String, _ expected: String, _ value: T?) throws -> T {
        guard let value else { throw StoreError.column(c, expected: expected, got: "NULL") }
        return value
    }

    private func mismatch(_ c: String, _ expected: String, _ got: String) -> StoreError {
        StoreError.column(c, expected: expected, got: got)
    }

    /// PostgreSQL spells non-finite floats `NaN`, `Infinity`, `-Infinity`; Swift's parser accepts those.
    private static func parseDouble(_ s: String) -> Double? { Double(s) }

    private static func clip(_ s: String) -> String { s.count > 40 ? String(s.prefix(37)) + "..." : s }
}
