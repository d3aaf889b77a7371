import ArgumentParser

/// An old top-level name kept for one release after its command moved into a group (`warden token` now
/// lives at `warden admin token`): the same command, not shown in help.
///
/// A group's subcommands are shared with it; a leaf command's options are parsed by its own type (as an
/// option group) and its `run` is the command's.
struct HiddenAlias<Command: AsyncParsableCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        var configuration = Command.configuration
        configuration.commandName = Command._commandName
        configuration.shouldDisplay = false
        return configuration
    }

    @OptionGroup var command: Command

    mutating func run() async throws {
        try await command.run()
    }
}
