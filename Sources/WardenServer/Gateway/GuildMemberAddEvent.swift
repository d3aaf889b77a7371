import Foundation
import WardenCore
import WardenPipeline

/// `GUILD_MEMBER_ADD`: a member joined; raid protection counts the join, and the profile rules and the
/// account-age gate judge them (`MemberDesk.join`). Needs the GUILD_MEMBERS intent.
struct GuildMemberAddEvent: GatewayEvent {
    let name = "GUILD_MEMBER_ADD"

    func handle(_ data: ArraySlice<UInt8>, sequence: Int64?, on desk: GatewayDesk, authorize: (Snowflake) throws -> Void) async throws -> GatewayReply {
        let member = try desk.decode(GuildMember.self, data, event: name)
        try authorize(member.guildID)
        try GuildMemberAddEvent.checkNames(member, event: name)
        // The join's identity (a re-delivery is judged once) and its time for the raid windows.
        guard member.joinedAt != nil else {
            throw APIError.badRequest("invalid_dispatch", "\(name) d: missing field 'joined_at' (Discord's time of the join)")
        }
        return .decision(try await desk.members.join(member, sequence: sequence))
    }

    /// Discord's names are short (32 characters); anything over `longestName` is not a Discord member.
    static let longestName = 100

    static func checkNames(_ member: GuildMember, event: String) throws {
        for (field, text) in member.names where text.count > longestName {
            throw APIError.badRequest("invalid_field", "\(event) d: \(field.rawValue) is \(text.count) characters; at most \(longestName) are accepted (Discord's names are at most 32)")
        }
    }
}
