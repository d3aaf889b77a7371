import Foundation
import Testing
@testable import WardenSupport
import WardenCore

@Suite struct VerificationPolicyTests {
    /// 2026-11-10 12:00 UTC.
    let now = Date(timeIntervalSince1970: TimeInterval(CivilDays.from(year: 2026, month: 11, day: 10) * 86_400 + 43_200))

    func policy() throws -> VerificationPolicy {
        VerificationPolicy(merchants: ["Patreon", "Ko-fi"],
                           prices: [VerificationPrice(amount: try #require(Decimal(string: "9.99")), currency: "EUR"),
                                    VerificationPrice(amount: 99, currency: "EUR")],
                           windowDays: 30)
    }

    func answer(canVerify: Bool = true, review: Bool = false, date: String? = "2026-11-01", amount: Double? = 9.99,
                currency: String? = "eur", merchant: String? = "Patreon, Inc.") -> VerificationAnswer {
        VerificationAnswer(canVerify: canVerify, needsManualReview: review, reason: "looks fine", paymentDate: date,
                           amount: amount, currency: currency, merchant: merchant)
    }

    func issues(_ a: VerificationAnswer, duplicate: Bool = false) throws -> [VerificationIssue] {
        try policy().issues(a, duplicateImage: duplicate, now: now)
    }

    @Test func verifiedOnlyWhenEverythingMatches() throws {
        #expect(try policy().decide(answer(), now: now) == .verified)
        #expect(try policy().decide(answer(), now: now).status == "verified")
        #expect(try policy().decide(answer(amount: 99, currency: "€", merchant: "KOFI"), now: now) == .verified)
    }

    @Test func modelFlagsAndDuplicates() throws {
        #expect(try issues(answer(), duplicate: true) == [.duplicateImage])
        #expect(try issues(answer(canVerify: false)) == [.modelCannotVerify])
        #expect(try issues(answer(review: true)) == [.modelRequestedReview])
        let decision = try policy().decide(answer(), duplicateImage: true, now: now)
        #expect(decision == .manualReview(reasons: ["the same screenshot was already used by another member"]))
        #expect(decision.status == "manual_review")
    }

    @Test func paymentDateWindow() throws {
        #expect(try issues(answer(date: nil)) == [.missingPaymentDate])
        #expect(try issues(answer(date: "  ")) == [.missingPaymentDate])
        #expect(try issues(answer(date: "01/11/2026")) == [.unreadablePaymentDate("01/11/2026")])
        #expect(try issues(answer(date: "2026-02-30")) == [.unreadablePaymentDate("2026-02-30")])
        #expect(try issues(answer(date: "2026-13-01")) == [.unreadablePaymentDate("2026-13-01")])
        // 30 days ago is inside the window, 31 is not.
        #expect(try issues(answer(date: "2026-10-11")) == [])
        #expect(try issues(answer(date: "2026-10-10")) == [.paymentTooOld(date: "2026-10-10", windowDays: 30)])
        // Tomorrow (a time zone ahead of UTC) is accepted, the day after is not.
        #expect(try issues(answer(date: "2026-11-11")) == [])
        #expect(try issues(answer(date: "2026-11-12")) == [.paymentInFuture(date: "2026-11-12")])
        #expect(VerificationIssue.paymentTooOld(date: "2026-10-10", windowDays: 30).description == "the payment date 2026-10-10 is more than 30 days ago")
        #expect(VerificationPolicy.parseDay("2028-02-29") != nil)
        #expect(VerificationPolicy.parseDay("2026-02-29") == nil)
        #expect(VerificationPolicy.parseDay("2026-1-01") == nil)
    }

    @Test func merchantMatching() throws {
        #expect(try issues(answer(merchant: "Pátreon")) == [])
        #expect(try issues(answer(merchant: "ko fi")) == [])
        #expect(try issues(answer(merchant: "PATREON* Membership")) == [])
        #expect(try issues(answer(merchant: "PayPal")) == [.merchantMismatch(found: "PayPal", expected: ["Patreon", "Ko-fi"])])
        #expect(try issues(answer(merchant: "NotPatreon")) == [.merchantMismatch(found: "NotPatreon", expected: ["Patreon", "Ko-fi"])])
        #expect(try issues(answer(merchant: nil)) == [.missingMerchant])
        #expect(try issues(answer(merchant: " - ")) == [.missingMerchant])
        #expect(VerificationIssue.merchantMismatch(found: "PayPal", expected: ["Patreon", "Ko-fi"]).description
                == "the merchant \"PayPal\" is not one of: Patreon, Ko-fi")
        // The model's text in a reason is shortened and redacted.
        let leaked = try issues(answer(merchant: "jane@example.com"))
        #expect(leaked == [.merchantMismatch(found: "[email]", expected: ["Patreon", "Ko-fi"])])

        let unconfigured = VerificationPolicy(merchants: [])
        #expect(unconfigured.issues(answer(), now: now) == [.noMerchantConfigured])
    }

    @Test func amountAndCurrency() throws {
        let nine99 = try #require(Decimal(string: "9.99"))
        #expect(try issues(answer(amount: 9.98)) == [])  // within 0.01
        #expect(try issues(answer(amount: 10.00)) == [])
        #expect(try issues(answer(amount: 9.97)).count == 1)
        #expect(try issues(answer(currency: "USD"))
                == [.amountMismatch(found: nine99, currency: "USD", expected: try policy().prices)])
        #expect(try issues(answer(currency: nil)) == [.amountMismatch(found: nine99, currency: nil, expected: try policy().prices)])
        #expect(try issues(answer(amount: nil)) == [.missingAmount])
        #expect(try issues(answer(amount: .nan)) == [.missingAmount])
        #expect(VerificationIssue.amountMismatch(found: nine99, currency: "USD", expected: try policy().prices).description
                == "the amount 9.99 USD does not match 9.99 EUR or 99 EUR")
        // No prices configured: any amount, even none.
        let anyAmount = VerificationPolicy(merchants: ["Patreon"])
        #expect(anyAmount.issues(answer(amount: nil), now: now) == [])
    }

    @Test func everyReasonAtOnce() throws {
        let bad = answer(canVerify: false, review: true, date: "2025-01-01", amount: 5, currency: "USD", merchant: "PayPal")
        let found = try issues(bad, duplicate: true)
        #expect(found.count == 6)
        #expect(found.first == .duplicateImage)
        guard case .manualReview(let reasons) = try policy().decide(bad, duplicateImage: true, now: now) else {
            Issue.record("expected a manual review")
            return
        }
        #expect(reasons == found.map(\.description))
        #expect(reasons[3] == "the payment date 2025-01-01 is more than 30 days ago")
    }

    @Test func answersDecodeFromTheModelsJSON() throws {
        let json = #"{"can_verify": true, "needs_manual_review": false, "reason": "ok", "payment_date": "2026-11-01", "amount": 9.99, "currency": "EUR", "merchant": "Patreon"}"#
        let decoded = try JSONDecoder().decode(VerificationAnswer.self, from: Data(json.utf8))
        #expect(decoded.amount == Decimal(string: "9.99"))
        #expect(try policy().decide(decoded, now: now) == .verified)

        let stringAmount = #"{"can_verify": true, "needs_manual_review": false, "reason": "", "payment_date": null, "amount": "19.5", "currency": null, "merchant": null}"#
        let loose = try JSONDecoder().decode(VerificationAnswer.self, from: Data(stringAmount.utf8))
        #expect(loose.amount == Decimal(string: "19.5"))
        #expect(loose.paymentDate == nil)

        let roundTrip = try JSONDecoder().decode(VerificationAnswer.self, from: JSONEncoder().encode(decoded))
        #expect(roundTrip == decoded)

        let config = try JSONDecoder().decode(VerificationPolicy.self, from: Data(#"{"merchants": ["Patreon"], "prices": [{"amount": 5, "currency": "USD"}]}"#.utf8))
        #expect(config.windowDays == 30 && config.futureToleranceDays == 1 && config.amountTolerance == Decimal(string: "0.01"))
        #expect(config.prices == [VerificationPrice(amount: 5, currency: "USD")])
    }
}
