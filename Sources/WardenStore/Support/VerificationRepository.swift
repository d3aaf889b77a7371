import Foundation

/// Payment verifications from screenshots (`verification_tickets`).
///
/// Status: `pending` (created, the model not asked yet or being asked) -> `verified` or `manual_review`
/// (the policy's decision), or `error` (the model could not be asked; retried) -> ...; a moderator resolves
/// `manual_review` (or `error`) into `verified` or `closed_manual`. The screenshot's bytes are kept (base64)
/// only while a model call may still need them and are cleared once a decision is recorded.
public enum VerificationRepository {
    /// One verification row (without the image bytes).
    public struct Verification: Sendable, Equatable {
        public var id: Int64
        public var guildID: Int64
        public var userID: Int64
        public var channelID: Int64
        public var status: String
        public var imageSHA256: String?
        public var contentType: String?
        public var aiCanVerify: Bool?
        public var aiNeedsManualReview: Bool?
        /// The model's reason, redacted before it was stored.
        public var aiReason: String?
        public var paymentDate: String?
        /// Decimal text as the model read it.
        public var amount: String?
        public var currency: String?
        public var merchant: String?
        /// The policy's reasons for manual review (JSON array text).
        public var reviewReasonsJSON: String?
        public var attempts: Int
        public var lastError: String?
        public var createdAt: Date?
        public var resolvedAt: Date?
        public var resolvedBy: Int64?
        public var rejectionReason: String?
    }

    /// What the model read and the policy decided.
    public struct Outcome: Sendable, Equatable {
        /// `verified` or `manual_review`.
        public var status: String
        public var canVerify: Bool?
        public var needsManualReview: Bool?
        public var reason: String
        /// A valid `YYYY-MM-DD` or nil.
        public var paymentDate: String?
        public var amount: String?
        public var currency: String?
        public var merchant: String?
        public var reviewReasonsJSON: String

        public init(status: String, canVerify: Bool?, needsManualReview: Bool?, reason: String, paymentDate: String?,
                    amount: String?, currency: String?, merchant: String?, reviewReasonsJSON: String) {
            self.status = status; self.canVerify = canVerify; self.needsManualReview = needsManualReview; self.reason = reason
            self.paymentDate = paymentDate; self.amount = amount; self.currency = currency; self.merchant = merchant
            self.reviewReasonsJSON = reviewReasonsJSON
        }
    }

    /// Inserts a `pending` verification with its screenshot and returns its id.
    public static func create(on conn: any SQLConnection, guild: Int64, user: Int64, channel: Int64, imageSHA256: String,
                              contentType: String, width: Int, height: Int, imageBase64: String, at now: Date) throws -> Int64 {
        guard let row = try conn.queryFirst("""
            INSERT INTO verification_tickets (guild_id, user_id, channel_id, status, image_sha256, content_type, image_width,
                                              image_height, image_base64, created_at, updated_at)
            VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $9) RETURNING id
            """, [.int(guild), .int(user), .int(channel), .text(imageSHA256), .text(contentType), .int(Int64(width)),
                  .int(Int64(height)), .text(imageBase64), .timestamp(now)])
        else { throw StoreError.statement("INSERT INTO verification_tickets", message: "no id returned", sqlState: nil) }
        return try row.int("id")
    }

    /// Whether the first member of the guild to submit a screenshot with this hash (before verification `id`)
    /// was someone else: the first submitter is not suspect, even when they submit it again; whoever reuses
    /// their picture is.
    public static func imageUsedByAnotherMember(on conn: any SQLConnection, guild: Int64, imageSHA256: String, user: Int64,
                                                before id: Int64) throws -> Bool {
        guard let first = try conn.queryFirst("""
            SELECT user_id FROM verification_tickets WHERE guild_id = $1 AND image_sha256 = $2 AND id < $3 ORDER BY id LIMIT 1
            """, [.int(guild), .text(imageSHA256), .int(id)]) else { return false }
        return try first.int("user_id") != user
    }

    /// One verification, or nil.
    public static func verification(on conn: any SQLConnection, id: Int64, forUpdate: Bool = false) throws -> Verification? {
        let lock = forUpdate && conn.dialect == .postgres ? " FOR UPDATE" : ""
        return try conn.queryFirst("SELECT \(columns) FROM verification_tickets WHERE id = $1" + lock, [.int(id)]).map(verification)
    }

    /// The screenshot (base64) of a verification that still keeps it.
    public static func image(on conn: any SQLConnection, id: Int64) throws -> (base64: String, contentType: String)? {
        guard let row = try conn.queryFirst("SELECT image_base64, content_type FROM verification_tickets WHERE id = $1", [.int(id)]),
              let base64 = try row.optionalString("image_base64") else { return nil }
        return (base64, try row.optionalString("content_type") ?? "application/octet-stream")
    }

    /// A guild's verifications in these statuses, oldest first.
    public static func verifications(on conn: any SQLConnection, guild: Int64, statuses: [String], limit: Int) throws -> [Verification] {
        guard !statuses.isEmpty else { return [] }
        var binds: [SQLValue] = [.int(guild), .int(Int64(max(0, limit)))]
        let list = statuses.map { binds.append(.text($0)); return "$\(binds.count)" }.joined(separator: ", ")
        return try conn.query("""
            SELECT \(columns) FROM verification_tickets WHERE guild_id = $1 AND status IN (\(list)) ORDER BY id LIMIT $2
            """, binds).map(verification)
    }

    /// Counts one more model attempt.
    public static func countAttempt(on conn: any SQLConnection, id: Int64, at now: Date) throws {
        try conn.execute("UPDATE verification_tickets SET attempts = attempts + 1, updated_at = $2 WHERE id = $1",
                         [.int(id), .timestamp(now)])
    }

    /// Records the decision and clears the screenshot, if the verification is still `pending` or `error`.
    /// - Returns: false, changing nothing, otherwise (already decided).
    public static func record(on conn: any SQLConnection, id: Int64, _ o: Outcome, at now: Date) throws -> Bool {
        let reasons = conn.dialect == .sqlite ? "json($11)" : "$11"
        return try conn.execute("""
            UPDATE verification_tickets SET status = $2, ai_can_verify = $3, ai_needs_manual_review = $4, ai_reason = $5,
                payment_date = $6, amount = $7, currency = $8, merchant = $9, updated_at = $10, review_reasons = \(reasons),
                image_base64 = NULL, last_error = NULL
            WHERE id = $1 AND status IN ('pending', 'error')
            """, [.int(id), .text(o.status), o.canVerify.map(SQLValue.bool) ?? .null, o.needsManualReview.map(SQLValue.bool) ?? .null,
                  .text(o.reason), o.paymentDate.map(SQLValue.date) ?? .null, .text(o.amount), .text(o.currency),
                  .text(o.merchant), .timestamp(now), .json(o.reviewReasonsJSON)]) == 1
    }

    /// Records a failed model call: status `error` (the screenshot is kept for the retry).
    @discardableResult
    public static func recordError(on conn: any SQLConnection, id: Int64, error: String, at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE verification_tickets SET status = 'error', last_error = $2, updated_at = $3
            WHERE id = $1 AND status IN ('pending', 'error')
            """, [.int(id), .text(error), .timestamp(now)]) == 1
    }

    /// A moderator's resolution of a verification in `manual_review` or `error`: `verified` or `closed_manual`.
    /// - Returns: false, changing nothing, when it is in neither status.
    public static func resolve(on conn: any SQLConnection, id: Int64, status: String, by: Int64, rejectionReason: String?,
                               at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE verification_tickets SET status = $2, resolved_by_user_id = $3, rejection_reason = $4, resolved_at = $5,
                updated_at = $5, image_base64 = NULL
            WHERE id = $1 AND status IN ('manual_review', 'error')
            """, [.int(id), .text(status), .int(by), .text(rejectionReason), .timestamp(now)]) == 1
    }

    private static let columns = """
        id, guild_id, user_id, channel_id, status, image_sha256, content_type, ai_can_verify, ai_needs_manual_review, ai_reason,
        payment_date, amount, currency, merchant, review_reasons, attempts, last_error, created_at, resolved_at,
        resolved_by_user_id, rejection_reason
        """

    private static func verification(_ row: SQLRow) throws -> Verification {
        Verification(
            id: try row.int("id"), guildID: try row.int("guild_id"), userID: try row.int("user_id"),
            channelID: try row.int("channel_id"), status: try row.string("status"),
            imageSHA256: try row.optionalString("image_sha256"), contentType: try row.optionalString("content_type"),
            aiCanVerify: try row.optionalBool("ai_can_verify"), aiNeedsManualReview: try row.optionalBool("ai_needs_manual_review"),
            aiReason: try row.optionalString("ai_reason"), paymentDate: try row.optionalString("payment_date"),
            amount: try row.optionalString("amount"), currency: try row.optionalString("currency"),
            merchant: try row.optionalString("merchant"), reviewReasonsJSON: try row.optionalString("review_reasons"),
            attempts: Int(try row.int("attempts")), lastError: try row.optionalString("last_error"),
            createdAt: try row.optionalTimestamp("created_at"), resolvedAt: try row.optionalTimestamp("resolved_at"),
            resolvedBy: try row.optionalInt("resolved_by_user_id"), rejectionReason: try row.optionalString("rejection_reason"))
    }
}
