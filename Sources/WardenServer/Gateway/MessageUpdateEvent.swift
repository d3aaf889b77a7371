import Foundation
import WardenCore
import WardenPipeline

/// `MESSAGE_UPDATE`: an edit is judged again on its new text, and embeds Discord adds later on their own
/// (`MessagePipeline.processUpdate`); an update that changes neither answers `ignored`.
struct MessageUpdateEvent: GatewayEvent {
    let name = "MESSAGE_UPDATE"

    func handle(_ data: ArraySlice<UInt8>, sequence: Int64?, on desk: GatewayDesk, authorize: (Snowflake) throws -> Void) async throws -> GatewayReply {
        let update = try desk.decode(MessageUpdate.self, data, event: name)
        try authorize(update.guildID)
        if let content = update.content, content.count > MessageDecoder.contentLimit {
            throw APIError.badRequest("content_too_long", "\(name) d: content is \(content.count) characters; Discord's limit is \(MessageDecoder.contentLimit)")
        }
        switch try await desk.pipeline.processUpdate(update) {
        case .judged(let processed): return .decision(processed)
        case .nothingToDo(let reason): return .ignored(event: name, reason: reason)
        }
    }
}
