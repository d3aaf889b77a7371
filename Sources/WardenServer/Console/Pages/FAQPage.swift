import Foundation
import Hummingbird
import WardenApp
import WardenCore
import WardenStore
import WardenSupport

/// Staff's view of the FAQ: the entries, the search the bot uses (logged like the bot's), and the FAQ's gaps,
/// the searches of the last 30 days that found nothing, most frequent first.
struct FAQPage {
    let faq: FAQDesk
    let dashboard: DashboardDesk
    let renderer: ConsoleRenderer
    let clock: @Sendable () -> Date

    struct Entry { let id: String; let title: String; let answerHTML: String; let keywords: String; let scope: String; let rank: String? }
    struct Gap { let query: String; let count: Int }
    struct Model {
        let frame: ConsoleFrame
        let query: String
        let searched: Bool
        let hits: [Entry]
        let entries: [Entry]
        let gaps: [Gap]
        let notice: String?
    }

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("guilds/:guild/faq") { request, context in
            let guild = try context.guild(allowing: [.staff])
            let session = try context.session()
            let fields = try ConsoleQuery(request)
            let query = (fields["q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            try TextPolicy.check(query, field: "q")
            guard query.count <= 200 else { throw APIError.badRequest("invalid_parameter", "a search is at most 200 characters") }
            func entry(_ e: FAQRepository.Entry, rank: Double?) -> Entry {
                Entry(id: String(e.id), title: ConsoleText.visible(e.title), answerHTML: AnswerPreview.html(e.summary), keywords: e.keywords.joined(separator: ", "),
                      scope: e.guildID == nil ? "every guild" : "this guild", rank: rank.map { String(format: "%.2f", $0) })
            }
            let hits = query.isEmpty ? [] : try await faq.search(query, guild: guild, user: session.principal.user, limit: 10, log: false).map { entry($0.entry, rank: $0.rank) }
            let since = clock().addingTimeInterval(-30 * 86_400)
            let gaps = try await dashboard.faqGaps(guild: guild, since: since)
            let entries = try await faq.entries(guild: guild)
            let approved = fields.id("approved").flatMap { id in entries.contains { $0.id == id } ? id : nil }
            let model = Model(frame: ConsoleFrame(session, guild: guild, current: .faq, title: "FAQ"), query: query, searched: !query.isEmpty,
                              hits: hits, entries: entries.map { entry($0, rank: nil) },
                              gaps: gaps.map { Gap(query: ConsoleText.visible($0.query), count: $0.count) },
                              notice: approved.map { "Proposal approved: it is FAQ entry \($0) now." })
            return renderer.page("faq", model)
        }
    }
}
