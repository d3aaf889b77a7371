import Foundation
import Hummingbird
import WardenCore
import WardenPipeline

/// Admins' rules: each with its triggers per day (a sparkline) and its false-positive rate (actions
/// overturned on appeal), switched on or off in place; one rule edited as JSON with the problem shown beside
/// the field at fault (a regex's PCRE2 error offset pointed at under the pattern). Through ``RuleDesk``, so the
/// change is audited and compiled before the page answers.
struct RulePages {
    let desk: RuleDesk
    let renderer: ConsoleRenderer

    struct Row {
        let name: String
        /// The name as shown (invisible characters as markers); `name` stays as written for the row's hook.
        let label: String
        let href: String
        let type: String
        let enabled: Bool
        let action: String
        let sparklineHTML: String
        let triggers: Int
        let falsePositives: Int
        let rate: String
        let days: String
    }
    struct ListModel { let frame: ConsoleFrame; let rows: [Row]; let notice: String? }
    struct EditModel {
        let frame: ConsoleFrame
        let name: String
        let label: String
        let base: String
        let definition: String
        let error: String?
        let errorField: String?
        let pattern: String?
        let pointer: String?
        let backtest: Backtest?
    }

    /// A backtest's figures as the editor shows them.
    struct Backtest {
        struct Example { let source: String; let excerpt: String; let before: String; let after: String; let appeal: String }
        let replayed: String
        let newly: Int
        let newlyApproved: Int
        let noLonger: Int
        let noLongerApproved: Int
        let examples: [Example]
        let notes: [String]
    }

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("guilds/:guild/rules") { request, context in
            let query = try ConsoleQuery(request)
            return try await list(context, notices: [("saved", "saved and compiled"), ("enabled", "switched on"), ("disabled", "switched off")]
                .compactMap { field, what in query[field].map { (name: $0, what: what) } })
        }
        console.post("guilds/:guild/rules/:name/enable") { _, context in try await setEnabled(true, context) }
        console.post("guilds/:guild/rules/:name/disable") { _, context in try await setEnabled(false, context) }
        console.get("guilds/:guild/rules/:name") { _, context in
            let guild = try context.guild(allowing: [.admin])
            let name = try context.parameter("name")
            guard let rule = try await desk.list(guild: guild).rules.first(where: { $0.definition.name == name }) else {
                throw RuleError.ruleNotFound(name, guild: guild)
            }
            return try edit(context, name: name, definition: try Self.json(rule.definition), error: nil, status: .ok)
        }
        console.post("guilds/:guild/rules/:name/backtest") { _, context in
            let guild = try context.guild(allowing: [.admin])
            let name = try context.parameter("name")
            let text = try context.form.required("definition", "The rule")
            let report: RuleBacktest
            do {
                let rule = try RuleDesk.rule(from: .json(Array(text.utf8)), source: "backtest \(name)")
                report = try await desk.backtest(guild: guild, change: .put([rule]))
            } catch let error as RuleError {
                return try edit(context, name: name, definition: text, error: error, status: HTTPResponse.Status(code: error.httpStatus))
            }
            return try edit(context, name: name, definition: text, error: nil, status: .ok, backtest: Self.backtest(report))
        }
        console.post("guilds/:guild/rules/:name") { _, context in
            let guild = try context.guild(allowing: [.admin])
            let name = try context.parameter("name")
            let text = try context.form.required("definition", "The rule")
            do {
                _ = try await desk.put(guild: guild, name: name, body: .json(Array(text.utf8)), by: context.actor)
            } catch let error as RuleError {
                return try edit(context, name: name, definition: text, error: error, status: HTTPResponse.Status(code: error.httpStatus))
            }
            return redirect(to: "/console/guilds/\(UInt64(bitPattern: guild))/rules" + HTML.query([("saved", name)]))
        }
    }

    /// `notices`: rules named by the redirect after a change; each is shown only when the guild has a rule of that name.
    private func list(_ context: WardenRequestContext, notices: [(name: String, what: String)]) async throws -> Response {
        let guild = try context.guild(allowing: [.admin])
        let session = try context.session()
        let rules = try await desk.list(guild: guild).rules
        let figures = try await desk.figures(guild: guild)
        let base = "/console/guilds/\(UInt64(bitPattern: guild))/rules"
        let rows = rules.map { rule in
            let f = figures[rule.id] ?? RuleDesk.Figures(triggersPerDay: Array(repeating: 0, count: 14), falsePositives: 0)
            return Row(name: rule.definition.name, label: ConsoleText.visible(rule.definition.name), href: "\(base)/\(Self.pathComponent(rule.definition.name))", type: rule.definition.type.rawValue,
                       enabled: rule.enabled, action: rule.definition.action.map { "\($0.type)" } ?? "—",
                       sparklineHTML: SVGChart.sparkline(f.triggersPerDay, label: "Triggers per day of \(rule.definition.name), last 14 days"),
                       triggers: f.triggers, falsePositives: f.falsePositives,
                       rate: f.falsePositiveRate.map { String(format: "%.1f%%", $0 * 100) } ?? "—",
                       days: f.triggersPerDay.map(String.init).joined(separator: " "))
        }
        let names = Set(rules.map(\.definition.name))
        let notice = notices.first { names.contains($0.name) }.map { "Rule \(ConsoleText.visible($0.name)) \($0.what)." }
        return renderer.page("rules", ListModel(frame: ConsoleFrame(session, guild: guild, current: .rules, title: "Rules"), rows: rows, notice: notice))
    }

    private func setEnabled(_ enabled: Bool, _ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.admin])
        let name = try context.parameter("name")
        _ = try await desk.setEnabled(enabled, rule: name, guild: guild, by: context.actor)
        return redirect(to: "/console/guilds/\(UInt64(bitPattern: guild))/rules" + HTML.query([(enabled ? "enabled" : "disabled", name)]))
    }

    /// What a backtest found, with up to 10 examples of each shift.
    static func backtest(_ r: RuleBacktest) -> Backtest {
        func example(_ e: RuleBacktest.Example) -> Backtest.Example {
            Backtest.Example(source: e.logID.map { "log \($0)" } ?? e.line.map { "message \($0)" } ?? "—", excerpt: e.excerpt,
                             before: e.before.verdict.rawValue, after: e.after.verdict.rawValue, appeal: e.appeal?.rawValue ?? "—")
        }
        return Backtest(replayed: "\(r.replayed.logs) logs in \(r.elapsedMillis) ms" + (r.complete ? "" : " (stopped early)"),
                        newly: r.newlyFlagged.count, newlyApproved: r.newlyFlagged.appeals.approved,
                        noLonger: r.noLongerFlagged.count, noLongerApproved: r.noLongerFlagged.appeals.approved,
                        examples: (r.newlyFlagged.examples.prefix(10) + r.noLongerFlagged.examples.prefix(10)).map(example),
                        notes: r.notes + r.leftOut)
    }

    private func edit(_ context: WardenRequestContext, name: String, definition: String, error: RuleError?,
                      status: HTTPResponse.Status, backtest: Backtest? = nil) throws -> Response {
        let guild = try context.guild(allowing: [.admin])
        let session = try context.session()
        var message: String? = error.map { "\($0.message)" }
        var field: String?
        var pattern: String?
        var pointer: String?
        if case .invalidRule(let issue)? = error {
            message = issue.message
            field = issue.field
            if let offset = issue.offset, let found = Self.pattern(in: definition, field: issue.field) {
                pattern = found
                // The caret sits under the character at PCRE2's byte offset.
                let prefix = String(decoding: Array(found.utf8).prefix(offset), as: UTF8.self)
                pointer = String(repeating: " ", count: prefix.count) + "^ offset \(offset)"
            }
        }
        let model = EditModel(frame: ConsoleFrame(session, guild: guild, current: .rules, title: "Rule \(name)"), name: name, label: ConsoleText.visible(name),
                              base: "/console/guilds/\(UInt64(bitPattern: guild))/rules/\(Self.pathComponent(name))", definition: definition,
                              error: message, errorField: field, pattern: pattern, pointer: pointer, backtest: backtest)
        return renderer.page("rule", model, status: status)
    }

    /// The pattern a problem's field names (`patterns[2]`, `pattern`) in the submitted JSON.
    static func pattern(in definition: String, field: String?) -> String? {
        guard let field, let object = (try? JSONValue.parse(Array(definition.utf8)))?.objectValue else { return nil }
        if field == "pattern" { return object["pattern"]?.stringValue }
        guard field.hasPrefix("patterns["), field.hasSuffix("]"), let index = Int(field.dropFirst(9).dropLast()),
              let patterns = object["patterns"]?.arrayValue, patterns.indices.contains(index) else { return nil }
        return patterns[index].stringValue
    }

    /// The rule in the JSON form `PUT rules/{name}` takes, pretty-printed for editing.
    /// Invisible and bidirectional characters are written as `\\u` escapes, so the editor shows them (and cannot be
    /// reordered by them) while the JSON means the same.
    static func json(_ definition: RuleDefinition) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(definition), as: UTF8.self)
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value > 0x7F, ConsoleText.visible(String(scalar)) != String(scalar) {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A rule name as one path segment.
    static func pathComponent(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? name
    }
}
