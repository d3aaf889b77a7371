import Foundation
import WardenCore

/// `MESSAGE_CREATE`: a new message, judged exactly as by `POST /v1/messages` (same decoder, same group commit,
/// a re-delivery gets its first decision back).
struct MessageCreateEvent: GatewayEvent {
    let name = "MESSAGE_CREATE"

    func handle(_ data: ArraySlice<UInt8>, on desk: GatewayDesk, authorize: (Snowflake) throws -> Void) async throws -> GatewayReply {
        let message: DiscordMessage
        do throws(IngestError) { message = try MessageDecoder().decode(Data(data)) } catch {
            throw APIError.badRequest(error.code, "\(name) d: \(error.description)")
        }
        try authorize(message.guildID)
        return .decision(try await desk.intake.submit(message))
    }
}
