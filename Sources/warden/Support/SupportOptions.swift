import ArgumentParser
import Foundation
import WardenLLM
import WardenStore
import WardenSupport

/// What the support commands need to run support jobs: the LLM (from `WARDEN_LLM_*`) and the prompts.
struct SupportOptions: ParsableArguments {
    @OptionGroup var llm: LLMOptions

    @Option(help: ArgumentHelp("Seconds a worker holds a job before another may take it over.", valueName: "seconds"))
    var lease: Double = 180

    @Option(help: "Jobs run at the same time.")
    var concurrency: Int = 4

    /// The worker for every support job kind, or nil when no LLM provider is configured.
    func worker(database: any Database) throws -> SupportWorker? {
        guard let configuration = try llm.configuration() else { return nil }
        guard lease > 0, lease.isFinite else { throw ValidationError("--lease must be a positive number of seconds") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        let deadline = Double(configuration.callDeadline.components.seconds)
        if lease < deadline + 10 {
            // Not refused (tests use short leases on purpose), but a lease shorter than a call lets a second
            // worker run the same job while the first is still waiting for the model.
            printError("warning: --lease \(lease) s is shorter than the LLM call deadline (\(Int(deadline)) s) plus writing time; "
                       + "another worker may run a job twice (its results are still written once)")
        }
        let client = LLMClient(configuration: configuration)
        func template(_ name: String) throws -> PromptTemplate {
            do { return try PromptTemplate.load(from: llm.prompts, name: name) } catch { throw CLIError("\(error)") }
        }
        let jobs: [any SupportJob] = [
            SummaryJob(database: database, client: client, template: try template("ticket_summary"), clusters: ClusterBook(),
                       useEmbeddings: configuration.models[.embeddings] != nil),
            ProposalJob(database: database, client: client, template: try template("faq_proposal")),
            VerificationJob(database: database, client: client, template: try template("verification"), quota: QuotaGate(database: database)),
        ]
        var worker = SupportWorker.Configuration()
        worker.lease = lease
        worker.concurrency = concurrency
        return SupportWorker(database: database, jobs: jobs, configuration: worker)
    }
}
