import Foundation

/// What one instance tells the others sharing its PostgreSQL database (LISTEN/NOTIFY): a guild's rules or
/// settings changed, or a guild's events feed grew. Sent inside the change's transaction, so it arrives at
/// commit, never for a change that rolled back. SQLite has one writer process: nothing is sent there.
public enum StoreChannel: String, Sendable, CaseIterable {
    /// A guild's rules or settings changed: compile them again.
    case config = "warden_config"
    /// A guild's events feed has a new event: wake its long-polls.
    case events = "warden_events"
}

public enum StoreNotify {
    /// Tells every listening instance, at commit, that `guild` changed on `channel`.
    public static func send(on conn: any SQLConnection, _ channel: StoreChannel, guild: Int64) throws {
        guard conn.dialect == .postgres else { return }
        _ = try conn.query("SELECT pg_notify($1, $2)", [.text(channel.rawValue), .text(String(guild))])
    }
}

/// A running listener; `stop()` ends it.
public protocol StoreListener: Sendable {
    func stop()
}

/// What a listener hands over: the channel, and the guild (nil after the listener connected or reconnected,
/// when anything may have changed unseen).
public typealias StoreNotificationHandler = @Sendable (StoreChannel, Int64?) -> Void

extension Database {
    /// Listens for other instances' changes, or nil when the store has no such thing (SQLite).
    public func listen(_ handler: @escaping StoreNotificationHandler) -> (any StoreListener)? {
        (self as? PostgresDatabase)?.startListener(handler)
    }
}
