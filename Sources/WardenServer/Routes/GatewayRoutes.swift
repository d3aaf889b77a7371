import Foundation
import Hummingbird
import WardenCore
import WardenPipeline
import WardenStore

/// `POST /v1/gateway`: Discord Gateway dispatches exactly as the bot receives them, one or an array, so a bot
/// forwards `MESSAGE_CREATE`, `MESSAGE_UPDATE` and `AUTO_MODERATION_ACTION_EXECUTION` without reshaping them.
/// Each answers a decision of the usual shape, or `{"ignored": t, "reason": ...}` for an event Warden does not
/// act on or an update with nothing to judge. An array answers `{"results": [...]}` in order, a bad element
/// `{"index", "error"}` in its place; dispatches are handled in order (an edit after its message), and each run
/// of consecutive `MESSAGE_CREATE`s is judged together, in one pass and one commit as `/v1/messages/batch`.
struct GatewayRoutes {
    let desk: GatewayDesk
    let metrics: ServiceMetrics

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.post("gateway") { request, context in try await self.dispatch(request, context) }
    }

    func dispatch(_ request: Request, _ context: WardenRequestContext) async throws -> Response {
        try context.authorize([.bot])
        let body = try await JSONBodies.bytes(request, limit: RequestLimits.batch)
        let bytes = Array(body.readableBytesView)
        let start = JSONScan.skipSpace(bytes[...], 0)
        guard start < bytes.count, bytes[start] == UInt8(ascii: "[") else {
            return JSONBodies.raw(try await handle(try parse(bytes[...]), context).json())
        }
        let elements: [ArraySlice<UInt8>]
        do { elements = try JSONArraySplitter.elements(bytes) } catch {
            throw APIError.badRequest("malformed_json", "the body must be a Gateway dispatch or a JSON array of them: \(error)")
        }
        guard elements.count <= RequestLimits.batchMessages else {
            throw APIError(.contentTooLarge, "batch_too_large", "at most \(RequestLimits.batchMessages) dispatches per request, got \(elements.count)")
        }
        let envelopes = elements.map { element in Result { try parse(element) } }
        var results = BatchResults(count: elements.count)
        var index = 0
        while index < elements.count {
            var end = index
            while end < envelopes.count, case .success(let envelope) = envelopes[end], envelope.type == MessageCreateEvent.eventName { end += 1 }
            if end - index > 1 {
                let replies = try await MessageCreateEvent().handleRun(
                    envelopes[index..<end].compactMap { try? $0.get().data }, on: desk, metrics: metrics) { guild in try context.authorize(guild: guild.int64) }
                for (offset, reply) in replies.enumerated() {
                    do { results[index + offset] = .judged(decisionJSON: try reply.get().json()) }
                    catch { results[index + offset] = .failed(index: index + offset, ErrorMapping.map(error)) }
                }
                index = end
                continue
            }
            do {
                results[index] = .judged(decisionJSON: try await handle(try envelopes[index].get(), context).json())
            } catch let error as StoreError where error.isTransient {
                // As for batches: a store that is down fails the request (503, Retry-After); dispatches are idempotent.
                throw error
            } catch {
                results[index] = .failed(index: index, ErrorMapping.map(error))
            }
            index += 1
        }
        return JSONBodies.raw(try results.json())
    }

    private func parse(_ bytes: ArraySlice<UInt8>) throws -> GatewayEnvelope {
        do { return try GatewayEnvelope.parse(bytes) } catch {
            metrics.rejectedMessages.increment()
            throw APIError.badRequest("invalid_dispatch", error.description)
        }
    }

    private func handle(_ envelope: GatewayEnvelope, _ context: WardenRequestContext) async throws -> GatewayReply {
        guard let event = GatewayEvents.named(envelope.type) else {
            return .ignored(event: envelope.type, reason: "Warden does not act on this event; it acts on \(GatewayEvents.all.map(\.name).joined(separator: ", "))")
        }
        let reply: GatewayReply
        do {
            reply = try await event.handle(envelope.data, sequence: envelope.sequence, on: desk) { guild in try context.authorize(guild: guild.int64) }
        } catch let error as APIError where error.status == .badRequest {
            metrics.rejectedMessages.increment()
            throw error
        }
        // New messages are counted by the intake, like those of /v1/messages.
        if case .decision(let processed) = reply, event.name != MessageCreateEvent.eventName { metrics.record(processed) }
        return reply
    }
}
