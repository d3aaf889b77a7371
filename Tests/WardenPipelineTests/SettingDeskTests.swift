import Foundation
import Testing
import WardenCore
import WardenStore
import WardenTestSupport
@testable import WardenPipeline

/// The settings desk: values checked by their scope's check, history and audit rows, rollbacks checked again.
@Suite("setting desk")
struct SettingDeskTests {
    static let guild: Int64 = 1_100_000_000_000_000_001

    /// With `strict`, a check of scope `custom` refuses every value of key `frozen`: it stands for a check
    /// made stricter after a value was stored.
    static func desk(_ db: any Database, strict: Bool = false) -> SettingDesk {
        var checks: [SettingCheck] = [.automod, .quotaOverrides(scope: "llm", key: "quota_limits")]
        if strict {
            checks.append(SettingCheck(scope: "custom") { (key: String, _: String) throws(SettingRejection) in
                if key == "frozen" { throw SettingRejection("no longer accepted") }
            })
        }
        return SettingDesk(database: db, guilds: GuildDirectory(database: db, defaultPack: []), checks: checks)
    }

    /// The error `body` throws, if it is a ``SettingError``.
    static func refusal(_ body: () async throws -> Void) async -> SettingError? {
        do { try await body(); return nil } catch { return error as? SettingError }
    }

    @Test(arguments: allDialects) func valuesAreCheckedByTheirScope(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let desk = Self.desk(db)
            #expect(throws: SettingError.self) { try desk.validate(scope: "automod", key: "llm_deadline_ms", json: #""soon""#) }
            #expect(throws: SettingError.self) { try desk.validate(scope: "llm", key: "quota_limits", json: #"{"free": -3}"#) }
            #expect(throws: SettingError.self) { try desk.validate(scope: "anything", key: "x", json: "not json") }
            // A scope without a check only needs JSON.
            try desk.validate(scope: "anything", key: "x", json: #"{"free": -3}"#)

            let set = try await desk.set(guild: Self.guild, scope: "automod", key: "llm_deadline_ms", json: "900", by: 7)
            #expect(set.value == .number(900) && set.updatedBy == Snowflake(7))
            let refused = await Self.refusal { _ = try await desk.set(guild: Self.guild, scope: "automod", key: "llm_deadline_ms", json: "[]", by: 7) }
            guard case .invalidValue(let scope, let key, _) = refused else { Issue.record("not refused: \(String(describing: refused))"); return }
            #expect(scope == "automod" && key == "llm_deadline_ms")
            #expect(try await desk.get(guild: Self.guild, scope: "automod", key: "llm_deadline_ms").value == .number(900), "nothing written")
        }
    }

    @Test(arguments: allDialects) func changesAreAuditedAndRollbacksCheckedAgain(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let lenient = Self.desk(db)
            _ = try await lenient.set(guild: Self.guild, scope: "custom", key: "frozen", json: "1", by: 7)
            _ = try await lenient.set(guild: Self.guild, scope: "custom", key: "frozen", json: "2", by: 7)
            let changes = try await lenient.history(guild: Self.guild, scope: "custom", key: "frozen").changes
            #expect(changes.map(\.changeType) == ["updated", "created"])

            // Today's check refuses the old value: the rollback is refused and nothing changes.
            let strict = Self.desk(db, strict: true)
            let refused = await Self.refusal {
                _ = try await strict.rollback(guild: Self.guild, scope: "custom", key: "frozen", change: changes[0].id, by: 8)
            }
            #expect(refused == .notRestorable(change: changes[0].id, scope: "custom", key: "frozen", reason: "no longer accepted"))
            #expect(try await strict.get(guild: Self.guild, scope: "custom", key: "frozen").value == .number(2))
            #expect(await Self.refusal {
                _ = try await lenient.rollback(guild: Self.guild, scope: "custom", key: "frozen", change: changes[1].id, by: 8)
            } == .nothingToRestore(change: changes[1].id, scope: "custom", key: "frozen"))

            let restored = try await lenient.rollback(guild: Self.guild, scope: "custom", key: "frozen", change: changes[0].id, by: 8)
            #expect(restored.value == .number(1))
            let audit = try await lenient.audit(guild: Self.guild, scope: "custom", key: "frozen")
            #expect(audit.map(\.action) == ["setting.set", "setting.set", "setting.rollback"])
            #expect(audit.last?.before == .number(2) && audit.last?.after == .number(1) && audit.last?.actorID == Snowflake(8))
            #expect(try await lenient.audit(guild: Self.guild + 1, scope: "custom", key: "frozen").isEmpty, "another guild's trail is its own")
        }
    }
}
