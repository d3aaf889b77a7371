import ArgumentParser
import Foundation
import WardenCore
import WardenStore

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a guild's events after a cursor: late LLM verdicts and other actions for the bot.",
        discussion: """
        One JSON line per event: {"id", "guild_id", "kind", "created_at", "payload"}. Pass the last id you
        handled as --after to get only newer ones; ids only grow within a guild.
        """
    )

    @Option(help: "The guild id.") var guild: String
    @Option(help: "Only events with a larger id.") var after: Int64 = 0
    @Option(help: "At most this many events.") var limit: Int = 100
    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1-10000") }
        guard after >= 0 else { throw ValidationError("--after must be 0 or a positive event id") }
    }

    func run() async throws {
        let guildID = try snowflake(guild, "--guild")
        let database = try await store.open()
        let events = try await database.transaction { conn in
            try EventRepository.list(on: conn, guild: guildID, after: after, limit: limit)
        }
        await database.close()
        var out = ""
        for event in events {
            let guildText = String(UInt64(bitPattern: event.guildID))
            out += "{\"id\":\(event.id),\"guild_id\":\"\(guildText)\",\"kind\":\(JSONValue.string(event.kind).encoded()),"
                + "\"created_at\":\(JSONValue.string(event.createdAt).encoded()),\"payload\":\(event.payloadJSON)}\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

