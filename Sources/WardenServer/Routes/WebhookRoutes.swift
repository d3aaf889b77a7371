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
            return try JSONBodies.response(Created(webhook: WebhookView(endpoint, backlog: nil, now: Date()), secret: endpoint.secret), status: .created)
        }
        v1.get("webhooks") { _, context in
            let principal = try context.authorize([.admin])
            let endpoints = try await desk.list(scope: principal.guild)
            let backlogs = try await desk.backlogs()
            struct Page: Encodable { let webhooks: [WebhookView] }
            let now = Date()
            return try JSONBodies.response(Page(webhooks: endpoints.map { WebhookView($0, backlog: backlogs[$0.id], now: now) }))
        }
        v1.get("webhooks/:webhook") { _, context in
            let principal = try context.authorize([.admin])
            let endpoint = try await desk.endpoint(try context.rowID("webhook"), scope: principal.guild)
            return try JSONBodies.response(WebhookView(endpoint, backlog: try await desk.backlogs()[endpoint.id], now: Date()))
        }
        v1.delete("webhooks/:webhook") { _, context in
            let principal = try context.authorize([.admin])
            try await desk.remove(try context.rowID("webhook"), scope: principal.guild)
            return Response(status: .noContent)
        }
        v1.post("webhooks/:webhook/secret") { request, context in
            let principal = try context.authorize([.admin])
            let id = try context.rowID("webhook")
            let body = try await JSONBodies.decode(Rotation.self, from: request, orIfAbsent: Rotation(keepPreviousSeconds: nil))
            let keep = body.keepPreviousSeconds ?? 86_400
            let endpoint = try await desk.rotateSecret(id, scope: principal.guild, keepPrevious: TimeInterval(keep))
            struct Rotated: Encodable { let webhook: WebhookView; let secret: String }
            return try JSONBodies.response(Rotated(webhook: WebhookView(endpoint, backlog: try await desk.backlogs()[endpoint.id], now: Date()), secret: endpoint.secret))
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
            let body = try await JSONBodies.decode(Replay.self, from: request, orIfAbsent: Replay(guildId: nil))
            let replayed = try await desk.replay(id, scope: principal.guild, guild: body.guildId?.value)
            struct Replayed: Encodable { let replayed: Int }
            return try JSONBodies.response(Replayed(replayed: replayed))
        }
    }
}

/// A registration's body. Unknown fields are refused here and in the bodies below: a misspelt `events`
/// would register for every kind, a misspelt `keep_previous_seconds` keep a leaked secret for a day, a
/// misspelt `guild_id` replay every guild, all without a word.
struct Registration: Decodable {
    let url: String
    let guildId: RequestID?
    let events: [String]?

    private enum CodingKeys: String, CodingKey, CaseIterable { case url, guildId, events }

    init(from decoder: any Decoder) throws {
        let known = try KnownFields.container(CodingKeys.self, of: decoder, named: "url, guild_id, events")
        url = try known.decode(String.self, forKey: .url)
        guildId = try known.decodeIfPresent(RequestID.self, forKey: .guildId)
        events = try known.decodeIfPresent([String].self, forKey: .events)
    }
}

/// A secret rotation's body.
struct Rotation: Decodable {
    let keepPreviousSeconds: Int64?

    private enum CodingKeys: String, CodingKey { case keepPreviousSeconds }

    init(keepPreviousSeconds: Int64?) { self.keepPreviousSeconds = keepPreviousSeconds }

    init(from decoder: any Decoder) throws {
        keepPreviousSeconds = try KnownFields.container(CodingKeys.self, of: decoder, named: "keep_previous_seconds")
            .decodeIfPresent(Int64.self, forKey: .keepPreviousSeconds)
    }
}

/// A replay's body.
struct Replay: Decodable {
    let guildId: RequestID?

    private enum CodingKeys: String, CodingKey { case guildId }

    init(guildId: RequestID?) { self.guildId = guildId }

    init(from decoder: any Decoder) throws {
        guildId = try KnownFields.container(CodingKeys.self, of: decoder, named: "guild_id").decodeIfPresent(RequestID.self, forKey: .guildId)
    }
}

/// A keyed container that refuses keys outside `Keys`, naming the first unknown one and the known ones.
enum KnownFields {
    static func container<Keys: CodingKey>(_ keys: Keys.Type, of decoder: any Decoder, named names: String) throws -> KeyedDecodingContainer<Keys> {
        let all = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = all.allKeys.first(where: { Keys(stringValue: $0.stringValue) == nil }) {
            throw DecodingError.dataCorrupted(.init(codingPath: [unknown], debugDescription: "unknown field; the fields are \(names)"))
        }
        return try decoder.container(keyedBy: Keys.self)
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
