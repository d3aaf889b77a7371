import ArgumentParser
import WardenServer

/// `warden admin token`: API tokens (hashed in `api_tokens`, by role and guild scope).
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it (once: only its hash is stored) alone on the last line.")
        @Option(help: "bot, moderator, staff or admin.") var role: String
        @Option(help: "The one guild the token reaches (default: every guild).") var guild: String?
        @Option(help: "A note to recognise the token by.") var label: String?
        @Option(help: "The Discord user id of the token's holder: the console attributes what they do to it.") var user: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let guildID = try guild.map { try snowflake($0, "--guild") }
            let userID = try user.map { try snowflake($0, "--user") }
            let database = try await store.open()
            let created = try await TokenStore(database: database).create(role: role, guild: guildID, label: label, user: userID)
            await database.close()
            print("token \(created.record.id): role \(role.rawValue), " + (guild.map { "guild \($0)" } ?? "every guild")
                  + (user.map { ", held by user \($0)" } ?? ""))
            print(created.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their text).")
        @OptionGroup var store: StoreOptions
        func run() async throws {
            let database = try await store.open()
            let tokens = try await TokenStore(database: database).list(guild: nil)
            await database.close()
            for token in tokens {
                let scope = token.guildID.map { "guild \(UInt64(bitPattern: $0))" } ?? "every guild"
                let holder = token.userID.map { "user \(UInt64(bitPattern: $0))" } ?? "-"
                print("\(token.id)\t\(token.role)\t\(scope)\t\(holder)\t\(token.revokedAt == nil ? "active" : "revoked")\t\(token.label ?? "")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id.")
        @Argument(help: "The token id.") var id: Int64
        @OptionGroup var store: StoreOptions
        func run() async throws {
            let database = try await store.open()
            let revoked = try await TokenStore(database: database).revoke(id: id)
            await database.close()
            guard revoked else { throw CLIError("token \(id) does not exist or is revoked already", exitCode: 1) }
            print("revoked token \(id)")
        }
    }
}
