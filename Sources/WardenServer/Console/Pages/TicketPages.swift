import Foundation
import Hummingbird
import WardenSupport

/// A support ticket's transcript for staff and moderators: the standalone HTML page the API exports
/// (member text escaped, no script, a style allowed only by its hash), served under the console's session so a
/// browser can open it from a proposal's source tickets.
struct TicketPages {
    let desk: TicketDesk

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("guilds/:guild/tickets/:ticket/transcript") { _, context in
            let guild = try context.guild(allowing: TicketRoutes.roles.subtracting([.bot]))
            let ticket = try context.rowID("ticket")
            let html = TranscriptRenderer(try await desk.transcript(ticket, guild: guild)).render(.html)
            // The page's own Content-Security-Policy (its style's hash) is kept: ConsoleHeaders adds its policy only
            // where a page has none.
            return TicketRoutes.transcriptResponse(html, format: .html, ticket: ticket)
        }
    }
}
