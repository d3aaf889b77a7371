import Foundation
import WardenApp
import WardenCore
import WardenPipeline
import WardenStore

// Release-mode benchmark of the message pipeline: `swift run -c release warden-bench [options]`.
//   --messages N      corpus size for the in-memory stages (default 100000)
//   --rules DIR       the default pack (default rules); generated rules fill the pack up to --rule-count
//   --rule-count N    rules in the pack (default 300)
//   --persist N       messages for the end-to-end runs with persistence (default 20000; 0 skips them)
//   --postgres URL    also run end to end on PostgreSQL (default: $WARDEN_BENCH_POSTGRES_URL)
//   --http            run only the HTTP load test (HTTPLoadBench.swift): --http-messages N (100000),
//                     --connections N (32); SQLite, then PostgreSQL when --postgres is given
//   --clustering      run only the ticket clustering benchmark (ClusteringBench.swift), which the
//                     default run also ends with; --clustering-sizes A,B (default 10000,100000)
//   --rule-rebuild    run only the rule rebuild measurement (RuleRebuildBench.swift): message latency in two
//                     guilds while one of them compiles a 100,000-keyword rule
//   --quality         run only the matching-quality evaluation (QualityBench.swift) over --corpus FILE and
//                     --words FILE (scripts/quality/corpus.py writes both; scripts/quality.sh runs it all),
//                     with the peers when --peer-python PATH is given; --check exits 2 below the targets;
//                     --show-misses N prints N misses of each class
//   --console         run only the console page measurement (ConsoleBench.swift): --console-logs N logs (default
//                     100000) and --console-appeals N appeals (default 10000) in one guild, every page fetched
//                     --console-repeats N times (default 20); SQLite, then PostgreSQL with --postgres
//   --backtest        run only the rule backtest measurement (BacktestBench.swift): --backtest-logs N logs
//                     (default 100000) in one guild, a new content rule backtested over them; SQLite, then
//                     PostgreSQL when --postgres is given
//   --views TEXT      print every normalized view of TEXT and exit
//   --in-memory       run only parse + normalize + content + spam once over the --messages corpus and exit:
//                     no warm-up, servers, stores or clustering, for `valgrind --tool=callgrind`

func option(_ name: String, _ fallback: String?) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return fallback }
    return args[i + 1]
}

func percentile(_ sorted: [UInt64], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1_000
}

func nanos(_ d: Duration) -> UInt64 { UInt64(d.components.seconds) * 1_000_000_000 + UInt64(d.components.attoseconds / 1_000_000_000) }

func fail(_ text: String) -> Never {
    FileHandle.standardError.write(Data("warden-bench: \(text)\n".utf8))
    exit(2)
}

let messageCount = Int(option("--messages", "100000") ?? "") ?? 100_000
let ruleCount = Int(option("--rule-count", "300") ?? "") ?? 300
let persistCount = Int(option("--persist", "20000") ?? "") ?? 20_000
let postgresURL = option("--postgres", ProcessInfo.processInfo.environment["WARDEN_BENCH_POSTGRES_URL"])

#if DEBUG
print("note: this is a debug build; measure with `swift run -c release warden-bench`")
#endif

if let text = option("--views", nil) {
    // Every view of one text, for working out why a rule does or does not match.
    let normalized = Normalizer().normalize(text, views: ViewSet(ViewKind.allCases))
    for kind in ViewKind.allCases {
        print("\(kind.rawValue)\t\(String(decoding: normalized.view(kind)?.bytes ?? [], as: UTF8.self).debugDescription)")
    }
    exit(0)
}

if CommandLine.arguments.contains("--quality") {
    qualityBench()
    exit(0)
}

if CommandLine.arguments.contains("--clustering") {
    clusteringBench()
    exit(0)
}

if CommandLine.arguments.contains("--backtest") {
    await backtestBench(packPath: option("--rules", "rules") ?? "rules", logs: Int(option("--backtest-logs", "100000") ?? "") ?? 100_000,
                        postgres: postgresURL)
    exit(0)
}

if CommandLine.arguments.contains("--console") {
    await consoleBench(packPath: option("--rules", "rules") ?? "rules", logs: Int(option("--console-logs", "100000") ?? "") ?? 100_000,
                       appeals: Int(option("--console-appeals", "10000") ?? "") ?? 10_000, repeats: Int(option("--console-repeats", "20") ?? "") ?? 20,
                       postgres: postgresURL)
    exit(0)
}

if CommandLine.arguments.contains("--rule-rebuild") {
    await ruleRebuildBench(packPath: option("--rules", "rules") ?? "rules")
    exit(0)
}

if CommandLine.arguments.contains("--http") {
    let count = Int(option("--http-messages", "100000") ?? "") ?? 100_000
    let connections = Int(option("--connections", "32") ?? "") ?? 32
    let pack = option("--rules", "rules") ?? "rules"
    print("HTTP load test: POST /v1/messages on loopback, \(connections) keep-alive clients, default rules")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-http-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    await httpLoadBench(url: "sqlite:" + directory.appendingPathComponent("http.sqlite").path, label: "SQLite", count: count,
                        connections: connections, packPath: pack)
    try? FileManager.default.removeItem(at: directory)
    if let postgresURL {
        await httpLoadBench(url: postgresURL, label: "PostgreSQL", count: count, connections: connections, packPath: pack)
    } else {
        print("  PostgreSQL: skipped (give --postgres URL or WARDEN_BENCH_POSTGRES_URL)")
    }
    exit(0)
}

let packPath = option("--rules", "rules") ?? "rules"
let loaded: (rules: [PackRule], issues: [RuleIssue])
do { loaded = try RulePackDirectory.load(packPath) } catch { fail("\(error)") }
let definitions = Corpus.rulePack(defaultPack: loaded.rules.map(\.definition), total: ruleCount)
let ruleSet = CompiledRuleSet(rules: definitions.enumerated().map { RuleSource(id: Int64($0.offset + 1), definition: $0.element) })
let corpus = Corpus.generate(count: messageCount)
let encoder = JSONEncoder()
let payloads: [Data]
do { payloads = try corpus.map { try encoder.encode($0) } } catch { fail("encoding corpus: \(error)") }
let averageBytes = payloads.reduce(0) { $0 + $1.count } / max(1, payloads.count)
let averageText = corpus.reduce(0) { $0 + $1.content.utf8.count } / max(1, corpus.count)

print("Warden benchmark: \(messageCount) messages (avg \(averageBytes) B of JSON, \(averageText) B of text), " +
      "\(ruleSet.rules.count) rules (\(ruleSet.patternCount) regex patterns, \(ruleSet.alwaysRunPatternCount) without a literal), one thread")

let decoder = MessageDecoder()
let scratch = RegexScratch.current
let policy = GuildPolicy()
let now = Date()

if CommandLine.arguments.contains("--in-memory") {
    // One pass, nothing else, so an instruction count measures the stages alone. The corpus is seeded,
    // so the counts line is the same on every run (and a change in it means the stages changed).
    let evaluator = MessageEvaluator()
    // Build the lookup tables (confusables, NFKC) outside the functions callgrind collects: once per
    // process, they are start-up cost, not per-message cost.
    _ = Normalizer().normalize("Ⅰ ᴀ 𝐀 é ͺ x₽x", views: ViewSet(ViewKind.allCases))
    var evaluated = 0, matched = 0, matches = 0
    let clock = ContinuousClock()
    let started = clock.now
    for payload in payloads {
        guard let message = try? decoder.decode(payload) else { continue }
        let found = evaluator.evaluate(message, rules: ruleSet, policy: policy, scratch: scratch).matches.count
        evaluated += 1; matches += found; matched += found > 0 ? 1 : 0
    }
    let seconds = Double(nanos(clock.now - started)) / 1e9
    print("in-memory stages: \(evaluated) messages evaluated, \(matched) with a match, \(matches) matches")
    print(String(format: "in-memory stages: %.0f msg/s (one pass, no warm-up)", Double(evaluated) / max(seconds, 1e-9)))
    exit(0)
}

let naive: NaiveEvaluator
do { naive = try NaiveEvaluator(definitions) } catch { fail("naive baseline: \(error)") }

/// One pass of the in-memory stages over the corpus; returns sorted per-message latencies and the total time.
@MainActor func inMemoryPass(_ evaluator: MessageEvaluator, naiveRules: NaiveEvaluator? = nil) -> (latencies: [UInt64], total: Duration, blocked: Int) {
    var latencies = [UInt64](repeating: 0, count: payloads.count)
    var blocked = 0
    let clock = ContinuousClock()
    let started = clock.now
    for (i, payload) in payloads.enumerated() {
        let t0 = clock.now
        guard let message = try? decoder.decode(payload) else { continue }
        if let naiveRules {
            // Baseline: same ingest, normalization and spam windows; every rule run one by one.
            let text = evaluator.normalizer.normalize(message.content, views: naiveRules.views)
            if naiveRules.matchCount(text, scratch: scratch) > 0 { blocked += 1 }
            _ = evaluator.spam.observe(MessageEvaluator.benchmarkSignals(message, text), rules: ruleSet.spamRules)
        } else {
            let evaluation = evaluator.evaluate(message, rules: ruleSet, policy: policy, scratch: scratch)
            let decision = Decider.decide(message: message, matches: evaluation.matches, failures: evaluation.failures,
                                          escalation: nil, step: nil, policy: policy, now: now)
            if decision.verdict == .block { blocked += 1 }
        }
        latencies[i] = nanos(clock.now - t0)
    }
    let total = clock.now - started
    latencies.sort()
    return (latencies, total, blocked)
}

@MainActor func report(_ name: String, _ r: (latencies: [UInt64], total: Duration, blocked: Int)) -> Double {
    let seconds = Double(nanos(r.total)) / 1e9
    let rate = Double(payloads.count) / seconds
    print(String(format: "  %-34@ %10.0f msg/s   p50 %6.2f µs   p99 %6.2f µs   p99.9 %7.2f µs   (%d blocked)",
                 name as NSString, rate, percentile(r.latencies, 0.5), percentile(r.latencies, 0.99),
                 percentile(r.latencies, 0.999), r.blocked))
    return rate
}

// Stage costs on their own, for the README's breakdown.
do {
    let clock = ContinuousClock()
    let t = clock.now
    var decoded: [DiscordMessage] = []
    decoded.reserveCapacity(payloads.count)
    for p in payloads { if let m = try? decoder.decode(p) { decoded.append(m) } }
    let ingest = Double(nanos(clock.now - t)) / Double(payloads.count)
    // Each message through normalize, content and spam in turn, each timed on its own.
    let normalizer = Normalizer()
    let content = ContentStage()
    let tracker = SpamTracker()
    var normalizeNanos: UInt64 = 0, contentNanos: UInt64 = 0, spamNanos: UInt64 = 0
    var hits = 0
    for m in decoded {
        let t0 = clock.now
        let text = normalizer.normalize(m.content, views: ruleSet.views)
        let t1 = clock.now
        hits &+= content.evaluateEveryReading(text, channel: m.channelID, roles: m.roles, rules: ruleSet, scratch: scratch).matches.count
        let t2 = clock.now
        hits &+= tracker.observe(MessageEvaluator.benchmarkSignals(m, text), rules: ruleSet.spamRules).hits.count
        let t3 = clock.now
        normalizeNanos += nanos(t1 - t0); contentNanos += nanos(t2 - t1); spamNanos += nanos(t3 - t2)
    }
    let count = Double(max(1, decoded.count))
    let normalize = Double(normalizeNanos) / count, contentCost = Double(contentNanos) / count, spamCost = Double(spamNanos) / count
    print(String(format: "  stage costs per message: ingest (JSON decode) %.2f µs, normalize (all views) %.2f µs, content %.2f µs, spam %.2f µs",
                 ingest / 1000, normalize / 1000, contentCost / 1000, spamCost / 1000))
}

_ = inMemoryPass(MessageEvaluator(), naiveRules: nil)   // warm-up: caches, JIT stacks, page faults
let staged = report("in-memory stages (prefiltered)", inMemoryPass(MessageEvaluator()))
let baseline = report("naive loop (every rule, one by one)", inMemoryPass(MessageEvaluator(), naiveRules: naive))
print(String(format: "  prefiltered / naive: %.1fx", staged / baseline))

// End to end: decode, evaluate, decide and persist (batches of 256, one transaction each).
@MainActor func persistRun(_ label: String, url: String) async {
    guard persistCount > 0 else { return }
    do {
        let database = try await DatabaseOpener.open(url: url)
        let pack = definitions.map { PackRule(file: "bench", definition: $0) }
        let pipeline = try WardenApp(database: database, configuration: WardenApp.Configuration(defaultPack: pack)).pipeline
        let messages = Corpus.generate(count: persistCount, seed: UInt64(Date().timeIntervalSince1970))
            .enumerated().map { i, m in var m = m; m.id = Snowflake(m.id.rawValue + UInt64(Date().timeIntervalSince1970 * 1000) * 1000 + UInt64(i)); return m }
        let encoded = try messages.map { try encoder.encode($0) }
        _ = try await pipeline.guilds.context(for: Snowflake(1_100_000_000_000_000_001))
        let clock = ContinuousClock()
        let started = clock.now
        var blocked = 0
        var batchLatencies: [UInt64] = []
        for chunkStart in stride(from: 0, to: encoded.count, by: 256) {
            let t0 = clock.now
            let batch = encoded[chunkStart..<min(chunkStart + 256, encoded.count)].compactMap { try? decoder.decode($0) }
            let results = try await pipeline.process(batch)
            blocked += results.filter { $0.decision.verdict == Verdict.block }.count
            batchLatencies.append(nanos(clock.now - t0))
        }
        let seconds = Double(nanos(clock.now - started)) / 1e9
        batchLatencies.sort()
        print(String(format: "  %-34@ %10.0f msg/s   batch of 256: p50 %.1f ms, p99 %.1f ms   (%d blocked)", label as NSString,
                     Double(encoded.count) / seconds, percentile(batchLatencies, 0.5) / 1000, percentile(batchLatencies, 0.99) / 1000, blocked))
        await database.close()
    } catch {
        print("  \(label): failed: \(error)")
    }
}

print("end to end with persistence (\(persistCount) messages):")
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-bench-\(UUID().uuidString)")
try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
await persistRun("SQLite (WAL, file)", url: "sqlite:" + directory.appendingPathComponent("bench.sqlite").path)
try? FileManager.default.removeItem(at: directory)
if let postgresURL { await persistRun("PostgreSQL", url: postgresURL) } else { print("  PostgreSQL: skipped (give --postgres URL or WARDEN_BENCH_POSTGRES_URL)") }


await llmBench(staged: staged)

clusteringBench()
