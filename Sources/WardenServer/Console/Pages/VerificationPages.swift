import Foundation
import Hummingbird
import WardenCore
import WardenStore
import WardenSupport

/// Moderators' payment verification reviews: what the vision model read (its reason is redacted before it is
/// stored), the amounts, the policy's reasons for a review; verify, or close with a reason.
struct VerificationPages {
    let desk: VerificationDesk
    let renderer: ConsoleRenderer
    let clock: @Sendable () -> Date

    struct Row { let id: String; let member: String; let status: String; let created: String; let facts: [Fact]; let reasons: [String]; let action: String }
    struct Model { let frame: ConsoleFrame; let rows: [Row]; let notice: String?; let error: String? }

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("guilds/:guild/verifications") { request, context in
            try await page(context, notice: try ConsoleQuery(request).id("resolved").map { "Verification \($0) resolved." }, error: nil, status: .ok)
        }
        console.post("guilds/:guild/verifications/:verification/verify") { _, context in try await resolve(verified: true, context) }
        console.post("guilds/:guild/verifications/:verification/reject") { _, context in try await resolve(verified: false, context) }
    }

    private func resolve(verified: Bool, _ context: WardenRequestContext) async throws -> Response {
        let guild = try context.guild(allowing: [.moderator])
        let id = try context.rowID("verification")
        let reason = try context.form.text("reason")
        do {
            _ = try await desk.resolve(id, guild: guild, verified: verified, by: context.actor, rejectionReason: reason)
        } catch let error as SupportError {
            if case .verificationNotFound = error { throw error }
            return try await page(context, notice: nil, error: error.message, status: HTTPResponse.Status(code: error.httpStatus))
        }
        return redirect(to: "/console/guilds/\(UInt64(bitPattern: guild))/verifications" + HTML.query([("resolved", String(id))]))
    }

    private func page(_ context: WardenRequestContext, notice: String?, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let guild = try context.guild(allowing: [.moderator])
        let session = try context.session()
        let now = clock()
        let base = "/console/guilds/\(UInt64(bitPattern: guild))/verifications"
        let rows = try await desk.awaitingReview(guild: guild).map { v in
            var facts = [Fact("Channel", String(UInt64(bitPattern: v.channelID)))]
            if let amount = v.amount { facts.append(Fact("Amount", amount + (v.currency.map { " " + $0 } ?? ""))) }
            if let merchant = v.merchant { facts.append(Fact("Merchant", merchant)) }
            if let date = v.paymentDate { facts.append(Fact("Payment date", date)) }
            if let can = v.aiCanVerify { facts.append(Fact("Model could verify", can ? "yes" : "no")) }
            if let reason = v.aiReason { facts.append(Fact("Model's reason (redacted)", reason)) }
            if let error = v.lastError { facts.append(Fact("Last error", error)) }
            let reasons = (v.reviewReasonsJSON.flatMap { try? JSONValue.parse(Array($0.utf8)) }?.arrayValue ?? []).map { $0.stringValue ?? $0.encoded() }
            return Row(id: String(v.id), member: String(UInt64(bitPattern: v.userID)), status: v.status, created: v.createdAt.map { ConsoleText.ago($0, now: now) } ?? "—",
                       facts: facts, reasons: reasons.map(ConsoleText.visible), action: "\(base)/\(v.id)")
        }
        return renderer.page("verifications", Model(frame: ConsoleFrame(session, guild: guild, current: .verifications, title: "Verifications"),
                                                    rows: rows, notice: notice, error: error), status: status)
    }
}
