import Foundation

/// The SQL dialect a database speaks. Statements are written once with `$N` placeholders;
/// the dialect matters only where the SQL itself differs (DDL, `FOR UPDATE`, JSON operators).
public enum SQLDialect: String, Sendable {
    case sqlite, postgres
}

/// A connection, used only inside a `Database.transaction` body, synchronously, on a thread that is not
/// part of Swift's cooperative pool. Not Sendable: it must not escape the body.
public protocol SQLConnection: AnyObject {
    /// The dialect of the database this connection belongs to.
    var dialect: SQLDialect { get }

    /// Runs one statement with `$1, $2, ...` placeholders bound to `binds`.
    /// - Returns: the number of rows inserted, updated or deleted.
    @discardableResult func execute(_ sql: String, _ binds: [SQLValue]) throws -> Int

    /// Runs one statement with `$1, $2, ...` placeholders bound to `binds` and returns all its rows.
    func query(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow]
}

extension SQLConnection {
    /// Runs a statement that takes no parameters.
    @discardableResult public func execute(_ sql: String) throws -> Int {
        try execute(sql, [])
    }

    /// Runs a query that takes no parameters.
    public func query(_ sql: String) throws -> [SQLRow] {
        try query(sql, [])
    }

    /// Runs a query and returns its first row, or nil when it returned none.
    public func queryFirst(_ sql: String, _ binds: [SQLValue] = []) throws -> SQLRow? {
        try query(sql, binds).first
    }
}

/// A store: SQLite (one serialised writer) or PostgreSQL (a bounded pool).
public protocol Database: Sendable {
    /// The dialect of this store.
    var dialect: SQLDialect { get }

    /// Runs `body` in one transaction (BEGIN IMMEDIATE on SQLite; READ COMMITTED on PostgreSQL) on a blocking
    /// thread; commits if it returns, rolls back if it throws, and rethrows. Never blocks the cooperative pool.
    @discardableResult
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T

    /// Closes the store's connections. Later transactions throw `StoreError.closed`.
    func close() async
}
