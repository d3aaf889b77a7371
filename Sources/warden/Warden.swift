import ArgumentParser

@main
struct Warden: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "AI-assisted moderation for Discord communities.",
        subcommands: [Serve.self, Scan.self, Rules.self, Appeals.self, Cases.self, Members.self, History.self, Events.self, Support.self, Admin.self, LLM.self,
                      // The names before commands were grouped, hidden, for one release.
                      HiddenAlias<Token>.self, HiddenAlias<Settings>.self, HiddenAlias<Migrate>.self, HiddenAlias<Quota>.self,
                      HiddenAlias<Tickets>.self, HiddenAlias<FAQ>.self, HiddenAlias<Verify>.self, HiddenAlias<Verifications>.self]
    )
}
