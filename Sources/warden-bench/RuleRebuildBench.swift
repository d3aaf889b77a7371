import Foundation
import WardenApp
import WardenCore
import Synchronization
import WardenPipeline
import WardenStore

// `warden-bench --rule-rebuild`: issue 11's F7 as a measurement. Guild A holds a 17,000-keyword rule; a
// 100,000-keyword rule is PUT into it while messages to guild A and to guild B are judged every 5 ms
// (each on its own task, as the HTTP server runs them). Reports how long the PUT took and the latency of
// each guild's messages while it ran: before compiles moved off the message path, both guilds' messages
// waited for the whole compile.

func ruleRebuildBench(packPath: String) async {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-rebuild-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    do {
        let database = try await DatabaseOpener.open(url: "sqlite:" + directory.appendingPathComponent("rebuild.sqlite").path)
        let (pack, _) = try RulePackDirectory.load(packPath)
        let app = try WardenApp(database: database, configuration: WardenApp.Configuration(defaultPack: pack))
        let guildA = Snowflake(1_100_000_000_000_000_001), guildB = Snowflake(1_100_000_000_000_000_002)
        func rule(_ name: String, _ count: Int) -> RuleBody {
            let words = (0..<count).map { "\"\(name)\($0)kw\"" }.joined(separator: ",")
            return .json(Array(#"{"name": "\#(name)", "type": "content", "keywords": [\#(words)]}"#.utf8))
        }
        _ = try await app.rules.put(guild: guildA.int64, name: "medium", body: rule("medium", 17_000), by: nil)
        _ = try await app.guilds.context(for: guildB)

        let base = UInt64(Date().timeIntervalSince1970 * 1000) * 1_000_000
        let counter = Counter()
        func message(_ guild: Snowflake) -> DiscordMessage {
            DiscordMessage(id: Snowflake(base + counter.next()), guildID: guild, channelID: Snowflake(7),
                           author: .init(id: Snowflake(42), username: "bench"), content: "hello there, anyone around?", timestamp: Date())
        }
        func judge(_ guild: Snowflake) async -> UInt64 {
            let started = ContinuousClock.now
            _ = try? await app.pipeline.process(message(guild))
            return nanos(ContinuousClock.now - started)
        }
        // Before: both guilds' ordinary latency.
        var quietA: [UInt64] = [], quietB: [UInt64] = []
        for _ in 0..<50 { quietA.append(await judge(guildA)); quietB.append(await judge(guildB)) }

        let clock = ContinuousClock()
        let putStarted = clock.now
        let finished = Flag()
        let put = Task {
            defer { finished.set() }
            return try await app.rules.put(guild: guildA.int64, name: "large", body: rule("large", 100_000), by: nil)
        }
        var duringA: [UInt64] = [], duringB: [UInt64] = []
        // Bounded by count: at most 2,000 rounds of 5 ms, far past the PUT's few seconds.
        for _ in 0..<2_000 {
            async let a = judge(guildA)
            async let b = judge(guildB)
            duringA.append(await a); duringB.append(await b)
            if finished.isSet { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        _ = try await put.value
        let putSeconds = Double(nanos(clock.now - putStarted)) / 1e9
        func line(_ label: String, _ values: [UInt64]) -> String {
            let sorted = values.sorted()
            return String(format: "%@: %d messages, p50 %.2f ms, p99 %.2f ms, max %.2f ms", label, sorted.count,
                          percentile(sorted, 0.5) / 1000, percentile(sorted, 0.99) / 1000, Double(sorted.last ?? 0) / 1e6)
        }
        print("rule rebuild: PUT of a 100,000-keyword rule into a guild holding 17,000 keywords took \(String(format: "%.2f", putSeconds)) s")
        print("  before   " + line("guild A", quietA) + "; " + line("guild B", quietB))
        print("  during   " + line("guild A", duringA) + "; " + line("guild B", duringB))
        let hasLarge = try await app.guilds.context(for: guildA).rules.rules.contains { $0.name == "large" }
        print("  after    guild A judges with the new rule: \(hasLarge)")
        await database.close()
    } catch {
        print("rule rebuild: failed: \(error)")
    }
}

/// Message ids unique within the run.
final class Counter: Sendable {
    private let value = Mutex<UInt64>(0)
    func next() -> UInt64 { value.withLock { $0 += 1; return $0 } }
}

/// Set once, read from another task.
final class Flag: Sendable {
    private let value = Mutex<Bool>(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
