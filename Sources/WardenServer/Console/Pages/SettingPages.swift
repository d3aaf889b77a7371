import Foundation
import Hummingbird
import WardenApp
import WardenCore
import WardenPipeline

/// Admins' settings: every value the guild has set in the scopes Warden checks, a form to set one (checked by
/// the scope's own rules, the refusal shown beside the form), and one value's history with a rollback to any
/// earlier value. Through ``SettingDesk``: audited, and the guild's policy reloaded before the page answers.
struct SettingPages {
    let desk: SettingDesk
    let renderer: ConsoleRenderer

    struct Setting { let scope: String; let key: String; let value: String; let updated: String; let href: String }
    struct Known { let scope: String; let key: String; let example: String; let about: String; let href: String }
    struct Change { let id: String; let when: String; let by: String; let type: String; let old: String; let new: String; let restorable: Bool }
    struct Model {
        let frame: ConsoleFrame
        let base: String
        let settings: [Setting]
        let known: [Known]
        let scope: String
        let key: String
        let value: String
        let history: [Change]
        let showing: Bool
        let error: String?
        let notice: String?
    }

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("guilds/:guild/settings") { request, context in
            let q = try ConsoleQuery(request)
            return try await page(context, scope: q["scope"] ?? "", key: q["key"] ?? "", value: nil, error: nil,
                                  notice: q["saved"].flatMap { saved in
                                      guard saved == "\(q["scope"] ?? "").\(q["key"] ?? "")", SettingDesk.isName(q["scope"] ?? ""), SettingDesk.isName(q["key"] ?? "") else { return nil }
                                      return SettingCatalogue.knows(scope: q["scope"] ?? "", key: q["key"] ?? "") ? "Saved \(saved)."
                                          : "Saved \(saved), but Warden reads no setting of that name: check the list of settings below."
                                  })
        }
        console.post("guilds/:guild/settings") { _, context in
            let guild = try context.guild(allowing: [.admin])
            let scope = try context.form.required("scope", "The scope"), key = try context.form.required("key", "The key")
            let value = try context.form.required("value", "The value")
            guard SettingDesk.isName(scope), SettingDesk.isName(key) else {
                return try await page(context, scope: scope, key: key, value: value, status: .badRequest,
                                      error: "Scope and key are lower-case letters, digits and _ (1 to 64).")
            }
            do {
                _ = try await desk.set(guild: guild, scope: scope, key: key, json: value, by: context.actor)
            } catch let error as SettingError {
                return try await page(context, scope: scope, key: key, value: value, status: HTTPResponse.Status(code: error.httpStatus),
                                      error: error.description)
            }
            return redirect(to: "/console/guilds/\(UInt64(bitPattern: guild))/settings" + HTML.query([("scope", scope), ("key", key), ("saved", "\(scope).\(key)")]))
        }
        console.post("guilds/:guild/settings/rollback") { _, context in
            let guild = try context.guild(allowing: [.admin])
            let scope = try context.form.required("scope", "The scope"), key = try context.form.required("key", "The key")
            guard let change = Int64(try context.form.required("change", "The change")) else {
                throw APIError.badRequest("invalid_field", "change must be a change's number")
            }
            do {
                _ = try await desk.rollback(guild: guild, scope: scope, key: key, change: change, by: context.actor)
            } catch let error as SettingError {
                return try await page(context, scope: scope, key: key, value: nil, status: HTTPResponse.Status(code: error.httpStatus),
                                      error: error.description)
            }
            return redirect(to: "/console/guilds/\(UInt64(bitPattern: guild))/settings" + HTML.query([("scope", scope), ("key", key), ("saved", "\(scope).\(key)")]))
        }
    }

    private func page(_ context: WardenRequestContext, scope: String, key: String, value: String?, status: HTTPResponse.Status = .ok,
                      error: String?, notice: String? = nil) async throws -> Response {
        let guild = try context.guild(allowing: [.admin])
        let session = try context.session()
        let base = "/console/guilds/\(UInt64(bitPattern: guild))/settings"
        var settings: [Setting] = []
        for checked in Set(desk.checks.map(\.scope)).sorted() {
            for s in try await desk.get(guild: guild, scope: checked).settings {
                settings.append(Setting(scope: s.scope, key: s.key, value: s.value?.encoded() ?? "", updated: s.updatedAt.map(ConsoleText.stamp) ?? "—",
                                        href: base + HTML.query([("scope", s.scope), ("key", s.key)])))
            }
        }
        var history: [Change] = []
        var current = value
        let showing = SettingDesk.isName(scope) && SettingDesk.isName(key)
        if showing {
            history = try await desk.history(guild: guild, scope: scope, key: key).changes.map { c in
                Change(id: String(c.id), when: c.changedAt.map(ConsoleText.stamp) ?? "—", by: c.changedBy?.description ?? "—", type: c.changeType,
                       old: c.oldValue?.encoded() ?? "—", new: c.newValue?.encoded() ?? "—", restorable: c.oldValue != nil)
            }
            if current == nil { current = settings.first { $0.scope == scope && $0.key == key }?.value }
        }
        let known = SettingCatalogue.entries.map {
            Known(scope: $0.scope, key: $0.key, example: $0.example, about: $0.about,
                  href: base + HTML.query([("scope", $0.scope), ("key", $0.key)]))
        }
        let model = Model(frame: ConsoleFrame(session, guild: guild, current: .settings, title: "Settings"), base: base, settings: settings, known: known,
                          scope: scope, key: key, value: current ?? "", history: history, showing: showing, error: error, notice: notice)
        return renderer.page("settings", model, status: status)
    }
}
