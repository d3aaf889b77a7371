import Foundation

/// The names last judged per member (`member_names`): their hash, and the Gateway sequence number and
/// decision of the dispatch that judged them.
public enum MemberNamesRepository {
    public struct Judged: Sendable {
        public var namesHash: String
        public var sequence: Int64?
        public var decisionJSON: String
        public init(namesHash: String, sequence: Int64?, decisionJSON: String) {
            self.namesHash = namesHash; self.sequence = sequence; self.decisionJSON = decisionJSON
        }
    }

    public static func current(on conn: any SQLConnection, guild: Int64, user: Int64) throws -> Judged? {
        try conn.queryFirst("SELECT names_hash, sequence, decision FROM member_names WHERE guild_id = $1 AND user_id = $2",
                            [.int(guild), .int(user)]).map {
            Judged(namesHash: try $0.string("names_hash"), sequence: try $0.optionalInt("sequence"), decisionJSON: try $0.string("decision"))
        }
    }

    public static func set(on conn: any SQLConnection, guild: Int64, user: Int64, _ judged: Judged, at now: Date) throws {
        try conn.execute("""
            INSERT INTO member_names (guild_id, user_id, names_hash, sequence, decision, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (guild_id, user_id) DO UPDATE SET names_hash = excluded.names_hash, sequence = excluded.sequence,
                decision = excluded.decision, updated_at = excluded.updated_at
            """, [.int(guild), .int(user), .text(judged.namesHash), .int(judged.sequence), .json(judged.decisionJSON), .timestamp(now)])
    }
}
