import Foundation
import WardenCore
import WardenPipeline
import WardenStore

/// Several messages judged together, in one pass of the pipeline and one commit (`/v1/messages/batch`, and a
/// run of `MESSAGE_CREATE`s in a `/v1/gateway` array). Each element is decoded and authorized on its own, so a
/// bad one fails only its own place; a store that is down or busy fails the whole batch (the caller answers
/// 503 with Retry-After, and re-deliveries are idempotent).
enum MessageBatch {
    /// What became of one element: its message and decision, or why it has none.
    typealias Outcome = Result<(message: DiscordMessage, processed: ProcessedMessage), any Error>

    /// Judges `elements` in order; one outcome per element, in its place. Elements refused as bad input and
    /// decisions are counted in `metrics` (another guild's element is refused, not bad input: as for one message).
    static func judge(_ elements: [ArraySlice<UInt8>], decode: (ArraySlice<UInt8>) throws -> DiscordMessage,
                      authorize: (Snowflake) throws -> Void, pipeline: MessagePipeline, metrics: ServiceMetrics) async throws -> [Outcome] {
        // Each element's place: the index of its message in `accepted`, or why it was refused.
        var places: [Result<Int, any Error>] = []
        places.reserveCapacity(elements.count)
        var accepted: [DiscordMessage] = []
        for element in elements {
            let message: DiscordMessage
            do { message = try decode(element) } catch {
                metrics.rejectedMessages.increment()
                places.append(.failure(error))
                continue
            }
            do {
                try authorize(message.guildID)
                places.append(.success(accepted.count))
                accepted.append(message)
            } catch {
                places.append(.failure(error))
            }
        }
        // Each message gets its own result (one a message, in order): one message or guild at fault does not
        // fail the others.
        let judged = await pipeline.processEach(accepted)
        for case .failure(let error as StoreError) in judged where error.isTransient { throw error }
        return places.map { place in
            place.flatMap { slot in
                judged[slot].map { processed in
                    metrics.record(processed)
                    return (accepted[slot], processed)
                }
            }
        }
    }
}
