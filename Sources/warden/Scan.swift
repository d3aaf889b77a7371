import ArgumentParser
import Foundation
import WardenApp
import WardenCore
import WardenPipeline
import WardenStore

struct Scan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge Discord messages: JSON lines in, one decision JSON line out each.",
        discussion: """
        Each input line is a Discord Message object. A line that is not one gets an error line
        ({"line": N, "error": {...}}) in its place; the rest is still processed and the exit code is 1.
        A summary goes to stderr. Guilds seen for the first time get the pack from --rules.
        With WARDEN_LLM_BASE_URL set, ai rules run through the model; a verdict slower than the guild's
        deadline is written later as an llm_verdict event (see `warden events`), and scan waits up to
        --wait-for-late for those before it exits. Verdicts left by an earlier run are finished first.
        """
    )

    @Argument(help: "A file of message JSON lines, or - for stdin.")
    var input: String = "-"

    @OptionGroup var store: StoreOptions
    @OptionGroup var llmOptions: LLMOptions

    @Option(help: "The rule pack imported into guilds that have no rules yet.")
    var rules: String = "rules"

    @Option(help: "Messages committed per transaction.")
    var batchSize: Int = 256

    @Option(help: ArgumentHelp("Seconds to wait at the end for LLM verdicts that missed their deadline.", valueName: "seconds"))
    var waitForLate: Double = 120

    func validate() throws {
        guard batchSize >= 1 && batchSize <= 10_000 else { throw ValidationError("--batch-size must be 1-10000") }
        guard waitForLate >= 0 && waitForLate <= 3600 else { throw ValidationError("--wait-for-late must be 0-3600 seconds") }
    }

    func run() async throws {
        let (pack, issues) = try RulePackDirectory.load(rules)
        for issue in issues { printError("warning: skipped \(issue)") }
        let database = try await store.open()
        var configuration = try llmOptions.appConfiguration(pack: pack)
        configuration.uses = .moderation
        // Verdicts left by an earlier run are model calls: many at once, as the stage itself makes them.
        configuration.jobs.concurrency = 64
        let app = try buildApp(database, configuration)
        let pipeline = app.pipeline
        try await pipeline.pruneRememberedDecisions()
        try await pipeline.pruneDeliveredWork()
        if let llm = app.llm {
            // Verdicts a stopped run left behind are jobs like any other; only those are run here.
            if let runner = app.jobRunner(only: [LateVerdictJob.kind]) {
                let resumed = try await runner.runUntilIdle(maxPasses: 1_000)
                if resumed.finished > 0 { printError("finished \(resumed.finished) LLM verdict(s) left by an earlier run") }
                if resumed.retried > 0 { printError("warning: \(resumed.retried) LLM verdict(s) left by an earlier run could not be written yet; the next run retries them") }
            }
            try await llm.quota.prune()
        }
        var reader = try LineReader(path: input)
        let decoder = MessageDecoder()
        var summary = ScanSummary()
        var batch: [DiscordMessage] = []
        var pending: [Int: String] = [:]   // error lines waiting for their batch to be written, by line number
        var order: [Int] = []              // line numbers of the batch, in input order
        var lineNumber = 0

        func flush() async throws {
            guard !order.isEmpty else { return }
            let results = batch.isEmpty ? [] : try await pipeline.process(batch)
            var out = ""
            var next = results.makeIterator()
            for line in order {
                if let error = pending[line] { out += error + "\n"; continue }
                guard let result = next.next() else { continue }
                summary.record(result)
                out += result.json + "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            batch.removeAll(keepingCapacity: true); pending.removeAll(); order.removeAll(keepingCapacity: true)
        }

        while let line = reader.next() {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            order.append(lineNumber)
            do {
                batch.append(try decoder.decode(line))
            } catch {
                summary.rejected += 1
                printError("line \(lineNumber): \(error)")
                pending[lineNumber] = ScanSummary.errorLine(line: lineNumber, error)
            }
            if order.count >= batchSize { try await flush() }
        }
        try await flush()
        if let llm = app.llm, llm.outstanding > 0 {
            printError("waiting for \(llm.outstanding) late LLM verdict(s)...")
            let left = await llm.drain(timeout: .milliseconds(Int(waitForLate * 1000)))
            if left > 0 { printError("warning: \(left) LLM verdict(s) still pending; the next run (or another process) finishes them") }
        }
        printError(summary.text)
        await database.close()
        if summary.rejected > 0 { throw ExitCode(1) }
    }
}

/// Counts for the summary on stderr.
struct ScanSummary {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    var messages = 0, flagged = 0, blocked = 0, replayed = 0, rejected = 0, ruleErrors = 0
    var perRule: [String: Int] = [:]

    mutating func record(_ result: ProcessedMessage) {
        messages += 1
        if result.replayed { replayed += 1 }
        switch result.decision.verdict {
        case .allow: break
        case .flag: flagged += 1
        case .block: blocked += 1
        }
        ruleErrors += result.decision.errors.count
        for match in result.decision.matches { perRule[match.rule, default: 0] += 1 }
    }

    var text: String {
        var lines = ["scanned \(messages) messages: \(blocked) blocked, \(flagged) flagged, \(messages - blocked - flagged) allowed"
                     + (replayed > 0 ? ", \(replayed) already processed (stored decision returned)" : "")
                     + (rejected > 0 ? "; \(rejected) input lines rejected" : "")
                     + (ruleErrors > 0 ? "; \(ruleErrors) rule errors" : "")]
        for (rule, count) in perRule.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            lines.append("  \(rule): \(count)")
        }
        return lines.joined(separator: "\n")
    }

    static func errorLine(line: Int, _ error: IngestError) -> String {
        struct Body: Encodable { let line: Int; let error: Detail }
        struct Detail: Encodable { let code: String; let message: String }
        let body = Body(line: line, error: Detail(code: error.code, message: error.description))
        return (try? String(decoding: encoder.encode(body), as: UTF8.self)) ?? #"{"line":\#(line),"error":{"code":"invalid"}}"#
    }
}
