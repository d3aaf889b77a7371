import Foundation
import WardenCore

/// What the vision model read from a payment screenshot (`prompts/verification`'s strict schema).
/// Every field is the model's claim: `VerificationPolicy` decides what it is worth.
public struct VerificationAnswer: Sendable, Equatable, Codable {
    public var canVerify: Bool
    public var needsManualReview: Bool
    /// The model's explanation. Untrusted text: store it only through `Redactor`.
    public var reason: String
    /// `YYYY-MM-DD` as the schema asks; anything else is reported, not guessed at.
    public var paymentDate: String?
    public var amount: Decimal?
    public var currency: String?
    public var merchant: String?

    public init(canVerify: Bool, needsManualReview: Bool, reason: String, paymentDate: String? = nil,
                amount: Decimal? = nil, currency: String? = nil, merchant: String? = nil) {
        self.canVerify = canVerify; self.needsManualReview = needsManualReview; self.reason = reason
        self.paymentDate = paymentDate; self.amount = amount; self.currency = currency; self.merchant = merchant
    }

    /// Same as above with the amount as the JSON number a model returns.
    public init(canVerify: Bool, needsManualReview: Bool, reason: String, paymentDate: String? = nil,
                amount: Double?, currency: String? = nil, merchant: String? = nil) {
        self.init(canVerify: canVerify, needsManualReview: needsManualReview, reason: reason, paymentDate: paymentDate,
                  amount: amount.flatMap(Self.decimal(from:)), currency: currency, merchant: merchant)
    }

    /// A Double through its shortest decimal spelling, so 19.99 becomes exactly 19.99 and not
    /// 19.989999999999998436805981327779591083526611328125. nil for NaN and infinities.
    static func decimal(from value: Double) -> Decimal? {
        guard value.isFinite else { return nil }
        return Decimal(string: String(value), locale: Locale(identifier: "en_US_POSIX"))
    }

    private enum CodingKeys: String, CodingKey {
        case reason, amount, currency, merchant
        case canVerify = "can_verify"
        case needsManualReview = "needs_manual_review"
        case paymentDate = "payment_date"
    }

    // The amount may arrive as a number or, from a model that ignores the schema's type, as a string such as
    // "19.99"; an amount that is neither is kept as nil so that the policy reports it as unreadable.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        canVerify = try c.decode(Bool.self, forKey: .canVerify)
        needsManualReview = try c.decode(Bool.self, forKey: .needsManualReview)
        reason = try c.decodeIfPresent(String.self, forKey: .reason) ?? ""
        paymentDate = try c.decodeIfPresent(String.self, forKey: .paymentDate)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        merchant = try c.decodeIfPresent(String.self, forKey: .merchant)
        if let number = try? c.decodeIfPresent(Double.self, forKey: .amount) {
            amount = Self.decimal(from: number)
        } else if let text = try? c.decodeIfPresent(String.self, forKey: .amount) {
            amount = Decimal(string: text.trimmingCharacters(in: .whitespaces), locale: Locale(identifier: "en_US_POSIX"))
        } else {
            amount = nil
        }
    }
}

/// A price the guild accepts, e.g. 9.99 EUR for a month.
public struct VerificationPrice: Sendable, Equatable, Codable, CustomStringConvertible {
    public var amount: Decimal
    /// ISO 4217 code.
    public var currency: String

    public init(amount: Decimal, currency: String) {
        self.amount = amount; self.currency = currency
    }

    public var description: String { "\(amount) \(currency.uppercased())" }
}

/// One reason a verification goes to a moderator instead of being accepted.
public enum VerificationIssue: Sendable, Equatable, CustomStringConvertible {
    case duplicateImage
    case modelCannotVerify
    case modelRequestedReview
    case missingPaymentDate
    case unreadablePaymentDate(String)
    case paymentTooOld(date: String, windowDays: Int)
    case paymentInFuture(date: String)
    case noMerchantConfigured
    case missingMerchant
    case merchantMismatch(found: String, expected: [String])
    case missingAmount
    case amountMismatch(found: Decimal, currency: String?, expected: [VerificationPrice])

    public var description: String {
        switch self {
        case .duplicateImage:
            return "the same screenshot was already used by another member"
        case .modelCannotVerify:
            return "the screenshot is not enough to verify the payment"
        case .modelRequestedReview:
            return "the model asked for a manual review"
        case .missingPaymentDate:
            return "no payment date could be read"
        case .unreadablePaymentDate(let text):
            return "the payment date \"\(text)\" is not a YYYY-MM-DD date"
        case .paymentTooOld(let date, let days):
            return "the payment date \(date) is more than \(days) days ago"
        case .paymentInFuture(let date):
            return "the payment date \(date) is in the future"
        case .noMerchantConfigured:
            return "no expected merchant is configured for this server"
        case .missingMerchant:
            return "no merchant could be read"
        case .merchantMismatch(let found, let expected):
            return "the merchant \"\(found)\" is not one of: \(expected.joined(separator: ", "))"
        case .missingAmount:
            return "no amount could be read"
        case .amountMismatch(let found, let currency, let expected):
            return "the amount \(found) \(currency ?? "(no currency)") does not match "
                + expected.map(\.description).joined(separator: " or ")
        }
    }
}

/// The outcome, as `verification_tickets.status` stores it.
public enum VerificationDecision: Sendable, Equatable {
    case verified
    /// Every reason, in a stable order, so a moderator sees all problems at once.
    case manualReview(reasons: [String])

    /// `verified` or `manual_review`.
    public var status: String {
        switch self {
        case .verified: "verified"
        case .manualReview: "manual_review"
        }
    }
}

/// A guild's rules for accepting a payment screenshot. The model only reports what it sees: whether a
/// member is verified is decided here, from the guild's configuration, so a model that is talked into
/// "can_verify: true" by the screenshot's own text still has to match the merchant, the amount and the date.
public struct VerificationPolicy: Sendable, Equatable, Codable {
    /// Accepted merchant names; compared ignoring case, accents, spaces and punctuation. Empty: nothing
    /// can be verified automatically (there is nothing to check the merchant against).
    public var merchants: [String]
    /// Accepted prices; empty accepts any amount (a guild with pay-what-you-want support).
    public var prices: [VerificationPrice]
    /// How far an amount may be from a price: rounding on receipts, not discounts.
    public var amountTolerance: Decimal
    /// A payment older than this many days (by date, UTC) is not accepted.
    public var windowDays: Int
    /// Days a payment may lie in the future: the member's time zone can be ahead of UTC.
    public var futureToleranceDays: Int

    public init(merchants: [String], prices: [VerificationPrice] = [], amountTolerance: Decimal = Decimal(string: "0.01") ?? 0,
                windowDays: Int = 30, futureToleranceDays: Int = 1) {
        self.merchants = merchants; self.prices = prices; self.amountTolerance = amountTolerance
        self.windowDays = max(0, windowDays); self.futureToleranceDays = max(0, futureToleranceDays)
    }

    private enum CodingKeys: String, CodingKey {
        case merchants, prices
        case amountTolerance = "amount_tolerance"
        case windowDays = "window_days"
        case futureToleranceDays = "future_tolerance_days"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = VerificationPolicy(merchants: [])
        self.init(merchants: try c.decodeIfPresent([String].self, forKey: .merchants) ?? [],
                  prices: try c.decodeIfPresent([VerificationPrice].self, forKey: .prices) ?? [],
                  amountTolerance: try c.decodeIfPresent(Decimal.self, forKey: .amountTolerance) ?? defaults.amountTolerance,
                  windowDays: try c.decodeIfPresent(Int.self, forKey: .windowDays) ?? defaults.windowDays,
                  futureToleranceDays: try c.decodeIfPresent(Int.self, forKey: .futureToleranceDays) ?? defaults.futureToleranceDays)
    }

    /// `.verified` only when nothing is wrong; otherwise every reason.
    /// - Parameter duplicateImage: the screenshot's hash was already used by another member.
    public func decide(_ answer: VerificationAnswer, duplicateImage: Bool = false, now: Date) -> VerificationDecision {
        let found = issues(answer, duplicateImage: duplicateImage, now: now)
        return found.isEmpty ? .verified : .manualReview(reasons: found.map(\.description))
    }

    /// Everything wrong with the answer, in a fixed order. Every check runs even when an earlier one failed.
    public func issues(_ answer: VerificationAnswer, duplicateImage: Bool = false, now: Date) -> [VerificationIssue] {
        var issues: [VerificationIssue] = []
        if duplicateImage { issues.append(.duplicateImage) }
        if !answer.canVerify { issues.append(.modelCannotVerify) }
        if answer.needsManualReview { issues.append(.modelRequestedReview) }

        // Date
        if let text = answer.paymentDate?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let day = Self.parseDay(text) {
                let today = Int((now.timeIntervalSince1970 / 86_400).rounded(.down))
                if day > today + futureToleranceDays {
                    issues.append(.paymentInFuture(date: text))
                } else if today - day > windowDays {
                    issues.append(.paymentTooOld(date: text, windowDays: windowDays))
                }
            } else {
                issues.append(.unreadablePaymentDate(Self.quoted(text)))
            }
        } else {
            issues.append(.missingPaymentDate)
        }

        // Merchant
        if merchants.isEmpty {
            issues.append(.noMerchantConfigured)
        } else if let merchant = answer.merchant, !Self.words(merchant).isEmpty {
            if !merchants.contains(where: { Self.merchant(merchant, matches: $0) }) {
                issues.append(.merchantMismatch(found: Self.quoted(merchant), expected: merchants))
            }
        } else {
            issues.append(.missingMerchant)
        }

        // Amount
        if !prices.isEmpty {
            if let amount = answer.amount {
                let currency = answer.currency.map(Self.currencyCode)
                let matches = prices.contains { price in
                    currency == Self.currencyCode(price.currency) && abs(amount - price.amount) <= amountTolerance
                }
                if !matches { issues.append(.amountMismatch(found: amount, currency: currency, expected: prices)) }
            } else {
                issues.append(.missingAmount)
            }
        }
        return issues
    }

    // MARK: Helpers

    /// Whether `text` is a real calendar day written as a strict `YYYY-MM-DD` (what a DATE column accepts).
    public static func isDay(_ text: String) -> Bool { parseDay(text) != nil }

    /// Days since 1970-01-01 for a strict `YYYY-MM-DD`; nil for anything else, including 2026-02-30.
    static func parseDay(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              year >= 1970, (1...12).contains(month) else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...lengths[month - 1]).contains(day) else { return nil }
        return CivilDays.from(year: year, month: month, day: day)
    }

    /// Lowercased words without accents: "Ko-fi Ltd." → ["ko", "fi", "ltd"].
    static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        return folded.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// "Patreon, Inc." matches "patreon" (the configured words appear together in the found name) and
    /// "KoFi" matches "Ko-fi" (same letters once spaces and punctuation go); "NotPatreon" does not match
    /// "Patreon", because matching is by whole words.
    static func merchant(_ found: String, matches expected: String) -> Bool {
        let have = words(found), want = words(expected)
        guard !want.isEmpty, !have.isEmpty else { return false }
        if have.joined() == want.joined() { return true }
        guard have.count >= want.count else { return false }
        return (0...(have.count - want.count)).contains { Array(have[$0..<($0 + want.count)]) == want }
    }

    /// ISO code for a model's currency: "usd", " USD ", "$" → "USD".
    static func currencyCode(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        switch trimmed {
        case "$", "US$": return "USD"
        case "€": return "EUR"
        case "£": return "GBP"
        default: return trimmed
        }
    }

    /// The model's text as shown in a reason: short, and without anything the redactor would remove.
    static func quoted(_ text: String) -> String {
        // Redacted before it is cut, so a card number split by the cut is still found whole.
        let clean = Redactor.redact(text)
        return clean.count > 60 ? String(clean.prefix(60)) + "…" : clean
    }
}
