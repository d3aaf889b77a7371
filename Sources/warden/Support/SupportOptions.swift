import ArgumentParser
import Foundation
import WardenApp
import WardenCore
import WardenPipeline
import WardenStore

/// What the commands that run jobs need: the LLM (from `WARDEN_LLM_*`), the prompts, and the job runner's pacing.
struct SupportOptions: ParsableArguments {
    @OptionGroup var llm: LLMOptions

    @Option(help: ArgumentHelp("Seconds a worker holds a job before another may take it over.", valueName: "seconds"))
    var lease: Double = 180

    @Option(help: "Jobs run at the same time.")
    var concurrency: Int = 4

    /// The app's configuration with these options' pacing for the job runner.
    func appConfiguration(pack: [PackRule] = []) throws -> WardenApp.Configuration {
        var configuration = try llm.appConfiguration(pack: pack)
        guard lease > 0, lease.isFinite else { throw ValidationError("--lease must be a positive number of seconds") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        if let llm = configuration.llm {
            let deadline = Double(llm.callDeadline.components.seconds)
            if lease < deadline + 10 {
                // Not refused (tests use short leases on purpose), but a lease shorter than a call lets a second
                // worker run the same job while the first is still waiting for the model.
                printError("warning: --lease \(lease) s is shorter than the LLM call deadline (\(Int(deadline)) s) plus writing time; "
                           + "another worker may run a job twice (its results are still written once)")
            }
        }
        configuration.jobs.lease = lease
        configuration.jobs.concurrency = concurrency
        return configuration
    }

    /// The runner of the support job kinds, or nil when no LLM provider is configured.
    func worker(database: any Database) throws -> JobRunner? {
        var configuration = try appConfiguration()
        configuration.uses = .supportJobs
        let app = try buildApp(database, configuration)
        return app.jobRunner(only: app.supportJobKinds)
    }
}
