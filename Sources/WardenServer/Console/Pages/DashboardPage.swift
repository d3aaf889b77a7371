import Foundation
import Hummingbird
import WardenApp

/// A guild's dashboard: each chart an SVG drawn here, each with the table of its numbers beside it.
struct DashboardPage {
    let desk: DashboardDesk
    let renderer: ConsoleRenderer

    struct Cell { let name: String; let value: String }
    struct Row { let label: String; let cells: [Cell] }
    struct Figure { let label: String; let value: String }
    struct Model {
        let frame: ConsoleFrame
        let decisionsChartHTML: String
        let decisionRows: [Row]
        let llmChartHTML: String
        let llmRows: [Row]
        let topRules: [Row]
        let appeals: [Figure]
        let tickets: [Figure]
        let support: [Figure]
    }

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("guilds/:guild") { _, context in try await page(context) }
    }

    private func page(_ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.moderator, .staff])
        let session = try context.session()
        let d = try await desk.dashboard(guild: guild)
        let shortDays = d.days.map { String($0.dropFirst(5)) }
        func percent(_ rate: Double?) -> String { rate.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }
        let decisionRows = d.days.indices.map { i in
            Row(label: d.days[i], cells: [Cell(name: "Flagged", value: String(d.flagged[i])), Cell(name: "Blocked", value: String(d.blocked[i]))])
        }
        let llmRows = d.days.indices.map { i in
            Row(label: d.days[i], cells: [Cell(name: "Calls", value: String(d.llmCalls[i])), Cell(name: "Denied", value: String(d.quotaDenials[i]))])
        }
        let model = Model(
            frame: ConsoleFrame(session, guild: guild, current: .dashboard, title: "Dashboard"),
            decisionsChartHTML: SVGChart.bars(labels: shortDays, series: [.init(name: "flag", values: d.flagged.map(Double.init)),
                                                                           .init(name: "block", values: d.blocked.map(Double.init))],
                                              label: "Logged decisions per day, flagged and blocked"),
            decisionRows: decisionRows,
            llmChartHTML: SVGChart.bars(labels: shortDays, series: [.init(name: "calls", values: d.llmCalls.map(Double.init)),
                                                                     .init(name: "denied", values: d.quotaDenials.map(Double.init))],
                                        label: "LLM calls and quota denials per day"),
            llmRows: llmRows,
            topRules: d.topRules.map { Row(label: $0.name, cells: [Cell(name: "Triggers", value: String($0.triggers)), Cell(name: "Approved appeals", value: String($0.falsePositives))]) },
            appeals: [Figure(label: "Filed", value: String(d.appealsFiled)), Figure(label: "Approved", value: String(d.appealsApproved)),
                      Figure(label: "Denied", value: String(d.appealsDenied)), Figure(label: "Pending", value: String(d.appealsPending)),
                      Figure(label: "Approval rate", value: percent(d.approvalRate))],
            tickets: d.tickets.sorted { $0.key < $1.key }.map { Figure(label: $0.key, value: String($0.value)) },
            support: [Figure(label: "FAQ proposals waiting", value: String(d.pendingProposals)),
                      Figure(label: "Tickets opened", value: String(d.deflection.ticketsOpened)),
                      Figure(label: "Suggestion rate", value: percent(d.deflection.suggestionRate)),
                      Figure(label: "Deflection rate", value: percent(d.deflection.deflectionRate))])
        return renderer.page("dashboard", model)
    }
}
