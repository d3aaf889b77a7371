import ArgumentParser
import WardenStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations (they also run at start-up).")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let database: any Database
        do { database = try await DatabaseOpener.open(url: store.url) }
        catch { throw CLIError("migration failed: \(error)") }
        // Opening applied everything pending; a second pass reports the state.
        let applied = try await Migrator.migrate(database)
        await database.close()
        print(applied.isEmpty ? "schema is up to date (\(database.dialect.rawValue))" : "applied migrations \(applied)")
    }
}
