import Foundation
import WardenCore

/// `AUTO_MODERATION_ACTION_EXECUTION`: Discord's native AutoMod acted; recorded as an automod log (source
/// `discord_automod`) once per hit, counted in escalation per `automod.discord_automod_points`.
struct AutoModerationActionExecutionEvent: GatewayEvent {
    let name = "AUTO_MODERATION_ACTION_EXECUTION"

    func handle(_ data: ArraySlice<UInt8>, sequence: Int64?, on desk: GatewayDesk, authorize: (Snowflake) throws -> Void) async throws -> GatewayReply {
        let execution = try desk.decode(AutoModerationExecution.self, data, event: name)
        try authorize(execution.guildID)
        return .decision(try await desk.pipeline.processNativeAutomod(execution))
    }
}
