import Foundation
import Hummingbird
import WardenCore
import WardenPipeline
import WardenStore

/// Moderators' appeal queue and appeal detail: the message with every evidence span highlighted, the rule,
/// the action, the escalation, the model's analysis and triage, the member's history; approve, or deny with a
/// note. Decisions go through ``AppealDesk``, attributed to the token's Discord user.
struct AppealPages {
    let desk: AppealDesk
    let rules: RuleDesk
    let records: MemberRecords
    let renderer: ConsoleRenderer
    let clock: @Sendable () -> Date

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("guilds/:guild/appeals") { request, context in try await queue(request, context) }
        console.get("guilds/:guild/appeals/pending-count") { _, context in
            let guild = try context.guild(allowing: [.moderator])
            struct Count: Encodable { let pending: Int }
            return try JSONBodies.response(Count(pending: try await desk.pendingCount(guild: guild)))
        }
        console.get("guilds/:guild/appeals/:appeal") { request, context in
            try await detail(context, id: try context.rowID("appeal"), error: nil, note: "", status: .ok, from: request)
        }
        console.post("guilds/:guild/appeals/:appeal/approve") { request, context in try await decide(approve: true, request, context) }
        console.post("guilds/:guild/appeals/:appeal/deny") { request, context in try await decide(approve: false, request, context) }
    }

    // MARK: Queue

    struct Tab { let label: String; let href: String; let current: Bool }
    struct Row {
        let id: String
        let href: String
        let member: String
        let rule: String
        let action: String
        let filed: String
        let reason: String
        let suggestion: String?
    }
    struct QueueModel {
        let frame: ConsoleFrame
        let tabs: [Tab]
        let base: String
        let status: String
        let rules: [Option]
        let actions: [Option]
        let ages: [Option]
        let rows: [Row]
        let empty: String?
        let next: String?
        let first: String?
        let notice: String?
    }

    /// The Discord action types a log's `action_taken` can hold, for the action filter.
    static let actionNames = Array(Set(ActionKinds.all.compactMap { $0.discordType?.rawValue } + ["delete_message", "alert"])).sorted()

    /// The queue's filters as a query gave them: kept on an appeal's links, so next and previous (and where a
    /// decision leads) stay within what the moderator narrowed the queue to.
    struct Narrowing {
        var rule: String?
        var action: String?
        var age = ""
        var filter = AppealRepository.QueueFilter()

        init(_ query: ConsoleQuery, now: Date) throws {
            rule = query["rule"]
            action = query["action"]
            if let action, !AppealPages.actionNames.contains(action) {
                throw APIError.badRequest("invalid_parameter", "action must be one of \(AppealPages.actionNames.joined(separator: ", ")), got '\(action)'")
            }
            age = query["age"] ?? ""
            filter = AppealRepository.QueueFilter(rule: rule, action: action)
            switch age {
            case "": break
            case "day": filter.filedSince = now.addingTimeInterval(-86_400)
            case "week": filter.filedSince = now.addingTimeInterval(-7 * 86_400)
            case "month": filter.filedSince = now.addingTimeInterval(-30 * 86_400)
            case "older": filter.filedBefore = now.addingTimeInterval(-7 * 86_400)
            default: throw APIError.badRequest("invalid_parameter", "age must be one of day, week, month, older, got '\(age)'")
            }
        }

        /// The filters as a query string for an appeal's links ("" when none).
        var query: String { HTML.query([("rule", rule), ("action", action), ("age", age)]) }
    }

    /// The ages the queue can be narrowed to: filed within a day, a week, a month, or waiting longer than a week.
    static let ages: [(value: String, label: String)] = [("", "Any age"), ("day", "Filed today"), ("week", "This week"),
                                                         ("month", "This month"), ("older", "Waiting over a week")]

    private func queue(_ request: Request, _ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.moderator])
        let session = try context.session()
        let query = try ConsoleQuery(request)
        let statusText = query["status"] ?? "pending"
        guard let status = AppealStatus(rawValue: statusText), status != .none else {
            throw APIError.badRequest("invalid_parameter", "status must be pending, approved or denied, got '\(statusText)'")
        }
        let ruleNames = try await rules.list(guild: guild).rules.map(\.definition.name)
        let narrowing = try Narrowing(query, now: clock())
        let (rule, action, age, filter) = (narrowing.rule, narrowing.action, narrowing.age, narrowing.filter)
        let now = clock()
        let before = query.id("before")
        let page = try await desk.queue(guild: guild, status: status, filter: filter, before: before)

        let base = "/console/guilds/\(UInt64(bitPattern: guild))/appeals"
        func link(status: String, before: Int64? = nil) -> String {
            base + HTML.query([("status", status == "pending" ? nil : status), ("rule", rule), ("action", action), ("age", age),
                               ("before", before.map { String($0) })])
        }
        let rows = page.appeals.map { view in
            Row(id: String(view.appeal.id), href: "\(base)/\(view.appeal.id)" + narrowing.query, member: view.appeal.userID.description,
                rule: ConsoleText.visible(view.rule?.name ?? "—"), action: view.log.actionTaken, filed: ConsoleText.ago(view.appeal.createdAt, now: now),
                reason: ConsoleText.excerpt(view.appeal.reason, 140), suggestion: view.triage?.suggestion?.rawValue)
        }
        let filtered = rule != nil || action != nil || !age.isEmpty
        let empty = rows.isEmpty ? (filtered ? "No \(status.rawValue) appeals match these filters." : "No \(status.rawValue) appeals.") : nil
        let model = QueueModel(
            frame: ConsoleFrame(session, guild: guild, current: .appeals, title: "Appeals"),
            tabs: ["pending", "approved", "denied"].map { Tab(label: $0.capitalized, href: link(status: $0), current: $0 == status.rawValue) },
            base: base, status: status.rawValue,
            rules: [Option(value: "", label: "Any rule", selected: rule == nil)] + ruleNames.map { Option(value: $0, label: ConsoleText.visible($0), selected: $0 == rule) },
            actions: [Option(value: "", label: "Any action", selected: action == nil)]
                + Self.actionNames.map { Option(value: $0, label: $0, selected: $0 == action) },
            ages: Self.ages.map { Option(value: $0.value, label: $0.label, selected: $0.value == age) },
            rows: rows, empty: empty, next: page.next.map { link(status: status.rawValue, before: $0) },
            first: before == nil ? nil : link(status: status.rawValue), notice: try await decidedNotice(query, guild: guild))
        return renderer.page("appeals", model)
    }

    // MARK: Detail

    struct HistoryLog { let id: String; let when: String; let rule: String; let action: String; let appeal: String; let points: String }
    struct DetailModel {
        let frame: ConsoleFrame
        let id: String
        let base: String
        /// The queue's filters as a query string, carried by the decision form so its answer leads on within them.
        let narrowing: String
        let status: String
        let pending: Bool
        let member: String
        let filed: String
        let reason: String
        let messageHTML: String
        let matches: [EvidenceRow]
        let facts: [Fact]
        let analysis: [Fact]
        let triage: [Fact]
        let triageEvidence: [String]
        let injectionFlagged: Bool
        let decision: [Fact]
        let historyChartHTML: String
        let history: [HistoryLog]
        let pointsNow: [Fact]
        let error: String?
        let notice: String?
        let note: String
        let previous: String?
        let next: String?
        let queue: String
    }

    private func detail(_ context: WardenRequestContext, id: Int64, error: String?, note: String, status: HTTPResponse.Status,
                        from request: Request) async throws -> Response {
        let guild = try context.guild(allowing: [.moderator])
        let session = try context.session()
        let view = try await desk.show(guild: guild, id: id)
        let now = clock()
        let base = "/console/guilds/\(UInt64(bitPattern: guild))/appeals"
        let (matches, spans) = EvidenceRow.read(view.evidence?.arrayValue ?? [])
        var facts = [Fact("Rule", view.rule.map { "\($0.name) (\($0.type))" } ?? "—"),
                     Fact("Action taken", view.log.actionTaken),
                     Fact("Logged", ConsoleText.stamp(view.log.timestamp)),
                     Fact("Channel", view.log.channelID?.description ?? "—"),
                     Fact("Message", view.log.messageID?.description ?? "—")]
        let logs = try await records.searchLogs(guild: guild, filter: LogSearch.Filter(member: view.appeal.userID.int64), before: nil).rows
        if let points = logs.first(where: { $0.id == view.log.id })?.points {
            facts.append(Fact("Escalation points after it", ConsoleText.number(points)))
        }
        var analysis: [Fact] = []
        if let ai = view.aiAnalysis?.objectValue {
            analysis.append(Fact("Category", ai["primary_category"]?.stringValue ?? "—"))
            if let rationale = ai["rationale"]?.stringValue { analysis.append(Fact("Rationale", rationale)) }
            if ai["manipulation_attempt"]?.boolValue == true { analysis.append(Fact("Manipulation", "the message tried to instruct the model")) }
        }
        var triage: [Fact] = []
        if let t = view.triage {
            triage.append(Fact("Status", t.status.rawValue))
            if let summary = t.summary { triage.append(Fact("Summary", summary)) }
            if let suggestion = t.suggestion {
                triage.append(Fact("Suggestion", suggestion.rawValue + (t.confidence.map { " (confidence \(ConsoleText.number($0)))" } ?? "")))
            }
            if let note = t.note { triage.append(Fact("Note", note)) }
        }
        var decision: [Fact] = []
        if view.appeal.status != .pending {
            decision = [Fact("Decision", view.appeal.status.rawValue),
                        Fact("By", view.appeal.decidedBy?.description ?? "—"),
                        Fact("When", view.appeal.decidedAt.map(ConsoleText.stamp) ?? "—"),
                        Fact("Note", view.appeal.note ?? "—")]
        }
        let member = try await records.history(guild: guild, user: view.appeal.userID.int64, limit: 1)
        let chartPoints = logs.reversed().compactMap { log in log.points.map { (label: ConsoleText.stamp(log.timestamp), value: $0) } }
        // Neighbours in the pending queue, for the keyboard's next and previous.
        let narrowing = try Narrowing(try ConsoleQuery(request), now: now)
        let neighbours: (newer: Int64?, older: Int64?) = view.appeal.status == .pending
            ? try await desk.pendingNeighbours(guild: guild, id: id, filter: narrowing.filter) : (nil, nil)
        let model = DetailModel(
            frame: ConsoleFrame(session, guild: guild, current: .appeals, title: "Appeal \(id)"),
            id: String(id), base: "\(base)/\(id)", narrowing: narrowing.query, status: view.appeal.status.rawValue, pending: view.appeal.status == .pending,
            member: view.appeal.userID.description, filed: ConsoleText.stamp(view.appeal.createdAt) + " (" + ConsoleText.ago(view.appeal.createdAt, now: now) + ")",
            reason: ConsoleText.visible(view.appeal.reason), messageHTML: HTML.highlighted(view.log.messageContent ?? "", spans: spans),
            matches: matches, facts: facts, analysis: analysis, triage: triage, triageEvidence: (view.triage?.evidence ?? []).map(ConsoleText.visible),
            injectionFlagged: view.triage?.injection.flagged ?? false, decision: decision,
            historyChartHTML: SVGChart.line(chartPoints, label: "Escalation points of member \(view.appeal.userID) after each logged action"),
            history: logs.map { log in
                HistoryLog(id: String(log.id), when: ConsoleText.stamp(log.timestamp), rule: ConsoleText.visible(log.ruleName ?? "—"), action: log.actionTaken,
                           appeal: log.appealStatus, points: log.points.map(ConsoleText.number) ?? "—")
            },
            pointsNow: member.points.map { Fact($0.ruleType, "\(ConsoleText.number($0.points)) points, \($0.violations) violations") },
            error: error, notice: try await decidedNotice(try ConsoleQuery(request), guild: guild), note: note,
            previous: neighbours.newer.map { "\(base)/\($0)" + narrowing.query }, next: neighbours.older.map { "\(base)/\($0)" + narrowing.query },
            queue: base + narrowing.query)
        return renderer.page("appeal", model, status: status)
    }

    // MARK: Decisions

    /// "Appeal 5 approved.": shown after a decision's redirect, only for an appeal of the guild that is decided.
    private func decidedNotice(_ query: ConsoleQuery, guild: Int64) async throws -> String? {
        guard let id = query.id("decided"), let view = try? await desk.show(guild: guild, id: id), view.appeal.status != .pending else { return nil }
        return "Appeal \(id) \(view.appeal.status.rawValue)."
    }

    private func decide(approve: Bool, _ request: Request, _ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.moderator])
        let id = try context.rowID("appeal")
        let note = try context.form.text("note") ?? ""
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if !approve && trimmed.isEmpty {
            return try await detail(context, id: id, error: "A denial needs a note for the member.", note: note, status: .badRequest, from: request)
        }
        // Attributed to the token's holder; a token created without --user is recorded as user 0.
        let moderator = context.actor
        do {
            if approve {
                _ = try await desk.approve(guild: guild, id: id, moderator: moderator, note: trimmed.isEmpty ? nil : trimmed)
            } else {
                _ = try await desk.deny(guild: guild, id: id, moderator: moderator, note: trimmed)
            }
        } catch let error as AppealError {
            switch error {
            case .appealNotFound: throw error
            default:
                return try await detail(context, id: id, error: error.message, note: note, status: HTTPResponse.Status(code: error.httpStatus), from: request)
            }
        }
        // Back to the queue's next appeal (within its filters), so a moderator works through it without returning to the list.
        let narrowing = try Narrowing(try ConsoleQuery(request), now: clock())
        let (_, older) = try await desk.pendingNeighbours(guild: guild, id: id, filter: narrowing.filter)
        let base = "/console/guilds/\(UInt64(bitPattern: guild))/appeals"
        let target = (older.map { "\(base)/\($0)" } ?? base) + narrowing.query
        return redirect(to: target + (target.contains("?") ? "&" : "?") + "decided=\(id)")
    }
}
