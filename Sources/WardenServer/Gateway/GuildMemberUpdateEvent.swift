import Foundation
import WardenCore
import WardenPipeline

/// `GUILD_MEMBER_UPDATE`: a member's roles or names changed; new names are judged by the profile rules
/// (`MemberDesk.update`). Needs the GUILD_MEMBERS intent.
struct GuildMemberUpdateEvent: GatewayEvent {
    let name = "GUILD_MEMBER_UPDATE"

    func handle(_ data: ArraySlice<UInt8>, sequence: Int64?, on desk: GatewayDesk, authorize: (Snowflake) throws -> Void) async throws -> GatewayReply {
        let member = try desk.decode(GuildMember.self, data, event: name)
        try authorize(member.guildID)
        try GuildMemberAddEvent.checkNames(member, event: name)
        switch try await desk.members.update(member, sequence: sequence) {
        case .judged(let processed): return .decision(processed)
        case .nothingToDo(let reason): return .ignored(event: name, reason: reason)
        }
    }
}
