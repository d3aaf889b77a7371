import Foundation
import WardenApp
import WardenPipeline
import WardenServer
import WardenStore
import WardenTestSupport

/// Two service instances on one throwaway PostgreSQL database, each with its own connections (as two
/// processes would have), both with the default rule pack. Skipped (returns without calling `body`) when no
/// PostgreSQL is available and the run allows skipping it.
func withTwoInstances(lanes: Int? = nil, _ body: (WardenService, WardenService) async throws -> Void) async throws {
    if TestStores.skipPostgres, (try? TestStores.postgresURL()) == nil { return }
    try await TestStores.withURL(.postgres) { url, first in
        let second = try await DatabaseOpener.open(url: url)
        defer { Task { await second.close() } }
        let (pack, _) = try RulePackDirectory.load(defaultPackPath)
        func service(_ database: any Database) throws -> WardenService {
            var configuration = WardenService.Configuration()
            if let lanes { configuration.lanes = lanes }
            return try WardenService(app: try WardenApp(database: database, configuration: WardenApp.Configuration(defaultPack: pack)),
                                     configuration: configuration)
        }
        try await body(try service(first), try service(second))
    }
}
