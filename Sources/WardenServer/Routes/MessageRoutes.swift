import Foundation
import Hummingbird
import Logging
import WardenCore
import WardenPipeline
import WardenStore

/// `POST /v1/messages` (one Discord message, its decision back) and `POST /v1/messages/batch`.
struct MessageRoutes {
    let intake: MessageIntake
    let metrics: ServiceMetrics
    var logging = DecisionLogging()
    let decoder = MessageDecoder()

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.post("messages") { request, context in try await self.judge(request, context) }
        v1.post("messages/batch") { request, context in try await self.judgeBatch(request, context) }
    }

    func judge(_ request: Request, _ context: WardenRequestContext) async throws -> Response {
        try context.authorize([.bot])
        let body = try await JSONBodies.bytes(request, limit: RequestLimits.message)
        let message: DiscordMessage
        do throws(IngestError) { message = try decoder.decode(Data(body.readableBytesView)) } catch {
            metrics.rejectedMessages.increment()
            throw APIError.badRequest(error.code, error.description)
        }
        try context.authorize(guild: message.guildID.int64)
        let result = try await intake.submit(message)
        logging.log(result, message: message, to: context.logger)
        return JSONBodies.raw(result.json)
    }

    /// A JSON array of messages, judged in order and committed together. Each element gets its decision
    /// or `{"index": N, "error": {...}}` in its place; bad elements do not stop the good ones.
    func judgeBatch(_ request: Request, _ context: WardenRequestContext) async throws -> Response {
        try context.authorize([.bot])
        let body = try await JSONBodies.bytes(request, limit: RequestLimits.batch)
        let bytes = Array(body.readableBytesView)
        let elements: [ArraySlice<UInt8>]
        do { elements = try JSONArraySplitter.elements(bytes) } catch {
            throw APIError.badRequest("malformed_json", "the body must be a JSON array of Discord messages: \(error)")
        }
        guard elements.count <= RequestLimits.batchMessages else {
            throw APIError(.contentTooLarge, "batch_too_large", "at most \(RequestLimits.batchMessages) messages per batch, got \(elements.count)")
        }
        let outcomes = try await MessageBatch.judge(elements, decode: { try decoder.decode(Data($0)) },
                                                    authorize: { try context.authorize(guild: $0.int64) },
                                                    pipeline: intake.pipeline, metrics: metrics)
        var results = BatchResults(count: elements.count)
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success(let judged):
                logging.log(judged.processed, message: judged.message, to: context.logger)
                results[index] = .judged(decisionJSON: judged.processed.json)
            case .failure(let error):
                results[index] = .failed(index: index, ErrorMapping.map(error))
            }
        }
        return JSONBodies.raw(try results.json())
    }
}

/// Opt-in logging of decisions (`warden serve --log-decisions`, `--log-content`). Without it nothing of a
/// message reaches the log; with content, the text is JSON-escaped so a newline in it cannot forge a line.
struct DecisionLogging: Sendable {
    var decisions = false
    var content = false

    func log(_ result: ProcessedMessage, message: DiscordMessage, to logger: Logger) {
        guard decisions else { return }
        var metadata: Logger.Metadata = [
            "message_id": "\(message.id)", "guild_id": "\(message.guildID)", "user_id": "\(message.author.id)",
            "verdict": "\(result.decision.verdict.rawValue)", "rules": "\(result.decision.matches.map(\.rule).joined(separator: ","))",
            "replayed": "\(result.replayed)",
        ]
        if content { metadata["content"] = "\(jsonString(message.content))" }
        logger.info("judged", metadata: metadata)
    }
}
