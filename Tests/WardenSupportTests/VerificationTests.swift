import Foundation
import Testing
import WardenCore
import WardenLLMTestServer
import WardenStore
@testable import WardenSupport

/// One entry of fixtures/screenshots/manifest.json.
struct ScreenshotFixture: Decodable {
    var file: String
    var content_type: String
    var expected_status: String
    var expected_error: String?
    var generate: String?
    var reason_must_not_contain: [String]

    static func load() throws -> [ScreenshotFixture] {
        try JSONDecoder().decode([ScreenshotFixture].self, from: Data(contentsOf: screenshotFixtures.appendingPathComponent("manifest.json")))
    }

    func bytes() throws -> [UInt8] {
        if generate != nil {
            // The oversized case is built here rather than committed: valid.png padded to 11 MiB.
            var base = [UInt8](try Data(contentsOf: screenshotFixtures.appendingPathComponent("valid.png")))
            base.append(contentsOf: [UInt8](repeating: 0, count: 11 * 1024 * 1024 - base.count))
            return base
        }
        return [UInt8](try Data(contentsOf: screenshotFixtures.appendingPathComponent(file)))
    }
}

/// The fixture guild's policy: Ko-fi, 5.00 USD, 30 days.
func setVerificationPolicy(_ db: any Database, guild: Int64) async throws {
    try await db.transaction { conn in
        try SettingsRepository.set(on: conn, guild: guild, scope: SupportSettings.scope, key: "verification",
                                   valueJSON: #"{"merchants":["Ko-fi"],"prices":[{"amount":5,"currency":"USD"}],"window_days":30}"#,
                                   valueType: nil, by: nil)
    }
}

@Suite("Payment screenshots") struct VerificationTests {
    static let guild: Int64 = 1_100_000_000_000_000_001

    @Test(arguments: allDialects)
    func everyScreenshotFixtureLandsInItsStatusWithASanitizedReason(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            try await setVerificationPolicy(db, guild: Self.guild)
            for (n, fixture) in try ScreenshotFixture.load().enumerated() {
                let member = Int64(2_000 + n)
                let bytes = try fixture.bytes()
                if fixture.expected_status == "rejected" {
                    let before = try await desk.count("SELECT COUNT(*) AS n FROM verification_tickets")
                    do {
                        _ = try await desk.verifications.submit(guild: Self.guild, user: member, channel: 9, image: bytes, contentType: fixture.content_type)
                        Issue.record("\(fixture.file) was accepted")
                    } catch SupportError.invalidImage(let error) {
                        let kind: String = switch error {
                        case .notAnImage: "not_an_image"
                        case .truncated: "truncated"
                        case .tooLarge: "too_large"
                        default: "\(error)"
                        }
                        #expect(kind == fixture.expected_error, "\(fixture.file): \(error)")
                    }
                    #expect(try await desk.count("SELECT COUNT(*) AS n FROM verification_tickets") == before, "\(fixture.file) stored a row")
                    continue
                }
                let id = try await desk.verifications.submit(guild: Self.guild, user: member, channel: 9, image: bytes, contentType: fixture.content_type)
                #expect(try await desk.verifications.verification(id, guild: Self.guild).status == "pending")
                try await desk.worker.runUntilIdle()
                let v = try await desk.verifications.verification(id, guild: Self.guild)
                #expect(v.status == fixture.expected_status, "\(fixture.file): \(v.status), reasons \(v.reviewReasonsJSON ?? "-")")
                let reason = try #require(v.aiReason, "\(fixture.file) has no reason")
                for secret in fixture.reason_must_not_contain {
                    #expect(!reason.contains(secret), "\(fixture.file): reason keeps \(secret): \(reason)")
                }
                #expect(v.attempts == 1)
                // The screenshot is not kept once decided.
                #expect(try await db.transaction { conn in try VerificationRepository.image(on: conn, id: id) } == nil)
                if fixture.file == "with-pii.png" { #expect(reason.contains("[card]") && reason.contains("[email]")) }
                if fixture.file == "injection.png" {
                    // The model was fooled; the policy was not.
                    #expect(v.aiCanVerify == true)
                    #expect(v.reviewReasonsJSON?.contains("Totally Legit Shop") == true)
                }
            }
            // Every member call was counted once; every decision is in the events feed.
            #expect(try await desk.count("SELECT COALESCE(SUM(call_count), 0) AS n FROM gpt_usage") == 9)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM events WHERE kind = 'verification'") == 9)
        }
    }

    @Test(arguments: allDialects)
    func theSameImageFromASecondMemberGoesToManualReview(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            try await setVerificationPolicy(db, guild: Self.guild)
            let image = [UInt8](try Data(contentsOf: screenshotFixtures.appendingPathComponent("valid.png")))
            let first = try await desk.verifications.submit(guild: Self.guild, user: 1, channel: 9, image: image, contentType: "image/png")
            let again = try await desk.verifications.submit(guild: Self.guild, user: 1, channel: 9, image: image, contentType: "image/png")
            let second = try await desk.verifications.submit(guild: Self.guild, user: 2, channel: 9, image: image, contentType: nil)
            // The first submitter sending it once more after the reuse is still not suspect.
            let third = try await desk.verifications.submit(guild: Self.guild, user: 1, channel: 9, image: image, contentType: "image/png")
            // Another guild may see the same picture without it counting as reuse here.
            let elsewhere = try await desk.verifications.submit(guild: 5, user: 3, channel: 9, image: image, contentType: "image/png")
            try await setVerificationPolicy(db, guild: 5)
            try await desk.worker.runUntilIdle()
            #expect(try await desk.verifications.verification(first, guild: Self.guild).status == "verified")
            #expect(try await desk.verifications.verification(again, guild: Self.guild).status == "verified")
            #expect(try await desk.verifications.verification(third, guild: Self.guild).status == "verified")
            let reused = try await desk.verifications.verification(second, guild: Self.guild)
            #expect(reused.status == "manual_review")
            #expect(reused.reviewReasonsJSON?.contains("another member") == true)
            #expect(try await desk.verifications.verification(elsewhere, guild: 5).status == "verified")
            await #expect(throws: SupportError.verificationNotFound(elsewhere, guild: Self.guild)) {
                try await desk.verifications.verification(elsewhere, guild: Self.guild)
            }
        }
    }

    @Test(arguments: allDialects)
    func anOutageGivesErrorThenTheRetrySucceedsAndModeratorsResolveReviews(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            try await setVerificationPolicy(db, guild: Self.guild)
            let image = [UInt8](try Data(contentsOf: screenshotFixtures.appendingPathComponent("valid.webp")))
            server.enqueue(.serverError(503))
            let id = try await desk.verifications.submit(guild: Self.guild, user: 7, channel: 9, image: image, contentType: "image/webp")
            let pass = try await desk.worker.runOnce()
            #expect(pass.retried == 1)
            var v = try await desk.verifications.verification(id, guild: Self.guild)
            #expect(v.status == "error" && v.lastError?.contains("503") == true)
            // Refunded: the member paid nothing for a call that got no answer.
            #expect(try await desk.count("SELECT COALESCE(SUM(call_count), 0) AS n FROM gpt_usage") == 0)
            desk.clock.advance(60)
            try await desk.worker.runUntilIdle()
            v = try await desk.verifications.verification(id, guild: Self.guild)
            #expect(v.status == "verified" && v.attempts == 2 && v.lastError == nil)
            #expect(try await desk.count("SELECT COALESCE(SUM(call_count), 0) AS n FROM gpt_usage") == 1)

            // A review, resolved by a moderator, audited; a decided one cannot be resolved again.
            let old = [UInt8](try Data(contentsOf: screenshotFixtures.appendingPathComponent("old-date.png")))
            let review = try await desk.verifications.submit(guild: Self.guild, user: 8, channel: 9, image: old, contentType: "image/png")
            try await desk.worker.runUntilIdle()
            #expect(try await desk.verifications.awaitingReview(guild: Self.guild).map(\.id) == [review])
            await #expect(throws: SupportError.self) {
                try await desk.verifications.resolve(review, guild: Self.guild, verified: false, by: staffID, rejectionReason: nil)
            }
            let closed = try await desk.verifications.resolve(review, guild: Self.guild, verified: false, by: staffID,
                                                              rejectionReason: "payment is older than a month")
            #expect(closed.status == "closed_manual" && closed.resolvedBy == staffID && closed.rejectionReason == "payment is older than a month")
            await #expect(throws: SupportError.verificationNotReviewable(id, status: "verified")) {
                try await desk.verifications.resolve(id, guild: Self.guild, verified: true, by: staffID, rejectionReason: nil)
            }
            await #expect(throws: SupportError.verificationNotFound(review, guild: 5)) {
                try await desk.verifications.resolve(review, guild: 5, verified: true, by: staffID, rejectionReason: nil)
            }
            let audit = try await db.transaction { conn in try AdminLogRepository.entries(on: conn, targetType: "verification", targetID: String(review)) }
            #expect(audit.count == 1)
            #expect(audit.first.map { $0.beforeJSON?.contains("manual_review") == true && $0.afterJSON?.contains("closed_manual") == true } == true)
        }
    }

    @Test(arguments: allDialects)
    func anExhaustedQuotaSendsTheScreenshotToAModeratorWithoutAModelCall(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            try await setVerificationPolicy(db, guild: Self.guild)
            try await db.transaction { conn in
                try SettingsRepository.set(on: conn, guild: Self.guild, scope: "llm", key: "quota_limits", valueJSON: #"{"free":1}"#, valueType: nil, by: nil)
            }
            let a = [UInt8](try Data(contentsOf: screenshotFixtures.appendingPathComponent("valid.png")))
            let b = [UInt8](try Data(contentsOf: screenshotFixtures.appendingPathComponent("valid.jpg")))
            let first = try await desk.verifications.submit(guild: Self.guild, user: 11, channel: 9, image: a, contentType: "image/png")
            try await desk.worker.runUntilIdle()
            let callsBefore = server.requests.count
            let second = try await desk.verifications.submit(guild: Self.guild, user: 11, channel: 9, image: b, contentType: "image/jpeg")
            try await desk.worker.runUntilIdle()
            #expect(try await desk.verifications.verification(first, guild: Self.guild).status == "verified")
            let denied = try await desk.verifications.verification(second, guild: Self.guild)
            #expect(denied.status == "manual_review" && denied.aiReason?.contains("quota") == true)
            #expect(server.requests.count == callsBefore)
        }
    }
}
