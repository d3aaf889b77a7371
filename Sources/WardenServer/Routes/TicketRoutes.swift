import Foundation
import Hummingbird
import WardenCore
import WardenStore
import WardenSupport

/// Support tickets for the bot (open, add messages, move through the state machine, close, FAQ suggestions and
/// the member's "this solved it") and staff (transcripts).
struct TicketRoutes {
    let desk: TicketDesk
    let deflection: FAQDeflectionDesk
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
        v1.post("guilds/:guild/tickets/:ticket/suggestions") { request, context in
            let guild = try context.guild(allowing: Self.roles)
            struct Body: Decodable { let limit: Int? }
            let body = try await JSONBodies.decode(Body.self, from: request, orIfAbsent: Body(limit: nil))
            let ticket = try context.rowID("ticket")
            let suggestions = try await deflection.suggest(ticket: ticket, guild: guild, limit: body.limit ?? 3)
            return try JSONBodies.response(SuggestionPage(ticketId: ticket, status: nil, changed: nil, suggestions: suggestions.map(SuggestionView.init)))
        }
        v1.post("guilds/:guild/tickets/:ticket/suggestions/:entry/solved") { request, context in
            // The member's own word, which only reaches Warden through the bot: a staff or moderator token
            // recording it would inflate the deflection figures it exists to measure.
            let guild = try context.guild(allowing: [.bot])
            struct Body: Decodable { let userId: RequestID }
            let body = try await JSONBodies.decode(Body.self, from: request)
            let ticket = try context.rowID("ticket")
            let done = try await deflection.solved(ticket: ticket, guild: guild, entry: try context.rowID("entry"), by: body.userId.value)
            return try JSONBodies.response(SuggestionPage(ticketId: ticket, status: done.status.rawValue, changed: done.changed,
                                                          suggestions: done.suggestions.map(SuggestionView.init)))
        }
        v1.get("guilds/:guild/tickets/:ticket/transcript") { request, context in
            let guild = try context.guild(allowing: Self.roles)
            let name = request.uri.queryParameters.get("format") ?? "json"
            guard let format = TranscriptFormat(rawValue: name) else {
                throw APIError.badRequest("invalid_parameter", "query parameter 'format' must be one of \(TranscriptFormat.allowed), got '\(name)'")
            }
            let ticket = try context.rowID("ticket")
            let text = TranscriptRenderer(try await desk.transcript(ticket, guild: guild)).render(format)
            return Self.transcriptResponse(text, format: format, ticket: ticket)
        }
    }

    func show(_ id: Int64, guild: Int64, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (ticket, messages) = try await desk.ticket(id, guild: guild)
        return try JSONBodies.response(TicketView(ticket, messages: messages), status: status)
    }

    /// A transcript with its type, and headers that keep a browser from sniffing it as something else or
    /// running anything in it (the HTML page's own policy, repeated as a header).
    static func transcriptResponse(_ text: String, format: TranscriptFormat, ticket: Int64) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = format.contentType
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = format == .html ? TranscriptRenderer.contentSecurityPolicy : "default-src 'none'; frame-ancestors 'none'"
        headers[.contentDisposition] = "inline; filename=\"ticket-\(ticket).\(format.fileExtension)\""
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
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
