import Foundation
import Synchronization
import WardenApp
import WardenCore
import WardenLLM
import WardenLLMTestServer
import WardenPipeline
import WardenStore

// The LLM stage against the test server at a fixed model latency: how many messages one process
// sustains, and what the load does to the deterministic stages running beside it.
//   --llm-messages N      messages per LLM run (default 4000; 0 skips)
//   --llm-latency MS      the model's answer time (default 300)
//   --llm-concurrency N   calls in flight at once (default 512)

let llmMessages = Int(option("--llm-messages", "4000") ?? "") ?? 4000
let llmLatency = Int(option("--llm-latency", "300") ?? "") ?? 300
let llmConcurrency = Int(option("--llm-concurrency", "512") ?? "") ?? 512

func millis(_ d: Duration) -> Double { Double(nanos(d)) / 1e6 }

/// Messages nothing cheaper blocks, each by its own member (no one runs out of quota).
func llmCorpus(_ count: Int, seed: UInt64) -> [DiscordMessage] {
    let texts = ["anyone up for a raid tonight?", "the patch notes are out, the new map looks great",
                 "can someone help me with the quest in chapter 3", "gg everyone, that was close",
                 "honestly just kys already", "i want to die, nothing matters anymore", "buy followers cheap, dm me"]
    return (0..<count).map { i in
        DiscordMessage(id: Snowflake(seed * 10_000_000 + UInt64(i) + 1), guildID: Snowflake(1_100_000_000_000_000_001),
                       channelID: Snowflake(7), author: .init(id: Snowflake(2_000_000 + UInt64(i)), username: "member\(i)"),
                       content: texts[i % texts.count] + " #\(i)", timestamp: Date())
    }
}

/// Analyses every message at once (the client's concurrency limit queues them); the rate and call latencies.
func analyzerRun(_ analyzer: AutomodAnalyzer, _ messages: [DiscordMessage]) async -> (rate: Double, p50: Double, p99: Double, failed: Int) {
    let clock = ContinuousClock()
    let started = clock.now
    let latencies = await withTaskGroup(of: Double?.self) { group in
        for m in messages {
            group.addTask {
                let t0 = clock.now
                do { _ = try await analyzer.analyze(m); return millis(clock.now - t0) } catch { return nil }
            }
        }
        var all: [Double?] = []
        for await latency in group { all.append(latency) }
        return all
    }
    let total = clock.now - started
    let ok = latencies.compactMap { $0 }.sorted()
    func pct(_ p: Double) -> Double { ok.isEmpty ? 0 : ok[min(ok.count - 1, Int(Double(ok.count) * p))] }
    return (Double(messages.count) / (Double(nanos(total)) / 1e9), pct(0.5), pct(0.99), latencies.count - ok.count)
}

/// Feeds `batches` through the pipeline from `feeders` concurrent callers; decided, judged in time, batch times.
func pipelineRun(_ pipeline: MessagePipeline, _ batches: [[DiscordMessage]], feeders: Int) async throws -> (Int, Int, [Double]) {
    let clock = ContinuousClock()
    return try await withThrowingTaskGroup(of: (Int, Int, [Double]).self) { group in
        for f in 0..<feeders {
            group.addTask {
                var decided = 0, done = 0
                var times: [Double] = []
                for b in stride(from: f, to: batches.count, by: feeders) {
                    let t0 = clock.now
                    let results = try await pipeline.process(batches[b])
                    times.append(millis(clock.now - t0))
                    decided += results.count
                    done += results.filter { $0.decision.stages["llm"] == "done" }.count
                }
                return (decided, done, times)
            }
        }
        var total = (0, 0, [Double]())
        for try await part in group { total.0 += part.0; total.1 += part.1; total.2 += part.2 }
        return total
    }
}

/// Set once by the main thread to stop a paced load.
final class StopFlag: Sendable {
    private let flag = Mutex(false)
    func stop() { flag.withLock { $0 = true } }
    var stopped: Bool { flag.withLock { $0 } }
}

/// Starts `perSecond` analyses a second until stopped; returns how many completed and the rate achieved.
func pacedRun(_ analyzer: AutomodAnalyzer, perSecond: Int, stop: StopFlag) async -> (completed: Int, rate: Double) {
    let clock = ContinuousClock()
    let started = clock.now
    let interval = Duration.nanoseconds(1_000_000_000 / perSecond)
    let messages = llmCorpus(50_000, seed: 5)
    return await withTaskGroup(of: Bool.self) { group in
        var next = started
        var sent = 0
        while !stop.stopped && sent < messages.count {
            let message = messages[sent]
            group.addTask { (try? await analyzer.analyze(message)) != nil }
            sent += 1
            next += interval
            try? await Task.sleep(until: next, clock: .continuous)
        }
        let elapsed = Double(nanos(clock.now - started)) / 1e9
        var completed = 0
        for await ok in group where ok { completed += 1 }
        return (completed, Double(sent) / elapsed)
    }
}

@MainActor func llmBench(staged: Double) async {
    guard llmMessages > 0 else { return }
    print("LLM stage against the test server (model latency \(llmLatency) ms, \(llmConcurrency) calls in flight at most):")
    do {
        let server = try await FakeLLMServer.start()
        let latency = llmLatency
        server.setFallback { request in .delayed(.milliseconds(latency), FakeLLMServer.automodModel(request)) }
        var config = LLMConfiguration(baseURL: server.baseURL, defaultModel: "bench", requestTimeout: .seconds(30),
                                      callDeadline: .seconds(60), concurrency: llmConcurrency)
        config.retry = RetryPolicy(maxAttempts: 2)
        let client = LLMClient(configuration: config)
        let analyzer = AutomodAnalyzer(client: client, template: try PromptTemplate.load(from: "prompts", name: "automod"))

        // 1. The analyzer alone: the client's ceiling.
        _ = await analyzerRun(analyzer, llmCorpus(200, seed: 1))   // warm-up: connections, JIT of JSON paths
        let alone = await analyzerRun(analyzer, llmCorpus(llmMessages, seed: 2))
        print(String(format: "  %-34@ %10.0f msg/s   call p50 %.0f ms, p99 %.0f ms   (%d failed)",
                     "client + analyzer" as NSString, alone.rate, alone.p50, alone.p99, alone.failed))

        // 2. The whole pipeline on SQLite: quota, LLM, decision and log, 16 feeders with batches of 64.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-llm-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await DatabaseOpener.open(url: "sqlite:" + directory.appendingPathComponent("bench.sqlite").path)
        let guild: Int64 = 1_100_000_000_000_000_001
        let settings = SettingsRepository(database: database)
        try await settings.set(guild: guild, scope: GuildPolicy.scope, key: "llm_deadline_ms", valueJSON: "5000", valueType: nil, by: nil)
        let pack = try RulePackDirectory.load(packPath).rules
        // The app builds its own client from the same configuration (the analyzer above is the client's ceiling).
        let pipeline = try WardenApp(database: database, configuration: WardenApp.Configuration(defaultPack: pack, llm: config)).pipeline
        let corpus = llmCorpus(llmMessages, seed: 3)
        let feeders = 16, batchSize = 64
        let batches = stride(from: 0, to: corpus.count, by: batchSize).map { Array(corpus[$0..<min($0 + batchSize, corpus.count)]) }
        let clock = ContinuousClock()
        let started = clock.now
        let (decided, llmDone, batchTimes) = try await pipelineRun(pipeline, batches, feeders: feeders)
        let seconds = Double(nanos(clock.now - started)) / 1e9
        let sortedTimes = batchTimes.sorted()
        print(String(format: "  %-34@ %10.0f msg/s   batch of %d: p50 %.0f ms, p99 %.0f ms   (%d of %d judged in time)",
                     "pipeline on SQLite (16 feeders)" as NSString, Double(decided) / seconds, batchSize,
                     sortedTimes.isEmpty ? 0 : sortedTimes[sortedTimes.count / 2],
                     sortedTimes.isEmpty ? 0 : sortedTimes[min(sortedTimes.count - 1, Int(Double(sortedTimes.count) * 0.99))],
                     llmDone, decided))
        await database.close()

        // 3. The deterministic stages on this thread while LLM calls run beside them: first a steady load
        //    (a busy guild's share of messages that reach the model), then the client flat out. The test
        //    server runs in this process, so its CPU counts against the same two cores.
        let stop = StopFlag()
        let steady = Task.detached { await pacedRun(analyzer, perSecond: 200, stop: stop) }
        try await Task.sleep(for: .milliseconds(500))
        let besideSteady = report("in-memory, 200 LLM msg/s beside", inMemoryPass(MessageEvaluator()))
        stop.stop()
        let steadyResult = await steady.value
        let load = Task.detached { await analyzerRun(analyzer, llmCorpus(llmMessages * 3, seed: 4)) }
        try await Task.sleep(for: .milliseconds(300))
        let besideFull = report("in-memory, LLM client flat out", inMemoryPass(MessageEvaluator()))
        let background = await load.value
        print(String(format: "  deterministic stages: %.0f msg/s alone; %.0f (%.0f%%) beside a steady %.0f LLM msg/s (%d answered); %.0f (%.0f%%) beside %.0f LLM msg/s flat out",
                     staged, besideSteady, besideSteady / staged * 100, steadyResult.rate, steadyResult.completed,
                     besideFull, besideFull / staged * 100, background.rate))
        print("  LLM client: \(client.statistics.calls) calls, \(client.statistics.retries) retries, \(client.statistics.failures) failures")
        try await server.shutdown()
    } catch {
        print("  LLM stage: failed: \(error)")
    }
}
