import ArgumentParser
import Foundation
import WardenCore
import WardenLLM

struct LLM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm",
        abstract: "Check the configured LLM provider.",
        subcommands: [Ping.self]
    )

    struct Ping: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the provider for a small structured answer; exit 0 when one came back.",
            discussion: """
            Reads WARDEN_LLM_BASE_URL, WARDEN_LLM_API_KEY (or _FILE), WARDEN_LLM_MODEL and the other
            WARDEN_LLM_* variables. On failure prints the provider's status and message (a 429 names itself)
            and exits 1, within --deadline.
            """
        )
        @Option(help: ArgumentHelp("Give up after this many seconds, retries included (default: WARDEN_LLM_DEADLINE_MS, else 60).", valueName: "seconds"))
        var deadline: Double?
        @Option(help: "The task whose model is used.") var task: String = LLMTask.automod.rawValue

        func validate() throws {
            if let deadline, !(deadline > 0 && deadline <= 600) { throw ValidationError("--deadline must be 0-600 seconds") }
            guard LLMTask(rawValue: task) != nil, task != LLMTask.embeddings.rawValue else {
                throw ValidationError("--task must be automod, summary or vision")
            }
        }

        func run() async throws {
            guard let configuration = try LLMOptions().configuration() else {
                throw CLIError("no LLM provider is configured: set WARDEN_LLM_BASE_URL (for example http://127.0.0.1:11434/v1)", exitCode: 1)
            }
            let client = LLMClient(configuration: configuration)
            let schema: JSONValue = ["type": "object", "properties": ["ok": ["type": "boolean"]], "required": ["ok"], "additionalProperties": false]
            let request = ChatRequest(task: LLMTask(rawValue: task) ?? .automod,
                                      messages: [.system("You are a health check. Answer with the JSON object {\"ok\": true}."), .user("ping")],
                                      output: StructuredOutput(name: "ping", schema: schema), maxTokens: 20,
                                      deadline: deadline.map { .milliseconds(Int($0 * 1000)) } ?? configuration.callDeadline)
            let started = ContinuousClock.now
            do {
                let result = try await client.chat(request)
                let millis = (ContinuousClock.now - started).components
                let elapsed = Double(millis.seconds) * 1000 + Double(millis.attoseconds) / 1e15
                print("ok: \(configuration.preset.name) model \(result.model ?? configuration.model(for: .automod) ?? "?") answered "
                      + "\(result.json?.encoded() ?? result.content) in \(Int(elapsed)) ms"
                      + (result.requestID.map { " [request \($0)]" } ?? "") + (result.attempts > 1 ? " after \(result.attempts) attempts" : ""))
            } catch {
                throw CLIError("LLM ping failed for \(configuration.baseURL): \(error)", exitCode: 1)
            }
        }
    }
}
