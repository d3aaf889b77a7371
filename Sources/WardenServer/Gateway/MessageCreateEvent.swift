import Foundation
import WardenCore
import WardenPipeline

/// `MESSAGE_CREATE`: a new message, judged exactly as by `POST /v1/messages` (same decoder, same group commit,
/// a re-delivery gets its first decision back). A message that already carries embeds (Discord's cached link
/// previews come with the message, not in a later update) and was allowed has its embeds judged too, as
/// `MESSAGE_UPDATE` would; that decision, linked to the message's, is the answer when it acts.
struct MessageCreateEvent: GatewayEvent {
    let name = "MESSAGE_CREATE"

    func handle(_ data: ArraySlice<UInt8>, sequence: Int64?, on desk: GatewayDesk, authorize: (Snowflake) throws -> Void) async throws -> GatewayReply {
        let message: DiscordMessage
        do throws(IngestError) { message = try MessageDecoder().decode(Data(data)) } catch {
            throw APIError.badRequest(error.code, "\(name) d: \(error.description)")
        }
        try authorize(message.guildID)
        let processed = try await desk.intake.submit(message)
        guard message.embedCount > 0, processed.decision.verdict == .allow, processed.decision.skipped == nil else { return .decision(processed) }
        var embeds = try desk.decode(MessageUpdate.self, data, event: name)
        // Only the embeds: the text was judged just now.
        embeds.editedTimestamp = nil
        guard !embeds.embedText.isEmpty, case .judged(let judged) = try await desk.pipeline.processUpdate(embeds),
              judged.decision.verdict != .allow else { return .decision(processed) }
        return .decision(judged)
    }
}
