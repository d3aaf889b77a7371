import ArgumentParser
import Foundation
import WardenCore
import WardenPipeline
import WardenStore
import WardenSupport

/// `--database`, shared by every command that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Store URL: sqlite:PATH or postgres://... (default: $WARDEN_DATABASE_URL, else sqlite:warden.db)", valueName: "url"))
    var database: String?

    var url: String {
        database ?? ProcessInfo.processInfo.environment["WARDEN_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "sqlite:warden.db"
    }

    /// Opens the store and applies pending migrations.
    func open() async throws -> any Database {
        do { return try await DatabaseOpener.open(url: url) }
        catch { throw CLIError("cannot open the store: \(error)") }
    }
}

/// An error the CLI prints as it is and exits on.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    var exitCode: Int32 = 2
    init(_ description: String, exitCode: Int32 = 2) { self.description = description; self.exitCode = exitCode }
}

/// Writes to stderr without buffering surprises.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Parses a snowflake argument or fails with the argument's name.
func snowflake(_ text: String, _ name: String) throws -> Int64 {
    guard let value = UInt64(text) else { throw ValidationError("\(name) must be a Discord id (digits), got '\(text)'") }
    return Int64(bitPattern: value)
}

/// Prints `value` as indented JSON with sorted keys (what `show` commands and `--json` print).
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Runs `body` with an open store, closing it afterwards whatever happens; the desks' refusals (any
/// ``ServiceError``) become CLI errors printed with the same message the HTTP API gives.
@discardableResult
func withOpenStore<T>(_ store: StoreOptions, _ body: (any Database) async throws -> T) async throws -> T {
    let database = try await store.open()
    do {
        let result = try await body(database)
        await database.close()
        return result
    } catch {
        await database.close()
        // A store failure keeps its full description here (the HTTP API hides it from clients, not from operators).
        if error is StoreError { throw error }
        if let refusal = error as? any ServiceError { throw CLIError(refusal.message) }
        throw error
    }
}
