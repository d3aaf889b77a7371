import ArgumentParser
import Foundation
import WardenApp
import WardenCore
import WardenLLM
import WardenStore

/// `--prompts` and the `WARDEN_LLM_*` environment, shared by the commands that may call a model.
struct LLMOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The folder of prompt templates (one folder per task).", valueName: "dir"))
    var prompts: String = "prompts"

    /// The configuration from the environment, nil when `WARDEN_LLM_BASE_URL` is unset (the LLM is off).
    func configuration() throws -> LLMConfiguration? {
        do { return try LLMConfiguration.fromEnvironment() } catch { throw CLIError("LLM configuration: \(error)") }
    }

    /// What the app is built from: the pack, the provider (if any) and its prompts; problems of background
    /// work and stored rules go to stderr as warnings.
    func appConfiguration(pack: [PackRule] = []) throws -> WardenApp.Configuration {
        var configuration = WardenApp.Configuration(defaultPack: pack, llm: try configuration())
        configuration.prompts = prompts
        configuration.report = { printError("warning: \($0)") }
        return configuration
    }
}

/// Builds the app on an open store (the caller closes the store).
func buildApp(_ database: any Database, _ configuration: WardenApp.Configuration) throws -> WardenApp {
    do { return try WardenApp(database: database, configuration: configuration) } catch { throw CLIError("\(error)") }
}
