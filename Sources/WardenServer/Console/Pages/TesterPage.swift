import Foundation
import Hummingbird
import WardenCore
import WardenPipeline

/// The rule tester: a pasted message judged by the guild's rules as they are now (``RuleDesk/dryRun``: nothing
/// stored, no points, no LLM), with the decision, every view of the text Warden builds, and the matched spans
/// highlighted in the original.
struct TesterPage {
    let desk: RuleDesk
    let renderer: ConsoleRenderer

    struct View { let kind: String; let text: String; let same: Bool }
    struct Match { let rule: String; let type: String; let view: String; let what: String; let text: String; let action: String }
    struct Model {
        let frame: ConsoleFrame
        let base: String
        let message: String
        let tested: Bool
        let verdict: String
        let highlightedHTML: String
        let matches: [Match]
        let actions: [String]
        let views: [View]
        let notes: [String]
    }

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("guilds/:guild/tester") { _, context in try page(context, message: "", decision: nil) }
        console.post("guilds/:guild/tester") { _, context in
            let guild = try context.guild(allowing: [.admin])
            let text = try context.form.text("message") ?? ""
            guard text.count <= 4_000 else { throw APIError.badRequest("invalid_field", "a Discord message is at most 4,000 characters; this one has \(text.count)") }
            return try page(context, message: text, decision: try await desk.dryRun(guild: guild, message: try Self.message(text, guild: guild)))
        }
    }

    /// A message of the guild from a member who is nobody in particular, in a channel no rule exempts.
    static func message(_ text: String, guild: Int64) throws -> DiscordMessage {
        let body: [String: Any] = ["id": "1", "guild_id": String(UInt64(bitPattern: guild)), "channel_id": "1",
                                   "author": ["id": "1", "username": "tester"], "content": text,
                                   "timestamp": DiscordTimestamp.format(Date())]
        do {
            return try MessageDecoder().decode(try JSONSerialization.data(withJSONObject: body))
        } catch let error as IngestError {
            throw APIError.badRequest("invalid_field", "the message cannot be judged: \(error)")
        }
    }

    private func page(_ context: WardenRequestContext, message: String, decision: Decision?) throws -> Response {
        let guild = try context.guild(allowing: [.admin])
        let session = try context.session()
        var views: [View] = []
        var matches: [Match] = []
        var spans: [Range<Int>] = []
        if let decision {
            let normalized = Normalizer().normalize(message, views: ViewSet(ViewKind.allCases))
            let raw = normalized.view(.raw).map { String(decoding: $0.bytes, as: UTF8.self) }
            for kind in ViewKind.allCases {
                guard let view = normalized.view(kind) else { continue }
                let text = String(decoding: view.bytes, as: UTF8.self)
                views.append(View(kind: kind.rawValue, text: ConsoleText.visible(text), same: kind != .raw && text == raw))
            }
            for match in decision.matches {
                let e = match.evidence
                if let start = e.start, let end = e.end, end > start { spans.append(start..<end) }
                let what = EvidenceRow.what(["keyword": e.keyword, "pattern": e.pattern, "detector": e.detector, "category": e.category,
                                             "attachment": e.attachment].compactMapValues { $0.map(JSONValue.string) })
                matches.append(Match(rule: ConsoleText.visible(match.rule), type: match.type.rawValue, view: e.view?.rawValue ?? "—", what: ConsoleText.visible(what),
                                     text: ConsoleText.visible(e.text ?? ""),
                                     action: match.action.type.rawValue))
            }
        }
        var notes: [String] = []
        if let decision {
            for (stage, note) in decision.stages.sorted(by: { $0.key < $1.key }) { notes.append("\(stage): \(note)") }
            for failure in decision.errors { notes.append("failed: \(failure)") }
        }
        let model = Model(frame: ConsoleFrame(session, guild: guild, current: .tester, title: "Rule tester"),
                          base: "/console/guilds/\(UInt64(bitPattern: guild))/tester", message: message, tested: decision != nil,
                          verdict: decision?.verdict.rawValue ?? "", highlightedHTML: HTML.highlighted(message, spans: spans), matches: matches,
                          actions: decision?.actions.map { $0.type.rawValue } ?? [], views: views, notes: notes)
        return renderer.page("tester", model)
    }
}
