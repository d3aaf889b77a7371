import Foundation
import WardenLLM
import WardenStore

/// What `GET /health` reports: the store answers, the LLM circuit's state, uptime. Each check is written
/// to `health_check_history`, which keeps 30 days.
public struct HealthMonitor: Sendable {
    public let database: any Database
    public let llm: LLMClient?
    public let started: ContinuousClock.Instant
    public let version: String
    let clock: @Sendable () -> Date
    public static let retention: TimeInterval = 30 * 86_400

    public init(database: any Database, llm: LLMClient?, version: String, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.llm = llm; self.version = version; self.clock = clock
        started = .now
    }

    public struct Report: Encodable, Sendable {
        public let status: String
        public let database: String
        public let llm: String
        public let uptimeSeconds: Int64
        public let version: String
    }

    /// Runs a check and records it (when the store is up).
    public func check() async -> Report {
        let uptime = (ContinuousClock.now - started).components.seconds
        let llmStatus = llm.map { "\($0.circuitState)" } ?? "off"
        let now = clock()
        let record = HealthRepository.Check(service: "warden", version: version, uptimeSeconds: uptime, databaseStatus: "ok",
                                            llmStatus: llmStatus, databasePoolSize: nil)
        let databaseStatus: String
        do {
            try await database.transaction { conn in
                try HealthRepository.record(on: conn, record, at: now)
                try HealthRepository.prune(on: conn, before: now.addingTimeInterval(-Self.retention))
            }
            databaseStatus = "ok"
        } catch {
            databaseStatus = "error: \(error)"
        }
        let healthy = databaseStatus == "ok"
        return Report(status: healthy ? (llmStatus == "open" ? "degraded" : "ok") : "down",
                      database: databaseStatus, llm: llmStatus, uptimeSeconds: uptime, version: version)
    }
}
