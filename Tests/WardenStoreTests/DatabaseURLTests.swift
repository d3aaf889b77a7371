import Foundation
import Testing
@testable import WardenStore

@Suite("Database URLs and errors")
struct DatabaseURLTests {
    @Test(arguments: ["mysql://localhost/db", "sqlite:", "", "warden.db", "postgres://u:Sup3rSecretPw@host/db%zz"])
    func badURLsGiveAClearError(url: String) async throws {
        let error = await #expect(throws: StoreError.self) { try await DatabaseOpener.open(url: url) }
        guard case let .badURL(_, reason)? = error else {
            Issue.record("expected badURL, got \(String(describing: error))")
            return
        }
        #expect(!reason.isEmpty)
        #expect(error?.description.contains("Sup3rSecretPw") == false)
    }

    @Test(arguments: [
        "postgres://warden:Sup3rSecretPw@127.0.0.1:1/warden?connect_timeout=2",
        "postgresql://warden@127.0.0.1:1/warden?password=Sup3rSecretPw&connect_timeout=2",
    ])
    func passwordsNeverAppearInConnectErrors(url: String) async throws {
        let error = await #expect(throws: StoreError.self) { try await DatabaseOpener.open(url: url) }
        guard case .connect? = error else {
            Issue.record("expected connect error, got \(String(describing: error))")
            return
        }
        let text = error?.description ?? ""
        #expect(!text.contains("Sup3rSecretPw"))
        #expect(text.contains("***"))
        #expect(text.contains("127.0.0.1"))
    }

    @Test func unopenableSQLitePathIsAConnectError() async throws {
        let error = await #expect(throws: StoreError.self) {
            try await DatabaseOpener.open(url: "sqlite:/nonexistent-\(UUID().uuidString)/deeper/w.sqlite")
        }
        guard case .connect? = error else {
            Issue.record("expected connect error, got \(String(describing: error))")
            return
        }
    }

    @Test func parsesTheSupportedForms() throws {
        #expect(try DatabaseLocation.parse("sqlite::memory:") == .sqliteMemory)
        #expect(try DatabaseLocation.parse("sqlite:data/w.db") == .sqliteFile(path: "data/w.db"))
        #expect(try DatabaseLocation.parse("sqlite:/var/lib/w.db") == .sqliteFile(path: "/var/lib/w.db"))
        #expect(try DatabaseLocation.parse("sqlite:///var/lib/w.db") == .sqliteFile(path: "/var/lib/w.db"))
        #expect(try DatabaseLocation.parse("postgresql://h/db") == .postgres(url: "postgresql://h/db"))
    }

    @Test func redactsPasswords() {
        #expect(DatabaseLocation.redact("postgres://u:pw@h:5432/db") == "postgres://u:***@h:5432/db")
        #expect(DatabaseLocation.redact("postgres://u@h/db?sslmode=require&password=pw&x=1") == "postgres://u@h/db?sslmode=require&password=***&x=1")
        #expect(DatabaseLocation.redact("postgres://u:p@ss:w@h/db") == "postgres://u:***@h/db")
        #expect(DatabaseLocation.redact("postgres://h/db") == "postgres://h/db")
    }
}
