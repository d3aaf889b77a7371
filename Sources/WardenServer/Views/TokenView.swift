import Foundation
import WardenStore

/// An API token as the token routes show it (never its text or hash).
struct TokenView: Encodable {
    let id: Int64
    let role: String
    let guildId: ID?
    let label: String?
    let userId: ID?
    let createdAt: Date
    let revokedAt: Date?
    init(_ t: TokenRepository.Token) {
        id = t.id; role = t.role; guildId = t.guildID.map(ID.init); label = t.label; userId = t.userID.map(ID.init); createdAt = t.createdAt; revokedAt = t.revokedAt
    }
}
