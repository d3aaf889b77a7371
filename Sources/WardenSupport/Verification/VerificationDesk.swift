import Crypto
import Foundation
import WardenCore
import WardenLLM
import WardenStore

/// Payment verification from a screenshot.
///
/// `submit` validates the image (magic bytes, size, dimensions), creates a `pending` verification and enqueues
/// its check (`VerificationJob`) in one transaction. The check asks the vision model through
/// `prompts/verification`, gated by the member's quota; the guild's `VerificationPolicy`, not the model,
/// decides `verified` or `manual_review`. Moderators resolve reviews with `resolve`, audited in `admin_log`.
/// Results go to the guild's events feed as `verification` events.
public struct VerificationDesk: Sendable {
    /// The events feed kind of a verification result.
    public static let eventKind = "verification"
    public let database: any Database
    public let limits: ImageLimits
    private let clock: @Sendable () -> Date

    public init(database: any Database, limits: ImageLimits = .standard, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.limits = limits; self.clock = clock
    }

    /// Validates and stores a screenshot; returns the new verification's id. Invalid images are refused with
    /// `SupportError.invalidImage` and nothing is stored.
    /// - Parameter contentType: the type the upload declared, if any; it must agree with the bytes.
    public func submit(guild: Int64, user: Int64, channel: Int64, image: [UInt8], contentType: String?) async throws -> Int64 {
        let info: ImageInfo
        do { info = try ImageProbe.probe(image, declaredContentType: contentType, limits: limits) } catch {
            throw SupportError.invalidImage(error)
        }
        let hash = SHA256.hash(data: image).map { String(format: "%02x", $0) }.joined()
        let base64 = Data(image).base64EncodedString()
        let now = clock()
        return try await database.transaction { conn in
            let id = try VerificationRepository.create(on: conn, guild: guild, user: user, channel: channel, imageSHA256: hash,
                                                       contentType: info.format.contentType, width: info.width, height: info.height,
                                                       imageBase64: base64, at: now)
            try VerificationJob.enqueue(on: conn, verification: id, at: now)
            return id
        }
    }

    /// One verification of the guild.
    public func verification(_ id: Int64, guild: Int64) async throws -> VerificationRepository.Verification {
        try await database.transaction { conn in
            guard let found = try VerificationRepository.verification(on: conn, id: id), found.guildID == guild else {
                throw SupportError.verificationNotFound(id, guild: guild)
            }
            return found
        }
    }

    /// Verifications waiting for a moderator (`manual_review`, and `error` ones whose retries ran out or
    /// are still running), oldest first.
    public func awaitingReview(guild: Int64, limit: Int = 100) async throws -> [VerificationRepository.Verification] {
        try await database.transaction { conn in
            try VerificationRepository.verifications(on: conn, guild: guild, statuses: ["manual_review", "error"], limit: limit)
        }
    }

    /// A moderator's decision on a verification in `manual_review` or `error`: `verified`, or `closed_manual`
    /// with a rejection reason. Audited with before and after; announced in the events feed.
    public func resolve(_ id: Int64, guild: Int64, verified: Bool, by moderator: Int64, rejectionReason: String?) async throws
        -> VerificationRepository.Verification
    {
        let reason = rejectionReason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if !verified, reason?.isEmpty ?? true {
            throw SupportError.invalidInput(field: "rejection_reason", reason: "closing a verification needs a reason")
        }
        let now = clock()
        return try await database.transaction { conn in
            guard let before = try VerificationRepository.verification(on: conn, id: id, forUpdate: true), before.guildID == guild else {
                throw SupportError.verificationNotFound(id, guild: guild)
            }
            guard try VerificationRepository.resolve(on: conn, id: id, status: verified ? "verified" : "closed_manual", by: moderator,
                                                     rejectionReason: verified ? nil : reason, at: now),
                  let after = try VerificationRepository.verification(on: conn, id: id) else {
                throw SupportError.verificationNotReviewable(id, status: before.status)
            }
            try AdminLogRepository.record(on: conn, guild: guild, actor: moderator, action: "verification.resolve",
                                          targetType: "verification", targetID: String(id),
                                          beforeJSON: Self.json(before).encoded(), afterJSON: Self.json(after).encoded(), at: now)
            try EventRepository.append(on: conn, guild: guild, kind: Self.eventKind, payloadJSON: Self.event(after).encoded(), at: now)
            return after
        }
    }

    /// The audit form of a verification (no image, no model reason: those stay in the row).
    static func json(_ v: VerificationRepository.Verification) -> JSONValue {
        var object: [String: JSONValue] = ["id": .string(String(v.id)), "status": .string(v.status), "user_id": .string(String(v.userID))]
        if let by = v.resolvedBy { object["resolved_by_user_id"] = .string(String(by)) }
        if let reason = v.rejectionReason { object["rejection_reason"] = .string(reason) }
        return .object(object)
    }

    /// What the bot hears about a verification: who, which, and the outcome.
    static func event(_ v: VerificationRepository.Verification) -> JSONValue {
        .object(["verification_id": .string(String(v.id)), "user_id": .string(String(v.userID)),
                 "channel_id": .string(String(v.channelID)), "status": .string(v.status)])
    }
}
