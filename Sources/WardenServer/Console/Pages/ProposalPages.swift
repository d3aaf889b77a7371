import Foundation
import Hummingbird
import WardenStore
import WardenSupport

/// Staff's FAQ proposals: the list, and one proposal with its source tickets, an editor with a rendered
/// preview, approve (with the edits) or reject with a reason. Everything goes through ``FAQDesk``, attributed to
/// the token's Discord user.
struct ProposalPages {
    let faq: FAQDesk
    let tickets: TicketDesk
    let renderer: ConsoleRenderer
    let clock: @Sendable () -> Date

    struct Row { let id: String; let href: String; let title: String; let sources: Int; let created: String }
    struct ListModel { let frame: ConsoleFrame; let rows: [Row] }
    struct Source { let ticket: String; let summary: String; let description: String; let opener: String }
    struct DetailModel {
        let frame: ConsoleFrame
        let id: String
        let base: String
        let status: String
        let pending: Bool
        let title: String
        /// The title as shown in the preview (invisible characters as markers); `title` stays editable as written.
        let titleShown: String
        let answer: String
        let keywords: String
        let previewHTML: String
        let sources: [Source]
        let reason: String
        let error: String?
        let notice: String?
    }

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("guilds/:guild/proposals") { _, context in
            let guild = try context.guild(allowing: [.staff])
            let session = try context.session()
            let base = "/console/guilds/\(UInt64(bitPattern: guild))/proposals"
            let now = clock()
            let rows = try await faq.pending(guild: guild).map {
                Row(id: String($0.id), href: "\(base)/\($0.id)", title: ConsoleText.excerpt($0.title, 120), sources: $0.sourceTicketIDs.count,
                    created: ConsoleText.ago($0.createdAt, now: now))
            }
            return renderer.page("proposals", ListModel(frame: ConsoleFrame(session, guild: guild, current: .proposals, title: "FAQ proposals"), rows: rows))
        }
        console.get("guilds/:guild/proposals/:proposal") { _, context in
            try await detail(context, edits: nil, error: nil, notice: nil, status: .ok)
        }
        console.post("guilds/:guild/proposals/:proposal/preview") { _, context in
            try await detail(context, edits: try edits(context.form), error: nil, notice: nil, status: .ok)
        }
        console.post("guilds/:guild/proposals/:proposal/edit") { _, context in
            let guild = try context.guild(allowing: [.staff])
            let id = try context.rowID("proposal")
            let edits = try edits(context.form)
            do {
                _ = try await faq.edit(id, guild: guild, by: context.actor, edits: edits)
            } catch let error as SupportError {
                return try await detail(context, edits: edits, error: error.message, notice: nil, status: HTTPResponse.Status(code: error.httpStatus))
            }
            return try await detail(context, edits: nil, error: nil, notice: "Saved.", status: .ok)
        }
        console.post("guilds/:guild/proposals/:proposal/approve") { _, context in
            let guild = try context.guild(allowing: [.staff])
            let id = try context.rowID("proposal")
            let edits = try edits(context.form)
            let entry: FAQRepository.Entry
            do {
                entry = try await faq.approve(id, guild: guild, by: context.actor, edits: edits)
            } catch let error as SupportError {
                return try await detail(context, edits: edits, error: error.message, notice: nil, status: HTTPResponse.Status(code: error.httpStatus))
            }
            return redirect(to: "/console/guilds/\(UInt64(bitPattern: guild))/faq" + HTML.query([("approved", String(entry.id))]))
        }
        console.post("guilds/:guild/proposals/:proposal/reject") { _, context in
            let guild = try context.guild(allowing: [.staff])
            let id = try context.rowID("proposal")
            let reason = (try context.form.text("reason") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reason.isEmpty else {
                return try await detail(context, edits: nil, error: "A rejection needs a reason.", notice: nil, status: .badRequest)
            }
            do {
                _ = try await faq.reject(id, guild: guild, by: context.actor, reason: reason)
            } catch let error as SupportError {
                return try await detail(context, edits: nil, error: error.message, notice: nil, status: HTTPResponse.Status(code: error.httpStatus))
            }
            return redirect(to: "/console/guilds/\(UInt64(bitPattern: guild))/proposals")
        }
    }


    /// The editor's fields; keywords are comma-separated.
    private func edits(_ form: ConsoleForm) throws -> FAQDesk.Edits {
        let keywords = try form.text("keywords").map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return FAQDesk.Edits(title: try form.text("title"), answer: try form.text("answer"), keywords: keywords)
    }

    private func detail(_ context: WardenRequestContext, edits: FAQDesk.Edits?, error: String?, notice: String?,
                        status: HTTPResponse.Status) async throws -> Response {
        let guild = try context.guild(allowing: [.staff])
        let session = try context.session()
        let id = try context.rowID("proposal")
        let found = try await faq.proposal(id, guild: guild)
        let proposal = found.proposal
        let title = edits?.title ?? proposal.title
        let answer = edits?.answer ?? proposal.answer
        let keywords = (edits?.keywords ?? proposal.keywords).joined(separator: ", ")
        var sources: [Source] = []
        let summaries = Dictionary(found.sources.map { ($0.ticketID, $0.summary) }, uniquingKeysWith: { first, _ in first })
        for ticketID in proposal.sourceTicketIDs.prefix(20) {
            let ticket = try? await tickets.ticket(ticketID, guild: guild).ticket
            sources.append(Source(ticket: String(ticketID), summary: ConsoleText.visible(summaries[ticketID] ?? "—"),
                                  description: ConsoleText.visible(ticket?.description ?? "—"),
                                  opener: ConsoleText.visible(ticket.map { ($0.username ?? "member") + " (\(UInt64(bitPattern: $0.userID)))" } ?? "—")))
        }
        let model = DetailModel(
            frame: ConsoleFrame(session, guild: guild, current: .proposals, title: "FAQ proposal \(id)"),
            id: String(id), base: "/console/guilds/\(UInt64(bitPattern: guild))/proposals/\(id)", status: proposal.status,
            pending: proposal.status == "pending", title: title, titleShown: ConsoleText.visible(title), answer: answer, keywords: keywords, previewHTML: AnswerPreview.html(answer),
            sources: sources, reason: proposal.reason ?? "", error: error, notice: notice)
        return renderer.page("proposal", model, status: status)
    }
}
