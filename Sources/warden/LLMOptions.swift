import ArgumentParser
import Foundation
import WardenLLM
import WardenPipeline
import WardenStore

/// `--prompts` and the `WARDEN_LLM_*` environment, shared by the commands that may call a model.
struct LLMOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The folder of prompt templates (one folder per task).", valueName: "dir"))
    var prompts: String = "prompts"

    /// The configuration from the environment, nil when `WARDEN_LLM_BASE_URL` is unset (the LLM is off).
    func configuration() throws -> LLMConfiguration? {
        do { return try LLMConfiguration.fromEnvironment() } catch { throw CLIError("LLM configuration: \(error)") }
    }

    /// The LLM stage for the pipeline, or nil when no provider is configured.
    func moderator(database: any Database) throws -> LLMModerator? {
        guard let configuration = try configuration() else { return nil }
        let template: PromptTemplate
        do { template = try PromptTemplate.load(from: prompts, name: "automod") } catch { throw CLIError("\(error)") }
        let analyzer = AutomodAnalyzer(client: LLMClient(configuration: configuration), template: template)
        return LLMModerator(analyzer: analyzer, database: database, report: { printError("warning: \($0)") })
    }
}
