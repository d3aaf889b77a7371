import Foundation
import Hummingbird
import WardenCore
import WardenPipeline

/// A guild's automod rules for admins (``RuleDesk``): list, put one (validated like a pack file), enable or
/// disable, dry-run a message against them, and backtest a change before saving it (nothing is stored).
struct RuleRoutes {
    let desk: RuleDesk

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.get("guilds/:guild/rules") { _, context in
            let guild = try context.guild(allowing: [.admin])
            return try JSONBodies.response(try await desk.list(guild: guild), encoder: JSONBodies.verbatim)
        }
        v1.put("guilds/:guild/rules/:name") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let name = try context.parameter("name")
            // JSON is read as JSON; YAML only when the client says so.
            let format = try BodyFormat.of(request, among: [.json, .yaml])
            let bytes = Array(try await JSONBodies.bytes(request, limit: RequestLimits.rule, accepting: [format]).readableBytesView)
            let body: RuleBody
            if format == .yaml {
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw APIError.badRequest("invalid_body", "the YAML body is not valid UTF-8")
                }
                body = .yaml(text)
            } else {
                body = .json(bytes)
            }
            let written = try await desk.put(guild: guild, name: name, body: body, by: nil)
            return try JSONBodies.response(written.rule, status: written.created ? .created : .ok, encoder: JSONBodies.verbatim)
        }
        v1.post("guilds/:guild/rules/:name/enable") { _, context in try await setEnabled(true, context) }
        v1.post("guilds/:guild/rules/:name/disable") { _, context in try await setEnabled(false, context) }
        v1.post("guilds/:guild/rules/dry-run") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let body = try await JSONBodies.bytes(request, limit: RequestLimits.message)
            let message = try MessageDecoder().decode(Data(body.readableBytesView))
            return try JSONBodies.response(try await desk.dryRun(guild: guild, message: message), encoder: JSONBodies.verbatim)
        }
        v1.post("guilds/:guild/rules/backtest") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let body = try await JSONBodies.bytes(request, limit: RequestLimits.backtest)
            let backtest = try Self.backtest(Array(body.readableBytesView))
            return try JSONBodies.response(try await desk.backtest(guild: guild, change: backtest.change, messages: backtest.messages,
                                                                   limits: backtest.limits), encoder: JSONBodies.verbatim)
        }
    }

    /// A backtest's body: exactly one of `rule` (one rule as `PUT rules/{name}` takes it), `enable` or
    /// `disable` (a rule's name); optional `messages` (Discord messages of the admin's own) and `max_logs`.
    static func backtest(_ bytes: [UInt8]) throws -> (change: RuleChange, messages: [DiscordMessage], limits: RuleBacktest.Limits) {
        let fields = ["rule", "enable", "disable", "messages", "max_logs"]
        let object: [String: JSONValue]
        do {
            guard let parsed = try JSONValue.parse(bytes).objectValue else { throw APIError.badRequest("invalid_body", "the body must be a JSON object") }
            object = parsed
        } catch let error as IngestError {
            throw APIError.badRequest("invalid_body", "the body is not JSON: \(error)")
        }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw APIError.badRequest("invalid_body", "field '\(unknown)': unknown field; the fields are \(fields.joined(separator: ", "))")
        }
        let given = ["rule", "enable", "disable"].filter { object[$0] != nil }
        guard given.count == 1, let kind = given.first, let value = object[kind] else {
            throw APIError.badRequest("invalid_body", "give exactly one of 'rule', 'enable' and 'disable' (got \(given.isEmpty ? "none" : given.joined(separator: ", ")))")
        }
        let change: RuleChange
        if kind == "rule" {
            guard case .object = value else { throw APIError.badRequest("invalid_body", "field 'rule': expected one rule as a JSON object") }
            change = .put([try RuleDesk.rule(from: .json(Array(value.encoded().utf8)), source: "backtest rule")])
        } else {
            guard let name = value.stringValue else { throw APIError.badRequest("invalid_body", "field '\(kind)': expected a rule's name") }
            change = kind == "enable" ? .enable(name) : .disable(name)
        }
        var limits = RuleBacktest.Limits()
        if let max = object["max_logs"] {
            guard let n = max.numberValue, n.rounded() == n, n >= 1, n <= Double(RuleBacktest.Limits.logCap) else {
                throw APIError.badRequest("invalid_body", "field 'max_logs': expected a whole number from 1 to \(RuleBacktest.Limits.logCap)")
            }
            limits.maxLogs = Int(n)
        }
        var messages: [DiscordMessage] = []
        if let list = object["messages"] {
            guard let elements = list.arrayValue else { throw APIError.badRequest("invalid_body", "field 'messages': expected an array of Discord messages") }
            guard elements.count <= limits.maxMessages else { throw RuleError.tooManyBacktestMessages(elements.count, limit: limits.maxMessages) }
            messages = try elements.enumerated().map { index, element in
                do throws(IngestError) { return try MessageDecoder().decode(Data(element.encoded().utf8)) } catch {
                    throw RuleError.invalidBacktestMessage(index: index, error)
                }
            }
        }
        return (change, messages, limits)
    }

    private func setEnabled(_ enabled: Bool, _ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.admin])
        let name = try context.parameter("name")
        return try JSONBodies.response(try await desk.setEnabled(enabled, rule: name, guild: guild, by: nil), encoder: JSONBodies.verbatim)
    }
}
