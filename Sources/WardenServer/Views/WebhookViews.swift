import Foundation
import WardenStore

/// A webhook endpoint as the webhook routes show it (never its secret, which only registration and rotation
/// answer with), with its deliveries still open.
struct WebhookView: Encodable {
    let id: Int64
    /// null: every guild.
    let guildId: ID?
    let url: String
    /// The event kinds delivered; empty for every kind.
    let events: [String]
    let createdAt: Date
    /// Until when the secret before the last rotation still signs deliveries.
    let previousSecretUntil: Date?
    let pending: Int64
    let dead: Int64

    init(_ e: WebhookRepository.Endpoint, backlog: WebhookRepository.Backlog?, now: Date) {
        id = e.id; guildId = e.guildID.map(ID.init); url = e.url; events = e.kinds; createdAt = e.createdAt
        previousSecretUntil = e.previousSecretUntil.flatMap { $0 > now ? $0 : nil }
        pending = backlog?.pending ?? 0; dead = backlog?.dead ?? 0
    }
}

/// One delivery of one event to one endpoint.
struct WebhookDeliveryView: Encodable {
    let id: Int64
    let eventId: Int64
    let guildId: ID
    let kind: String
    let status: String
    let attempts: Int
    let eventCreatedAt: String
    let nextAttemptAt: Date?
    let firstFailedAt: Date?
    let lastStatus: Int?
    let lastError: String?
    let deliveredAt: Date?

    init(_ d: WebhookRepository.Delivery) {
        id = d.id; eventId = d.eventID; guildId = ID(d.guildID); kind = d.kind; status = d.status.rawValue; attempts = d.attempts
        eventCreatedAt = d.eventCreatedAt; nextAttemptAt = d.status == .pending ? d.nextAttemptAt : nil
        firstFailedAt = d.firstFailedAt; lastStatus = d.lastStatus; lastError = d.lastError; deliveredAt = d.deliveredAt
    }
}
