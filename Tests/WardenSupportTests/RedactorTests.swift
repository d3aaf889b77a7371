import Testing
@testable import WardenSupport
import WardenCore

@Suite struct RedactorTests {
    @Test func luhnAndMod97Checks() {
        func digits(_ s: String) -> [UInt8] { s.utf8.map { $0 - 48 } }
        #expect(Redactor.luhnValid(digits("4111111111111111")))
        #expect(Redactor.luhnValid(digits("5500000000000004")))
        #expect(Redactor.luhnValid(digits("378282246310005")))
        #expect(!Redactor.luhnValid(digits("4111111111111112")))
        #expect(!Redactor.luhnValid(digits("1234567812345678")))
        #expect(Redactor.ibanValid(Array("GB82WEST12345698765432".unicodeScalars)))
        #expect(Redactor.ibanValid(Array("DE89370400440532013000".unicodeScalars)))
        #expect(Redactor.ibanValid(Array("gb82west12345698765432".unicodeScalars)))
        #expect(!Redactor.ibanValid(Array("GB82WEST12345698765433".unicodeScalars)))
        #expect(!Redactor.ibanValid(Array("GB28WEST12345698765432".unicodeScalars)))
    }

    @Test func cardNumbersOnlyWhenLuhnValid() {
        #expect(Redactor.redact("paid with 4111 1111 1111 1111 yesterday") == "paid with [card] yesterday")
        #expect(Redactor.redact("4111-1111-1111-1111") == "[card]")
        #expect(Redactor.redact("card:4111111111111111.") == "card:[card].")
        #expect(Redactor.redact("Mastercard 5500 0000 0000 0004, Amex 3782 822463 10005") == "Mastercard [card], Amex [card]")
        // Followed by an expiry: the card is matched on its own and the rest stays.
        #expect(Redactor.redact("4111 1111 1111 1111 1227") == "[card] 1227")
        // Luhn-invalid 16-digit numbers stay, grouped or not.
        #expect(Redactor.redact("ref 4111 1111 1111 1112") == "ref 4111 1111 1111 1112")
        #expect(Redactor.redact("ref 1234567812345678 ok") == "ref 1234567812345678 ok")
        #expect(Redactor.redact("Zahlung für 4111 1111 1111 1111 ✓") == "Zahlung für [card] ✓")
    }

    @Test func ibansOnlyWhenMod97Passes() {
        #expect(Redactor.redact("IBAN GB82 WEST 1234 5698 7654 32 is on the receipt") == "IBAN [iban] is on the receipt")
        #expect(Redactor.redact("to GB82WEST12345698765432.") == "to [iban].")
        #expect(Redactor.redact("DE89 3704 0044 0532 0130 00") == "[iban]")
        // A changed check digit: not an IBAN, and the text stays readable.
        #expect(Redactor.redact("GB28 WEST 1234 5698 7654 32") == "GB28 WEST 1234 5698 7654 32")
    }

    @Test func emails() {
        #expect(Redactor.redact("receipt sent to john.doe+pay@example.co.uk.") == "receipt sent to [email].")
        #expect(Redactor.redact("<billing@shop.example>") == "<[email]>")
        #expect(Redactor.redact("not an email: a@b, @handle, x@localhost") == "not an email: a@b, @handle, x@localhost")
    }

    @Test func phoneNumbers() {
        #expect(Redactor.redact("call +44 20 7946 0958 now") == "call [phone] now")
        #expect(Redactor.redact("+1 (555) 123-4567") == "[phone]")
        #expect(Redactor.redact("+44 (0)20 7946 0958") == "[phone]")
        #expect(Redactor.redact("+33612345678") == "[phone]")
        #expect(Redactor.redact("tel. (555) 123-4567") == "tel. [phone]")
        #expect(Redactor.redact("06 12 34 56 78") == "[phone]")
        #expect(Redactor.redact("06.12.34.56.78") == "[phone]")
        #expect(Redactor.redact("555-123-4567") == "[phone]")
        #expect(Redactor.redact("mobile 07911123456") == "mobile [phone]")
        // Too short, arithmetic, lists.
        #expect(Redactor.redact("+49 123") == "+49 123")
        #expect(Redactor.redact("5+3 = 8") == "5+3 = 8")
        #expect(Redactor.redact("1 2 3 4 5 6 7 8 9") == "1 2 3 4 5 6 7 8 9")
    }

    @Test func transactionIDs() {
        #expect(Redactor.redact("transaction 5TY05013RG002845M completed") == "transaction [id] completed")
        #expect(Redactor.redact("id pi_3N4xYzAbC12345.") == "id [id].")
        #expect(Redactor.redact("550e8400-e29b-41d4-a716-446655440000") == "[id]")
        // Short, or letters only: words, not ids.
        #expect(Redactor.redact("ABC123DEF45 internationalization") == "ABC123DEF45 internationalization")
    }

    @Test func datesAmountsAndOrderNumbersStay() {
        let kept = [
            "2026-11-01", "$19.99", "order 12345", "paid 1,234.56 EUR on 2026-11-01 for order 12345",
            "01.11.2026", "11/01/2026", "$1 234 567.89", "€ 1.234.567,89", "19.99 USD", "at 14:35:07",
            "2026-11-01 2026-11-30", "123 456 789.50", "The payment of 9.99 EUR to Patreon on 2026-11-01 is visible.",
        ]
        for text in kept {
            #expect(Redactor.redact(text) == text)
        }
        #expect(Redactor.redact("") == "")
    }

    @Test func mixedText() {
        let reason = "Payment of $9.99 on 2026-11-01 to Patreon from card 4111 1111 1111 1111 (jane@example.com, +44 20 7946 0958), ref 5TY05013RG002845M"
        #expect(Redactor.redact(reason)
                == "Payment of $9.99 on 2026-11-01 to Patreon from card [card] ([email], [phone]), ref [id]")
    }
}
