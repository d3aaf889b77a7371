import ArgumentParser

@main
struct Warden: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "AI-assisted moderation for Discord communities.",
        subcommands: [Serve.self, Token.self, Scan.self, Appeals.self, Rules.self, Migrate.self, History.self, Settings.self, Events.self, Quota.self, LLM.self,
                      Tickets.self, Support.self, FAQ.self, Verify.self, Verifications.self]
    )
}
