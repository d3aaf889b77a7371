import Foundation
import Hummingbird
import NIOCore
import WardenCore
import WardenPipeline
import WardenStore

/// Moderators' automod log search (member, rule, verdict, date range; newest first, keyset pages) and its CSV
/// export, which pages through the same search so an export of 100,000 logs never holds them all at once.
struct LogPages {
    let records: MemberRecords
    let rules: RuleDesk
    let renderer: ConsoleRenderer

    struct Row {
        let id: String
        let href: String
        let when: String
        let member: String
        let memberHref: String
        let rule: String
        let verdict: String
        let action: String
        let content: String
        let appeal: String
        let points: String
    }
    struct Model {
        let frame: ConsoleFrame
        let base: String
        let member: String
        let rules: [Option]
        let verdicts: [Option]
        let from: String
        let to: String
        let rows: [Row]
        let csv: String
        let next: String?
        let first: String?
        let filtered: Bool
    }

    /// The filter as the query gave it, and the same query for links.
    struct Query {
        var filter = LogSearch.Filter()
        var pairs: [(String, String?)] = []
    }

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("guilds/:guild/logs") { request, context in try await page(request, context) }
        console.get("guilds/:guild/logs.csv") { request, context in try await csv(request, context) }
        console.get("guilds/:guild/logs/:log") { _, context in try await detail(context) }
    }

    struct DetailModel {
        let frame: ConsoleFrame
        let id: String
        let messageHTML: String
        let matches: [EvidenceRow]
        let facts: [Fact]
        let analysis: [Fact]
        let appeal: String?
        let member: String
        let memberHref: String
        let list: String
    }

    /// One log: the message with its evidence highlighted, the rule, what was done, the escalation and the
    /// model's analysis, and the appeal against it when there is one.
    private func detail(_ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.moderator])
        let session = try context.session()
        let (log, appeal) = try await records.log(guild: guild, id: try context.id("log"))
        let (matches, spans) = EvidenceRow.read(log.evidenceJSON.flatMap { try? JSONValue.parse(Array($0.utf8)) }?.arrayValue ?? [])
        let decision = log.contextJSON.flatMap { try? JSONValue.parse(Array($0.utf8)) }?.objectValue
        let escalation = decision?["escalation"]?.objectValue
        var facts = [Fact("Rule", log.ruleName.map { "\($0) (\(log.ruleType ?? "?"))" } ?? "—"),
                     Fact("Verdict", decision?["verdict"]?.stringValue ?? "—"),
                     Fact("Action taken", log.actionTaken),
                     Fact("Logged", ConsoleText.stamp(log.timestamp)),
                     Fact("Channel", log.channelID.map { String(UInt64(bitPattern: $0)) } ?? "—"),
                     Fact("Message", log.messageID.map { String(UInt64(bitPattern: $0)) } ?? "—"),
                     Fact("Appeal", log.appealStatus)]
        if let points = escalation?["points"]?.numberValue { facts.append(Fact("Escalation points after it", ConsoleText.number(points))) }
        if let level = escalation?["level"]?.numberValue { facts.append(Fact("Escalation level", ConsoleText.number(level))) }
        var analysis: [Fact] = []
        if let ai = log.aiAnalysisJSON.flatMap({ try? JSONValue.parse(Array($0.utf8)) })?.objectValue {
            analysis.append(Fact("Category", ai["primary_category"]?.stringValue ?? "—"))
            if let rationale = ai["rationale"]?.stringValue { analysis.append(Fact("Rationale", rationale)) }
        }
        let base = "/console/guilds/\(UInt64(bitPattern: guild))"
        let member = String(UInt64(bitPattern: log.userID))
        let model = DetailModel(frame: ConsoleFrame(session, guild: guild, current: .logs, title: "Log \(log.id)"), id: String(log.id),
                                messageHTML: HTML.highlighted(log.messageContent ?? "", spans: spans),
                                matches: matches,
                                facts: facts, analysis: analysis, appeal: appeal.map { "\(base)/appeals/\($0)" }, member: member,
                                memberHref: "\(base)/logs" + HTML.query([("member", member)]), list: "\(base)/logs")
        return renderer.page("log", model)
    }

    static func query(_ request: Request) throws -> Query {
        let q = try ConsoleQuery(request)
        var out = Query()
        func text(_ name: String) -> String? { q[name] }
        if let member = text("member") {
            guard let id = RequestID.parse(member) else { throw APIError.badRequest("invalid_parameter", "member must be a Discord user id, got '\(member)'") }
            out.filter.member = id
        }
        if let rule = text("rule") { try TextPolicy.check(rule, field: "rule"); out.filter.rule = rule }
        if let verdict = text("verdict") {
            guard ["flag", "block"].contains(verdict) else { throw APIError.badRequest("invalid_parameter", "verdict must be flag or block, got '\(verdict)'") }
            out.filter.verdict = verdict
        }
        func day(_ name: String) throws -> Date? {
            guard let value = text(name) else { return nil }
            // Both stores hold years 1-9999 only; the search has no use for days outside 1970-9998.
            guard let date = DiscordTimestamp.parse(value + "T00:00:00+00:00"),
                  date >= Date(timeIntervalSince1970: 0), date < Date(timeIntervalSince1970: 253_370_764_800) else {
                throw APIError.badRequest("invalid_parameter", "\(name) must be a day from 1970-01-01 to 9998-12-31 like 2026-12-01, got '\(value)'")
            }
            return date
        }
        out.filter.from = try day("from")
        // The end day is included: logs before the next midnight.
        out.filter.until = try day("to").map { $0.addingTimeInterval(86_400) }
        out.pairs = ["member", "rule", "verdict", "from", "to"].map { ($0, text($0)) }
        return out
    }

    private func page(_ request: Request, _ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.moderator])
        let session = try context.session()
        let query = try Self.query(request)
        let before = try ConsoleQuery(request).id("before")
        let found = try await records.searchLogs(guild: guild, filter: query.filter, before: before)
        let ruleNames = try await rules.list(guild: guild).rules.map(\.definition.name)
        let base = "/console/guilds/\(UInt64(bitPattern: guild))/logs"
        let rows = found.rows.map { log in
            Row(id: String(log.id), href: "\(base)/\(log.id)", when: ConsoleText.stamp(log.timestamp), member: String(UInt64(bitPattern: log.userID)),
                memberHref: base + HTML.query([("member", String(UInt64(bitPattern: log.userID)))]), rule: ConsoleText.visible(log.ruleName ?? "—"),
                verdict: log.verdict ?? "—", action: log.actionTaken, content: ConsoleText.excerpt(log.messageContent ?? "", 300),
                appeal: log.appealStatus, points: log.points.map(ConsoleText.number) ?? "—")
        }
        let f = query.filter
        let model = Model(
            frame: ConsoleFrame(session, guild: guild, current: .logs, title: "Automod logs"), base: base,
            member: f.member.map { String(UInt64(bitPattern: $0)) } ?? "",
            rules: [Option(value: "", label: "Any rule", selected: f.rule == nil)] + ruleNames.map { Option(value: $0, label: ConsoleText.visible($0), selected: $0 == f.rule) },
            verdicts: [("", "Any verdict"), ("flag", "flag"), ("block", "block")].map { Option(value: $0.0, label: $0.1, selected: $0.0 == (f.verdict ?? "")) },
            from: query.pairs.first { $0.0 == "from" }?.1 ?? "", to: query.pairs.first { $0.0 == "to" }?.1 ?? "",
            rows: rows, csv: base + ".csv" + HTML.query(query.pairs),
            next: found.next.map { base + HTML.query(query.pairs + [("before", String($0))]) },
            first: before == nil ? nil : base + HTML.query(query.pairs),
            filtered: query.pairs.contains { $0.1 != nil })
        return renderer.page("logs", model)
    }

    /// The search as CSV (RFC 4180), every matching log, written page by page.
    private func csv(_ request: Request, _ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.moderator])
        let query = try Self.query(request)
        let records = self.records
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "log_id,timestamp,user_id,rule,verdict,action_taken,appeal_status,points,message_content\r\n"))
            var before: Int64?
            // Bounded: at most 1,000 pages of 1,000 logs.
            for _ in 0..<1_000 {
                let page = try await records.searchLogs(guild: guild, filter: query.filter, before: before, limit: 1_000)
                var chunk = ""
                for log in page.rows {
                    let fields = [String(log.id), DiscordTimestamp.format(log.timestamp), String(UInt64(bitPattern: log.userID)), log.ruleName ?? "",
                                  log.verdict ?? "", log.actionTaken, log.appealStatus, log.points.map(ConsoleText.number) ?? "", log.messageContent ?? ""]
                    chunk += fields.map(Self.csvField).joined(separator: ",") + "\r\n"
                }
                try await writer.write(ByteBuffer(string: chunk))
                guard let next = page.next else { break }
                before = next
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"automod-logs-\(UInt64(bitPattern: guild)).csv\""],
                        body: body)
    }

    /// One CSV field: quoted when it holds a comma, quote or line break; a leading `= + - @` is prefixed with
    /// `'` so a spreadsheet does not run member text as a formula.
    static func csvField(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
