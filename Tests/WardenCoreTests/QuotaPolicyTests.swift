import Foundation
import Testing
@testable import WardenCore

@Suite struct QuotaPolicyTests {
    @Test func standardLimits() {
        let policy = QuotaPolicy.standard
        #expect(policy.limit(for: .free) == 5)
        #expect(policy.limit(for: .monthly) == 25)
        #expect(policy.limit(for: .yearly) == nil)
        #expect(policy.limit(for: .lifetime) == nil)
        // A tier missing from the dictionary falls back to the standard limit, never to "unlimited".
        #expect(QuotaPolicy(limits: [:]).limit(for: .free) == 5)
        #expect(QuotaPolicy(limits: [.free: 1]).limit(for: .monthly) == 25)
    }

    @Test func storedTierStringsMapToTiers() {
        #expect(QuotaTier(stored: "lifetime") == .lifetime)
        #expect(QuotaTier(stored: " Yearly ") == .yearly)
        #expect(QuotaTier(stored: "monthly") == .monthly)
        #expect(QuotaTier(stored: "platinum") == .free)
        #expect(QuotaTier(stored: "") == .free)
        #expect(QuotaTier(stored: nil) == .free)
    }

    @Test func overridesReplaceOnlyTheTiersTheyName() throws {
        let policy = try QuotaPolicy.parseOverrides(try JSONValue.parse(#"{"free": 10, "monthly": 50, "yearly": null, "lifetime": 0}"#))
        #expect(policy.limit(for: .free) == 10)
        #expect(policy.limit(for: .monthly) == 50)
        #expect(policy.limit(for: .yearly) == nil)
        #expect(policy.limit(for: .lifetime) == 0)

        let partial = try QuotaPolicy.parseOverrides(try JSONValue.parse(#"{"monthly": null}"#))
        #expect(partial.limit(for: .free) == 5)
        #expect(partial.limit(for: .monthly) == nil)
        #expect(partial.limit(for: .yearly) == nil)
        #expect(try QuotaPolicy.parseOverrides(.object([:])) == .standard)
        #expect(try QuotaPolicy.parseOverrides(try JSONValue.parse(#"{"free": 7.0}"#)).limit(for: .free) == 7)
    }

    @Test func badOverridesNameTheKeyAndTheProblem() throws {
        func error(_ text: String) throws -> QuotaPolicyError? {
            let json = try JSONValue.parse(text)
            do {
                _ = try QuotaPolicy.parseOverrides(json)
                return nil
            } catch {
                return error
            }
        }
        #expect(try error("[1]") == .notAnObject(got: "array"))
        #expect(try error("null") == .notAnObject(got: "null"))
        #expect(try error(#"{"gold": 3}"#) == .unknownTier(key: "gold"))
        #expect(try error(#"{"Free": 3}"#) == .unknownTier(key: "Free"))
        #expect(try error(#"{"free": -1}"#) == .invalidLimit(tier: "free", reason: "-1 is negative"))
        #expect(try error(#"{"free": 2.5}"#) == .invalidLimit(tier: "free", reason: "2.5 is not a whole number"))
        #expect(try error(#"{"free": 1e300}"#) == .invalidLimit(tier: "free", reason: "1e+300 is larger than 9007199254740991"))
        #expect(try error(#"{"monthly": "10"}"#)
                == .invalidLimit(tier: "monthly", reason: #"expected a non-negative whole number or null, got string "10""#))
        #expect(try error(#"{"yearly": true}"#)
                == .invalidLimit(tier: "yearly", reason: "expected a non-negative whole number or null, got boolean true"))
        let described = try #require(try error(#"{"monthly": {"a": 1}}"#)).description
        #expect(described.hasPrefix(#"quota limits: "monthly": expected a non-negative whole number or null, got object"#))
        #expect(QuotaPolicyError.unknownTier(key: "gold").description.contains("free, monthly, yearly, lifetime"))
    }

    @Test func policyRoundTripsThroughJSON() throws {
        let policy = try QuotaPolicy.parseOverrides(try JSONValue.parse(#"{"free": 3, "yearly": 100}"#))
        let data = try JSONEncoder().encode(policy)
        #expect(try JSONValue.parse(Array(data)) == JSONValue.parse(#"{"free": 3, "monthly": 25, "yearly": 100, "lifetime": null}"#))
        #expect(try JSONDecoder().decode(QuotaPolicy.self, from: data) == policy)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(QuotaPolicy.self, from: Data(#"{"free": -2}"#.utf8)) }
    }

    @Test func statusComputesWhatIsLeft() throws {
        #expect(QuotaStatus(tier: .free, limit: 5, used: 2).remaining == 3)
        #expect(QuotaStatus(tier: .free, limit: 5, used: 9).remaining == 0)
        #expect(QuotaStatus(tier: .yearly, limit: nil, used: 40).remaining == nil)
        let json = try JSONValue.parse(Array(JSONEncoder().encode(QuotaStatus(tier: .lifetime, limit: nil, used: 1))))
        #expect(json == ["tier": "lifetime", "limit": nil, "used": 1, "remaining": nil])
        let back = try JSONDecoder().decode(QuotaStatus.self, from: Data(#"{"tier": "monthly", "limit": 25, "used": 5, "remaining": 20}"#.utf8))
        #expect(back == QuotaStatus(tier: .monthly, limit: 25, used: 5))
    }
}
