import Foundation
import Hummingbird
import WardenCore
import WardenPipeline

/// A guild's automod rules for admins (``RuleDesk``): list, put one (validated like a pack file), enable or
/// disable, and dry-run a message against them (nothing is stored).
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
    }

    private func setEnabled(_ enabled: Bool, _ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.admin])
        let name = try context.parameter("name")
        return try JSONBodies.response(try await desk.setEnabled(enabled, rule: name, guild: guild, by: nil), encoder: JSONBodies.verbatim)
    }
}
