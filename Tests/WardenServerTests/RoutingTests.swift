import Foundation
import Testing
import WardenCore
import WardenServer
import WardenStore

/// Where the token is asked for (the `/v1` group only) and how errors reach clients (each error names
/// its own status and code).
@Suite("routing and errors")
struct RoutingTests {
    @Test func unknownPathsOutsideV1Are404AndV1RoutesNeedAToken() async throws {
        try await withServer(.sqlite) { h in
            let unknown = try await h.call(.get, "/nowhere", token: nil)
            #expect(unknown.status == 404 && unknown.errorCode == "route_not_found", "\(unknown.status) \(unknown.text)")
            #expect((unknown.json["error"] as? [String: Any])?["message"] is String)
            let anonymous = try await h.call(.get, "/v1/guilds/\(guildA)/rules", token: nil)
            #expect(anonymous.status == 401 && anonymous.errorCode == "unauthorized")
            #expect(anonymous.headers[.wwwAuthenticate] == "Bearer")
            for path in ["/health", "/metrics", "/openapi.json"] {
                #expect(try await h.call(.get, path, token: nil).status == 200, "\(path) is public")
            }
        }
    }

    @Test func aDeskErrorCarriesItsStatusAndCode() async throws {
        try await withServer(.sqlite) { h in
            let admin = h.tokens[.admin]
            let missing = try await h.call(.post, "/v1/guilds/\(guildA)/rules/no-such-rule/enable", token: admin)
            #expect(missing.status == 404 && missing.errorCode == "not_found")
            #expect((missing.json["error"] as? [String: Any])?["message"] as? String == "rule 'no-such-rule' in guild \(guildA) not found")
            let mismatch = try await h.call(.put, "/v1/guilds/\(guildA)/rules/one-name", token: admin,
                                            json: #"{"name": "other-name", "type": "content", "keywords": ["x"]}"#)
            #expect(mismatch.status == 400 && mismatch.errorCode == "invalid_rule")
            let rollback = try await h.call(.post, "/v1/guilds/\(guildA)/settings/automod/llm_deadline_ms/rollback", token: admin,
                                            json: #"{"change_id": 999999}"#)
            #expect(rollback.status == 404 && rollback.errorCode == "not_found")
        }
    }

    @Test func storeErrorsSayBusyOnlyWhenRetrying() {
        let busy = StoreError.statement("UPDATE x", message: "deadlock detected", sqlState: "40P01")
        #expect(busy.httpStatus == 503 && busy.code == "store_busy")
        let broken = StoreError.statement("UPDATE x", message: "syntax error", sqlState: "42601")
        #expect(broken.httpStatus == 500 && broken.code == "store_error")
        #expect(!broken.message.contains("UPDATE"), "the statement stays in the server's log")
    }
}
