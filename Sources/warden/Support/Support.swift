import ArgumentParser
import Foundation
import WardenStore
import WardenSupport

struct Support: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The support desk: tickets, its durable jobs (summaries, FAQ drafts, screenshot checks), the FAQ, payment verification.",
        subcommands: [Tickets.self, Work.self, FAQ.self, Verify.self, Verifications.self]
    )

    struct Work: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lease and run due support jobs until none is left (or forever with --follow).",
            discussion: """
            Jobs are durable: a worker that dies loses its jobs to the next worker once their lease runs out
            (--lease), and each job's results are written exactly once. Failed calls are retried with
            exponential backoff (5 s doubling, up to 10 min, 8 attempts). Needs WARDEN_LLM_BASE_URL.
            """)
        @Flag(help: "Keep running and poll for new jobs instead of stopping when none is due.") var follow = false
        @OptionGroup var support: SupportOptions
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await withOpenStore(store) { database in
                guard let worker = try support.worker(database: database) else {
                    throw CLIError("no LLM provider configured: set WARDEN_LLM_BASE_URL (see README, LLM stage)")
                }
                let expired = try await FAQDesk(database: database).expire()
                if !expired.isEmpty { print("expired \(expired.count) FAQ proposal(s)") }
                if follow {
                    try await worker.run()
                } else {
                    let pass = try await worker.runUntilIdle()
                    let waiting = try await worker.outstanding()
                    print("jobs: \(pass.finished) done, \(pass.retried) to retry, \(pass.failed) failed; \(waiting) waiting")
                }
            }
        }
    }
}
