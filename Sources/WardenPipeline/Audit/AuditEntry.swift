import Foundation
import WardenCore
import WardenStore

/// One row of the staff audit trail (`admin_log`): who did what to which target, with the state before
/// and after.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var guildID: Snowflake?
    public var actorID: Snowflake?
    /// `noun.verb`, e.g. `rule.update`, `setting.rollback`.
    public var action: String
    public var targetType: String
    public var targetID: String?
    public var before: JSONValue?
    public var after: JSONValue?
    public var createdAt: Date

    init(_ e: AdminLogRepository.Entry) {
        id = e.id; guildID = e.guildID.map { Snowflake(UInt64(bitPattern: $0)) }; actorID = e.actorID.map { Snowflake(UInt64(bitPattern: $0)) }
        action = e.action; targetType = e.targetType; targetID = e.targetID
        before = e.beforeJSON.flatMap { try? JSONValue.parse($0) }; after = e.afterJSON.flatMap { try? JSONValue.parse($0) }
        createdAt = e.createdAt
    }
}
