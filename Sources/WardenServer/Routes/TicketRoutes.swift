import Foundation
import Hummingbird
import WardenCore
import WardenStore
import WardenSupport

/// Support tickets for the bot (open, add messages, move through the state machine, close) and staff.
struct TicketRoutes {
    let desk: TicketDesk
    static let roles: Set<Role> = [.bot, .staff, .moderator]

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.post("guilds/:guild/tickets") { request, context in
            let guild = try context.guild(allowing: Self.roles)
            struct Body: Decodable { let userId: RequestID; let username: String?; let description: String; let channelId: RequestID? }
            let body = try await JSONBodies.decode(Body.self, from: request)
            let id = try await desk.open(guild: guild, user: body.userId.value, username: body.username,
                                         description: body.description, channel: body.channelId?.value)
            return try await show(id, guild: guild, status: .created)
        }
        v1.get("guilds/:guild/tickets/:ticket") { _, context in
            let guild = try context.guild(allowing: Self.roles)
            return try await show(try context.rowID("ticket"), guild: guild)
        }
        v1.post("guilds/:guild/tickets/:ticket/messages") { request, context in
            let guild = try context.guild(allowing: Self.roles)
            struct Body: Decodable { let authorId: RequestID; let content: String }
            let body = try await JSONBodies.decode(Body.self, from: request)
            let ticket = try context.rowID("ticket")
            let id = try await desk.addMessage(ticket: ticket, guild: guild, author: body.authorId.value, content: body.content)
            struct Created: Encodable { let id: Int64; let ticketId: Int64 }
            return try JSONBodies.response(Created(id: id, ticketId: ticket), status: .created)
        }
        v1.post("guilds/:guild/tickets/:ticket/transitions") { request, context in
            let guild = try context.guild(allowing: Self.roles)
            struct Body: Decodable { let event: String; let by: RequestID? }
            let body = try await JSONBodies.decode(Body.self, from: request)
            let event = try Self.event(body.event, by: body.by)
            let ticket = try context.rowID("ticket")
            _ = try await desk.apply(event, to: ticket, guild: guild)
            return try await show(ticket, guild: guild)
        }
    }

    func show(_ id: Int64, guild: Int64, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (ticket, messages) = try await desk.ticket(id, guild: guild)
        return try JSONBodies.response(TicketView(ticket, messages: messages), status: status)
    }

    static func event(_ name: String, by: RequestID?) throws -> TicketEvent {
        guard let kind = TicketEvent.Kind(rawValue: name) else {
            throw APIError.badRequest("invalid_field", "field 'event': unknown event '\(name)'; one of: "
                                      + TicketEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        func who() throws -> Snowflake {
            guard let by else { throw APIError.badRequest("invalid_field", "field 'by': the \(name) event needs the id of who does it") }
            return Snowflake(UInt64(bitPattern: by.value))
        }
        switch kind {
        case .claim: return .claim(by: try who())
        case .waitForUser: return .waitForUser
        case .userReplied: return .userReplied
        case .escalate: return .escalate(to: try who())
        case .close: return .close
        case .reopen: return .reopen
        case .archive: return .archive(by: try who())
        }
    }
}
