import Foundation
import Hummingbird
import WardenLLM
import WardenStore

/// The public operations routes: `/health`, `/metrics` (Prometheus text) and `/openapi.json`.
struct OperationsRoutes {
    let health: HealthMonitor
    let metrics: ServiceMetrics
    let intake: MessageIntake
    let database: any Database
    let llm: LLMClient?

    func register(on router: Router<WardenRequestContext>) {
        router.get("health") { _, _ in
            let report = await health.check()
            return try JSONBodies.response(report, status: report.status == "down" ? .serviceUnavailable : .ok)
        }
        router.get("metrics") { _, _ in
            var text = metrics.registry.emitToString()
            text += try await scraped()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("openapi.json") { _, _ in
            JSONBodies.raw(try OpenAPIDocument.text())
        }
    }

    /// Values owned elsewhere, read at scrape time.
    private func scraped() async throws -> String {
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for sample in samples { lines.append("\(name)\(sample.labels) \(sample.value)") }
        }
        metric("warden_intake_waiting", "gauge", "Messages queued for the next commit.", [("", Double(intake.depth))])
        if let llm {
            let stats = llm.statistics
            metric("warden_llm_calls_total", "counter", "LLM calls started.", [("", Double(stats.calls))])
            metric("warden_llm_retries_total", "counter", "LLM call attempts retried.", [("", Double(stats.retries))])
            metric("warden_llm_failures_total", "counter", "LLM calls that failed after their retries.", [("", Double(stats.failures))])
            metric("warden_llm_waiting", "gauge", "LLM calls waiting for a free slot.", [("", Double(llm.queued))])
            metric("warden_llm_circuit_open", "gauge", "1 while the LLM circuit breaker is open.", [("", "\(llm.circuitState)" == "open" ? 1 : 0)])
        }
        let depths = try await database.transaction { conn in
            try conn.query("SELECT kind, status, COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running') GROUP BY kind, status", [])
                .map { (try $0.string("kind"), try $0.string("status"), try $0.int("n")) }
        }
        metric("warden_jobs", "gauge", "Durable jobs waiting or running, by kind.",
               depths.map { (#"{kind="\#($0.0)",status="\#($0.1)"}"#, Double($0.2)) })
        return lines.joined(separator: "\n") + "\n"
    }
}
