import Foundation
import Testing
@testable import WardenStore

@Suite("Timestamps and placeholders")
struct UnitTests {
    @Test func formatsFixedWidthUTC() {
        #expect(UTCTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(UTCTimestamp.format(Date(timeIntervalSince1970: 1_795_310_400.123456)) == "2026-11-22T01:20:00.123456Z")
        #expect(UTCTimestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000Z")
        #expect(UTCTimestamp.format(Date.distantFuture) == nil || UTCTimestamp.format(Date.distantFuture)?.count == 27)
        #expect(UTCTimestamp.format(Date(timeIntervalSince1970: 1e12)) == nil)
    }

    @Test func parsesBothDriversForms() {
        let t = Date(timeIntervalSince1970: 1_795_303_800.123456)
        let forms = ["2026-11-21T23:30:00.123456Z", "2026-11-21 23:30:00.123456+00", "2026-11-22 01:30:00.123456+02:00",
                     "2026-11-21 18:00:00.123456-05:30"]
        for form in forms {
            let parsed = UTCTimestamp.parse(form)
            #expect(parsed.map { abs($0.timeIntervalSince(t)) < 0.000_001 } == true, "\(form)")
        }
        #expect(UTCTimestamp.parse("2026-11-21 23:30:00") == Date(timeIntervalSince1970: 1_795_303_800))
        #expect(UTCTimestamp.parse("2026-11-21") == nil)
        #expect(UTCTimestamp.parse("2026-13-21T00:00:00Z") == nil)
        #expect(UTCTimestamp.parse("2026-11-21T00:00:00Zjunk") == nil)
    }

    @Test func fixedWidthTextSortsInTimeOrder() {
        let dates = (0..<200).map { _ in Date(timeIntervalSince1970: Double.random(in: -2e9...4e9)) }
        let texts = dates.compactMap(UTCTimestamp.format)
        #expect(texts.count == dates.count)
        #expect(texts.sorted() == dates.sorted().compactMap(UTCTimestamp.format))
    }

    @Test func rewritesPlaceholdersOutsideQuotesAndComments() {
        #expect(SQLitePlaceholders.rewrite("SELECT $2, $1") == "SELECT ?2, ?1")
        #expect(SQLitePlaceholders.rewrite("SELECT '$1', \"$2\", $3 -- $4\n, $5 /* $6 */") == "SELECT '$1', \"$2\", ?3 -- $4\n, ?5 /* $6 */")
        #expect(SQLitePlaceholders.rewrite("SELECT 'it''s $1', $10") == "SELECT 'it''s $1', ?10")
        #expect(SQLitePlaceholders.rewrite("SELECT a$1 FROM t") == "SELECT a$1 FROM t")
        #expect(SQLitePlaceholders.rewrite("no params") == "no params")
    }
}

@Suite("Store errors: unavailable, busy, unstorable text")
struct StoreErrorClassificationTests {
    @Test(arguments: ["57P01", "57P02", "57P03", "53300", "08006", "08001", "08P01", "55P03"])
    func unavailableStatesAnswer503WithRetryAfter(_ state: String) {
        let error = StoreError.statement("SELECT 1", message: "x", sqlState: state)
        #expect(error.isUnavailable && error.isTransient)
        #expect(error.httpStatus == 503 && error.retryAfter == 1)
    }

    @Test func connectFailuresAndAClosedStoreAreUnavailable() {
        for error in [StoreError.connect("postgres://h/db", message: "connection refused"), .closed] {
            #expect(error.isUnavailable && error.httpStatus == 503 && error.code == "store_unavailable" && error.retryAfter == 1)
        }
        let busy = StoreError.statement("BEGIN IMMEDIATE", message: "database is locked", sqlState: "55P03")
        #expect(busy.code == "store_busy" && busy.httpStatus == 503)
        let deadlock = StoreError.statement("UPDATE", message: "deadlock", sqlState: "40P01")
        #expect(!deadlock.isUnavailable && deadlock.isTransient && deadlock.httpStatus == 503 && deadlock.code == "store_busy")
    }

    @Test func statementFaultsAreNot() {
        for state in ["23505", "22P02", "42P01", nil] as [String?] {
            let error = StoreError.statement("INSERT", message: "x", sqlState: state)
            #expect(!error.isTransient && error.httpStatus == 500 && error.retryAfter == nil)
        }
    }

    @Test func jsonNULScanSeesEscapesNotEscapedBackslashes() {
        #expect(SQLValue.holdsNUL(json: #"{"a": "\u0000"}"#))
        #expect(SQLValue.holdsNUL(json: "[\"\u{0}\"]"))
        #expect(SQLValue.holdsNUL(json: #"["x\\\u0000"]"#))
        #expect(!SQLValue.holdsNUL(json: #"["\\u0000"]"#))
        #expect(!SQLValue.holdsNUL(json: #"["\u0001", "\u1000", "\"\u00"]"#))
    }
}
