import Foundation
import Logging
import Synchronization
import WardenLLM
import WardenStore

/// What `GET /health` reports: the store answers, the LLM circuit's state, uptime. The route is open to
/// anyone, so a check is reused for a second (a flood of calls costs at most one store query a second)
/// and written to `health_check_history` (kept 30 days) at most once a minute. Store errors go to the
/// log, not to the caller.
public final class HealthMonitor: Sendable {
    public let database: any Database
    public let llm: LLMClient?
    public let started: ContinuousClock.Instant
    public let version: String
    let clock: @Sendable () -> Date
    let logger: Logger
    public static let retention: TimeInterval = 30 * 86_400
    /// How long a check answers for.
    public static let reuse: Duration = .seconds(1)
    /// How often a check is written to the history.
    public static let recordEvery: Duration = .seconds(60)

    private struct State {
        var last: (report: Report, at: ContinuousClock.Instant)?
        var recorded: ContinuousClock.Instant?
    }
    private let state = Mutex(State())

    public init(database: any Database, llm: LLMClient?, version: String, logger: Logger = Logger(label: "warden.health"),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.llm = llm; self.version = version; self.clock = clock; self.logger = logger
        started = .now
    }

    public struct Report: Encodable, Sendable {
        public let status: String
        public let database: String
        public let llm: String
        public let uptimeSeconds: Int64
        public let version: String
    }

    /// The latest check, made now if the last one is older than ``reuse``.
    public func check() async -> Report {
        let now = ContinuousClock.now
        if let last = state.withLock({ $0.last }), now - last.at < Self.reuse { return last.report }
        let uptime = (now - started).components.seconds
        let llmStatus = llm.map { "\($0.circuitState)" } ?? "off"
        let record = state.withLock { state -> Bool in
            guard state.recorded.map({ now - $0 >= Self.recordEvery }) ?? true else { return false }
            state.recorded = now
            return true
        }
        let wallClock = clock()
        let history = HealthRepository.Check(service: "warden", version: version, uptimeSeconds: uptime, databaseStatus: "ok",
                                             llmStatus: llmStatus, databasePoolSize: nil)
        var healthy = true
        do {
            try await database.transaction { conn in
                if record {
                    try HealthRepository.record(on: conn, history, at: wallClock)
                    try HealthRepository.prune(on: conn, before: wallClock.addingTimeInterval(-Self.retention))
                } else {
                    _ = try conn.queryFirst("SELECT 1 AS n", [])
                }
            }
        } catch {
            healthy = false
            logger.error("health check: the store failed", metadata: ["error": "\(StoreLogging.summary(error))"])
        }
        let report = Report(status: healthy ? (llmStatus == "open" ? "degraded" : "ok") : "down",
                            database: healthy ? "ok" : "unavailable", llm: llmStatus, uptimeSeconds: uptime, version: version)
        state.withLock { $0.last = (report, now) }
        return report
    }
}

/// What of an error may go into a log: store errors keep their statement's first words and SQLSTATE but
/// not the server's message, which can quote the values (message text) it refused.
enum StoreLogging {
    static func summary(_ error: any Error) -> String {
        guard let store = error as? StoreError else { return "\(type(of: error)): \(error)" }
        switch store {
        case .statement(let sql, _, let state):
            let head = sql.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(4).joined(separator: " ")
            return "statement failed (SQLSTATE \(state ?? "none")): \(head) ..."
        default:
            return "\(store)"
        }
    }
}
