import Foundation
import Hummingbird
import WardenPipeline
import WardenStore

/// Webhook endpoints, for admins: every event of the feed (of one guild or every guild, of the kinds asked
/// for) is POSTed to each endpoint, signed (see `WebhookDeliverer`). A guild-scoped admin manages its guild's
/// endpoints only.
struct WebhookRoutes {
    let desk: WebhookDesk

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.post("webhooks") { request, context in
            let principal = try context.authorize([.admin])
            let body = try await JSONBodies.decode(Registration.self, from: request)
            let endpoint = try await desk.register(scope: principal.guild, guild: body.guildId?.value, url: body.url, kinds: body.events ?? [])
            struct Created: Encodable { let webhook: WebhookView; let secret: String }
            return try JSONBodies.response(Created(webhook: WebhookView(endpoint, open: [:], now: Date()), secret: endpoint.secret), status: .created)
        }
        v1.get("webhooks") { _, context in
            let principal = try context.authorize([.admin])
            let endpoints = try await desk.list(scope: principal.guild)
            let open = try await desk.openCounts()
            struct Page: Encodable { let webhooks: [WebhookView] }
            let now = Date()
            return try JSONBodies.response(Page(webhooks: endpoints.map { WebhookView($0, open: open[$0.id] ?? [:], now: now) }))
        }
        v1.get("webhooks/:webhook") { _, context in
            let principal = try context.authorize([.admin])
            let endpoint = try await desk.endpoint(try context.rowID("webhook"), scope: principal.guild)
            let open = try await desk.openCounts()
            return try JSONBodies.response(WebhookView(endpoint, open: open[endpoint.id] ?? [:], now: Date()))
        }
        v1.delete("webhooks/:webhook") { _, context in
            let principal = try context.authorize([.admin])
            try await desk.remove(try context.rowID("webhook"), scope: principal.guild)
            return Response(status: .noContent)
        }
        v1.post("webhooks/:webhook/secret") { request, context in
            let principal = try context.authorize([.admin])
            let id = try context.rowID("webhook")
            struct Body: Decodable { let keepPreviousSeconds: Int64? }
            let body = try await JSONBodies.decode(Body.self, from: request, orIfAbsent: Body(keepPreviousSeconds: nil))
            let keep = body.keepPreviousSeconds ?? 86_400
            let endpoint = try await desk.rotateSecret(id, scope: principal.guild, keepPrevious: TimeInterval(keep))
            struct Rotated: Encodable { let webhook: WebhookView; let secret: String }
            return try JSONBodies.response(Rotated(webhook: WebhookView(endpoint, open: [:], now: Date()), secret: endpoint.secret))
        }
        v1.get("webhooks/:webhook/deliveries") { request, context in
            let principal = try context.authorize([.admin])
            let id = try context.rowID("webhook")
            var status: WebhookRepository.Status?
            if let text = request.uri.queryParameters.get("status") {
                guard let known = WebhookRepository.Status(rawValue: String(text)) else {
                    throw APIError.badRequest("invalid_parameter", "query parameter 'status' must be one of \(WebhookRepository.Status.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
                }
                status = known
            }
            let limit = try request.integer("limit", in: 1...500) ?? 100
            let deliveries = try await desk.deliveries(id, scope: principal.guild, status: status, limit: Int(limit))
            struct Page: Encodable { let deliveries: [WebhookDeliveryView] }
            return try JSONBodies.response(Page(deliveries: deliveries.map(WebhookDeliveryView.init)))
        }
        v1.post("webhooks/:webhook/replay") { request, context in
            let principal = try context.authorize([.admin])
            let id = try context.rowID("webhook")
            struct Body: Decodable { let guildId: RequestID? }
            let body = try await JSONBodies.decode(Body.self, from: request, orIfAbsent: Body(guildId: nil))
            let replayed = try await desk.replay(id, scope: principal.guild, guild: body.guildId?.value)
            struct Replayed: Encodable { let replayed: Int }
            return try JSONBodies.response(Replayed(replayed: replayed))
        }
    }
}

/// A registration's body. Unknown fields are refused: a misspelt `events` would otherwise register for
/// every kind without a word.
struct Registration: Decodable {
    let url: String
    let guildId: RequestID?
    let events: [String]?

    private enum CodingKeys: String, CodingKey, CaseIterable { case url, guildId, events }

    init(from decoder: any Decoder) throws {
        let known = try decoder.container(keyedBy: CodingKeys.self)
        let all = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = all.allKeys.first(where: { CodingKeys(stringValue: $0.stringValue) == nil }) {
            throw DecodingError.dataCorrupted(.init(codingPath: [unknown], debugDescription: "unknown field; the fields are url, guild_id, events"))
        }
        url = try known.decode(String.self, forKey: .url)
        guildId = try known.decodeIfPresent(RequestID.self, forKey: .guildId)
        events = try known.decodeIfPresent([String].self, forKey: .events)
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
