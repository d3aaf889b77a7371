import Foundation
import WardenStore
import WardenSupport

/// A verification ticket as the API shows it (never the image).
struct VerificationView: Encodable {
    let id: Int64
    let guildId: ID
    let userId: ID
    let status: String
    let imageSha256: String?
    let aiCanVerify: Bool?
    let aiNeedsManualReview: Bool?
    let aiReason: String?
    let paymentDate: String?
    let amount: String?
    let currency: String?
    let merchant: String?
    let reviewReasons: EmbeddedJSON?
    let attempts: Int
    let lastError: String?
    let createdAt: Date?
    let resolvedAt: Date?
    let resolvedBy: ID?
    let rejectionReason: String?

    init(_ v: VerificationRepository.Verification) {
        id = v.id; guildId = ID(v.guildID); userId = ID(v.userID); status = v.status; imageSha256 = v.imageSHA256
        aiCanVerify = v.aiCanVerify; aiNeedsManualReview = v.aiNeedsManualReview; aiReason = v.aiReason
        paymentDate = v.paymentDate; amount = v.amount; currency = v.currency; merchant = v.merchant
        reviewReasons = EmbeddedJSON(v.reviewReasonsJSON); attempts = v.attempts; lastError = v.lastError
        createdAt = v.createdAt; resolvedAt = v.resolvedAt; resolvedBy = v.resolvedBy.map(ID.init); rejectionReason = v.rejectionReason
    }
}
