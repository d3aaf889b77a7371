import ArgumentParser
import Foundation
import WardenPipeline
import WardenStore

struct Members: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Members' data: forget a member on request (the same desk as DELETE /v1/guilds/{g}/users/{u}).",
        subcommands: [Forget.self]
    )

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: """
            Remove what Warden keeps about a member in a guild: automod logs and appeals, points, cases, ended \
            punishments, joins, LLM quota counts, appeal-form sessions, screenshot verifications; their tickets' text is \
            replaced. Audited in admin_log.
            """)
        @Argument(help: "The member's id.") var user: String
        @Option(help: "The guild id.") var guild: String
        @Option(help: "Who asks (recorded in admin_log).") var by: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let g = try snowflake(guild, "--guild"), u = try snowflake(user, "USER")
            let actor = try by.map { try snowflake($0, "--by") }
            let forgotten = try await withOpenStore(store) { db in try await PrivacyDesk(database: db).forget(guild: g, user: u, by: actor) }
            print("forgot member \(user) in guild \(guild): \(forgotten.logs) log(s), \(forgotten.appeals) appeal(s), \(forgotten.cases) case(s), "
                  + "\(forgotten.points) point record(s), \(forgotten.joins) join(s), \(forgotten.verifications) verification(s), "
                  + "\(forgotten.tickets) ticket(s) blanked")
        }
    }
}
