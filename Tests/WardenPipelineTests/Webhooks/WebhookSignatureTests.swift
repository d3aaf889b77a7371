import Foundation
import Testing
import WardenPipeline

@Suite struct WebhookSignatureTests {
    let body = Array(#"{"a":1}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func matchesAKnownHMACSHA256Vector() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        #expect(WebhookSignature.signature(body: body, timestamp: 1_700_000_000, secret: "whsec_test")
                == "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789")
        #expect(WebhookSignature.headerValue(body: body, timestamp: 1_700_000_000, secrets: ["whsec_test"])
                == "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789")
    }

    @Test func verifiesItsOwnHeaderAndEitherSecretWhileBothAreSigned() throws {
        let header = WebhookSignature.headerValue(body: body, timestamp: 1_700_000_000, secrets: ["whsec_new", "whsec_old"])
        #expect(header.components(separatedBy: "v1=").count == 3)
        try WebhookSignature.verify(header: header, body: body, secret: "whsec_new", now: now)
        try WebhookSignature.verify(header: header, body: body, secret: "whsec_old", now: now.addingTimeInterval(299))
        #expect(throws: WebhookSignature.Refusal.noMatch) {
            try WebhookSignature.verify(header: header, body: body, secret: "whsec_other", now: now)
        }
    }

    @Test func refusesAChangedBodyAStaleTimestampAndMalformedHeaders() {
        let header = WebhookSignature.headerValue(body: body, timestamp: 1_700_000_000, secrets: ["whsec_test"])
        #expect(throws: WebhookSignature.Refusal.noMatch) {
            try WebhookSignature.verify(header: header, body: Array(#"{"a":2}"#.utf8), secret: "whsec_test", now: now)
        }
        #expect(throws: WebhookSignature.Refusal.staleTimestamp(seconds: 301)) {
            try WebhookSignature.verify(header: header, body: body, secret: "whsec_test", now: now.addingTimeInterval(301))
        }
        #expect(throws: WebhookSignature.Refusal.staleTimestamp(seconds: -400)) {
            try WebhookSignature.verify(header: header, body: body, secret: "whsec_test", now: now.addingTimeInterval(-400))
        }
        // Hostile timestamps are malformed, never an arithmetic trap.
        for bad in ["", "v1=abc", "t=1700000000", "t=1700000000,junk", "t=soon,v1=00", "t=-9223372036854775808,v1=00",
                    "t=+1700000000,v1=00", "t=9223372036854775807,v1=00", "t=1e9,v1=00", "t=,v1=00"] {
            #expect(throws: (any Error).self, "\(bad)") {
                try WebhookSignature.verify(header: bad, body: body, secret: "whsec_test", now: now)
            }
        }
    }
}
