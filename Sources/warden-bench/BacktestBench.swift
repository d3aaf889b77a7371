import Foundation
import WardenApp
import WardenCore
import WardenPipeline
import WardenStore

// `warden-bench --backtest`: issue 16's rule backtest at its bound. A guild holding `logs` automod logs
// (the benchmark corpus's texts, one in 40 with an approved appeal, one in 60 denied) backtests a new
// content rule over all of them with the default limits; prints the time, what was replayed and found,
// and the process's resident memory before and after, with the peak while it ran.

func backtestBench(packPath: String, logs: Int, postgres: String?) async {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-backtest-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    await backtestRun(url: "sqlite:" + directory.appendingPathComponent("backtest.sqlite").path, label: "SQLite", packPath: packPath, logs: logs)
    if let postgres {
        await backtestRun(url: postgres, label: "PostgreSQL", packPath: packPath, logs: logs)
    } else {
        print("  PostgreSQL: skipped (give --postgres URL or WARDEN_BENCH_POSTGRES_URL)")
    }
}

private func backtestRun(url: String, label: String, packPath: String, logs: Int) async {
    do {
        let database = try await DatabaseOpener.open(url: url)
        let (pack, _) = try RulePackDirectory.load(packPath)
        let app = try WardenApp(database: database, configuration: WardenApp.Configuration(defaultPack: pack))
        // A guild of its own per run, so a reused PostgreSQL database does not mix runs.
        let guild = Int64(1_100_000_000_000_000_000 + Int64.random(in: 10_000...99_999))
        _ = try await app.rules.list(guild: guild)
        let corpus = Corpus.generate(count: logs, seed: 16)
        let seeding = ContinuousClock.now
        for start in stride(from: 0, to: corpus.count, by: 2_000) {
            let slice = corpus[start..<min(corpus.count, start + 2_000)]
            try await database.transaction { conn in
                for (offset, message) in slice.enumerated() {
                    let i = start + offset
                    let id = try AutomodRepository.insertLog(on: conn, AutomodLogEntry(
                        guildID: guild, userID: message.author.id.int64, messageID: message.id.int64, channelID: message.channelID.int64,
                        ruleID: nil, actionTaken: "delete_message", messageContent: message.content, contextJSON: "{}", evidenceJSON: "[]",
                        timestamp: message.timestamp, violationAt: message.timestamp))
                    let appeal = i % 40 == 0 ? "approved" : i % 60 == 0 ? "denied" : nil
                    if let appeal { try AppealRepository.setLogAppealStatus(on: conn, guild: guild, log: id, status: appeal) }
                }
            }
        }
        let seeded = Double(nanos(ContinuousClock.now - seeding)) / 1e9
        // As autovacuum would soon after a bulk load: with no statistics PostgreSQL plans each page as a bitmap
        // scan of every older row of the guild plus a sort (about 25 ms a page here instead of 0.2 ms).
        if database.dialect == .postgres { try await database.transaction { conn in _ = try conn.execute("ANALYZE automod_logs", []) } }
        let rule = #"{"name": "bench-words", "type": "content", "keywords": ["server", "tonight", "lag*", "ranked"], "action": {"type": "warn", "severity": 1}}"#
        let change = RuleChange.put([try RuleDesk.rule(from: .json(Array(rule.utf8)), source: "bench")])
        // Linux: restart the peak resident count here, so the peak printed is the backtest's, not the seeding's.
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let before = residentMemoryMiB()
        let started = ContinuousClock.now
        let report = try await app.rules.backtest(guild: guild, change: change)
        let seconds = Double(nanos(ContinuousClock.now - started)) / 1e9
        let after = residentMemoryMiB()
        print("Rule backtest, \(label): \(logs) logs seeded in \(String(format: "%.1f", seeded)) s")
        print(String(format: "  backtest: %.2f s (%.1f µs a log), replayed %d logs, complete %@", seconds,
                     seconds * 1e6 / Double(max(1, report.replayed.logs)), report.replayed.logs, report.complete ? "yes" : "no"))
        print("  newly flagged \(report.newlyFlagged.count) (appeals approved \(report.newlyFlagged.appeals.approved), denied \(report.newlyFlagged.appeals.denied)); "
              + "no longer flagged \(report.noLongerFlagged.count); flagged before \(report.flaggedBefore), after \(report.flaggedAfter)")
        if let before, let after {
            print(String(format: "  resident memory: %.0f MiB before, %.0f MiB after, peak %.0f MiB", before.current, after.current, after.peak))
        }
        for note in report.notes where !report.complete { print("  note: \(note)") }
        await database.close()
    } catch {
        print("Rule backtest, \(label): failed: \(error)")
    }
}
