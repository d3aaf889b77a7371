import Foundation
import Hummingbird
import WardenCore
import WardenPipeline
import WardenStore

/// A guild's automod rules for admins: list, put one (validated like a pack file), enable or disable,
/// and dry-run a message against them (nothing is stored; spam windows start empty for the dry run).
struct RuleRoutes {
    let database: any Database
    let guilds: GuildDirectory
    let clock: @Sendable () -> Date
    static let ruleEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.get("guilds/:guild/rules") { _, context in
            let guild = try context.guild(allowing: [.admin])
            _ = try await guilds.context(for: Snowflake(UInt64(bitPattern: guild)))   // imports the default pack on first use
            let stored = try await database.transaction { conn in try AutomodRepository.rules(on: conn, guild: guild) }
            var items: [String] = []
            for rule in stored {
                let definition = try RuleCodec.definition(from: rule)
                let json = String(decoding: try Self.ruleEncoder.encode(definition), as: UTF8.self)
                items.append(#"{"id":\#(rule.id),"enabled":\#(rule.enabled),"definition":\#(json)}"#)
            }
            return JSONBodies.raw(#"{"rules":[\#(items.joined(separator: ","))]}"#)
        }
        v1.put("guilds/:guild/rules/:name") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let name = context.parameters.get("name") ?? ""
            let body = try await JSONBodies.bytes(request, limit: RequestLimits.json)
            let text = String(decoding: body.readableBytesView, as: UTF8.self)
            // A rule is one entry of a pack file's `rules:` list; JSON is YAML, so either form is accepted.
            let (rules, issues) = RulePack.parse(files: [(name: "PUT rules/\(name)", contents: "rules:\n  - " + text.replacingOccurrences(of: "\n", with: "\n    "))])
            if let issue = issues.first {
                throw APIError(.unprocessableContent, "invalid_rule", issue.description)
            }
            guard let rule = rules.first, rules.count == 1 else { throw APIError.badRequest("invalid_rule", "the body must be one rule") }
            guard rule.definition.name == name else {
                throw APIError.badRequest("invalid_rule", "the rule's name '\(rule.definition.name)' differs from the path's '\(name)'")
            }
            let snowflake = Snowflake(UInt64(bitPattern: guild))
            _ = try await guilds.context(for: snowflake)
            let now = clock()
            let before = try await stored(guild: guild, name: name)
            let ids = try await database.transaction { conn -> [Int64] in
                let ids = try GuildDirectory.importPack([rule.definition], into: snowflake, on: conn, by: nil, at: now)
                try AdminLogRepository.record(on: conn, guild: guild, actor: nil, action: before == nil ? "rule.create" : "rule.update",
                                              targetType: "automod_rule", targetID: name, beforeJSON: before?.configJSON,
                                              afterJSON: try RuleCodec.rows(for: rule.definition).configJSON, at: now)
                return ids
            }
            guilds.invalidate(snowflake)
            let json = String(decoding: try Self.ruleEncoder.encode(rule.definition), as: UTF8.self)
            return JSONBodies.raw(#"{"id":\#(ids.first ?? 0),"enabled":\#(rule.definition.enabled),"definition":\#(json)}"#,
                                  status: before == nil ? .created : .ok)
        }
        v1.post("guilds/:guild/rules/:name/enable") { _, context in try await setEnabled(true, context) }
        v1.post("guilds/:guild/rules/:name/disable") { _, context in try await setEnabled(false, context) }
        v1.post("guilds/:guild/rules/dry-run") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let body = try await JSONBodies.bytes(request, limit: RequestLimits.message)
            let message: DiscordMessage
            do throws(IngestError) { message = try MessageDecoder().decode(Data(body.readableBytesView)) } catch { throw APIError.badRequest(error.code, error.description) }
            guard message.guildID.int64 == guild else {
                throw APIError.badRequest("invalid_field", "field 'guild_id': the message is of guild \(message.guildID), not of guild \(UInt64(bitPattern: guild))")
            }
            let ruleset = try await guilds.context(for: message.guildID)
            // A fresh evaluator: the dry run must not count towards anyone's spam windows.
            let evaluation = MessageEvaluator().evaluate(message, rules: ruleset.rules, policy: ruleset.policy, scratch: .current)
            var decision = Decider.decide(message: message, matches: evaluation.matches, failures: evaluation.failures,
                                          escalation: nil, step: nil, policy: ruleset.policy, now: clock())
            decision.stages["dry_run"] = "nothing stored; no escalation; the llm stage does not run"
            let json = String(decoding: try Self.ruleEncoder.encode(decision), as: UTF8.self)
            return JSONBodies.raw(json)
        }
    }

    private func stored(guild: Int64, name: String) async throws -> StoredRule? {
        try await database.transaction { conn in try AutomodRepository.rules(on: conn, guild: guild).first { $0.name == name } }
    }

    private func setEnabled(_ enabled: Bool, _ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.admin])
        let name = context.parameters.get("name") ?? ""
        let snowflake = Snowflake(UInt64(bitPattern: guild))
        _ = try await guilds.context(for: snowflake)
        let now = clock()
        try await database.transaction { conn in
            guard let rule = try AutomodRepository.rules(on: conn, guild: guild).first(where: { $0.name == name }) else {
                throw APIError.notFound("rule '\(name)' in guild \(UInt64(bitPattern: guild))")
            }
            try AutomodRepository.setRuleEnabled(on: conn, ruleID: rule.id, enabled: enabled, at: now)
            try AdminLogRepository.record(on: conn, guild: guild, actor: nil, action: enabled ? "rule.enable" : "rule.disable",
                                          targetType: "automod_rule", targetID: name, beforeJSON: #"{"enabled":\#(rule.enabled)}"#,
                                          afterJSON: #"{"enabled":\#(enabled)}"#, at: now)
        }
        guilds.invalidate(snowflake)
        return JSONBodies.raw(#"{"name":\#(jsonString(name)),"enabled":\#(enabled)}"#)
    }
}
