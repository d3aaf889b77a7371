import Foundation
import WardenCore
import WardenPipeline

/// `MESSAGE_CREATE`: a new message, judged exactly as by `POST /v1/messages` (same decoder, same group commit,
/// a re-delivery gets its first decision back). A message that already carries embeds (Discord's cached link
/// previews come with the message, not in a later update) and was allowed has its embeds judged too, as
/// `MESSAGE_UPDATE` would; that decision, linked to the message's, is the answer when it acts. Consecutive
/// `MESSAGE_CREATE`s of one `/v1/gateway` array are judged together (`handleRun`), as `/v1/messages/batch`.
struct MessageCreateEvent: GatewayEvent {
    static let eventName = "MESSAGE_CREATE"
    let name = Self.eventName

    func handle(_ data: ArraySlice<UInt8>, sequence: Int64?, on desk: GatewayDesk, authorize: (Snowflake) throws -> Void) async throws -> GatewayReply {
        let message = try decode(data)
        try authorize(message.guildID)
        return try await withEmbeds(try await desk.intake.submit(message), of: message, data, on: desk)
    }

    /// Several dispatches at once, in one pass of the pipeline and one commit (`MessageBatch`): each still gets
    /// its own answer, and a bad one does not fail the others. A store that is down fails the whole run.
    func handleRun(_ dispatches: [ArraySlice<UInt8>], on desk: GatewayDesk, metrics: ServiceMetrics,
                   authorize: (Snowflake) throws -> Void) async throws -> [Result<GatewayReply, any Error>] {
        let outcomes = try await MessageBatch.judge(dispatches, decode: decode, authorize: authorize, pipeline: desk.pipeline, metrics: metrics)
        var replies: [Result<GatewayReply, any Error>] = []
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success(let judged):
                do { replies.append(.success(try await withEmbeds(judged.processed, of: judged.message, dispatches[index], on: desk))) }
                catch { replies.append(.failure(error)) }
            case .failure(let error):
                replies.append(.failure(error))
            }
        }
        return replies
    }

    private func decode(_ data: ArraySlice<UInt8>) throws -> DiscordMessage {
        do throws(IngestError) { return try MessageDecoder().decode(Data(data)) } catch {
            throw APIError.badRequest(error.code, "\(name) d: \(error.description)")
        }
    }

    /// The answer for a judged message: its own decision, or, when it was allowed and came with embeds that
    /// break a rule, the embeds' decision.
    private func withEmbeds(_ processed: ProcessedMessage, of message: DiscordMessage, _ data: ArraySlice<UInt8>,
                            on desk: GatewayDesk) async throws -> GatewayReply {
        guard message.embedCount > 0, processed.decision.verdict == .allow, processed.decision.skipped == nil else { return .decision(processed) }
        var embeds = try desk.decode(MessageUpdate.self, data, event: name)
        // Only the embeds: the text was judged just now.
        embeds.editedTimestamp = nil
        guard !embeds.embedText.isEmpty, case .judged(let judged) = try await desk.pipeline.processUpdate(embeds),
              judged.decision.verdict != .allow else { return .decision(processed) }
        return .decision(judged)
    }
}
