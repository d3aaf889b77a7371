import Foundation
import Hummingbird
import WardenLLM
import WardenPipeline
import WardenStore
import WardenSupport

/// The public operations routes: `/health`, `/metrics` (Prometheus text) and `/openapi.json`.
struct OperationsRoutes {
    let health: HealthMonitor
    let metrics: ServiceMetrics
    let intake: MessageIntake
    let database: any Database
    let llm: LLMClient?
    let webhooks: WebhookDeliverer
    let deflection: FAQDeflectionDesk
    let clock: @Sendable () -> Date

    func register(on router: Router<WardenRequestContext>) {
        router.get("health") { _, _ in
            let report = await health.check()
            guard report.status == "down" else { return try JSONBodies.response(report) }
            // The same contract as every other route meeting a store that is down: 503 and when to look again.
            var response = try JSONBodies.response(report, status: .serviceUnavailable)
            response.headers[.retryAfter] = "1"
            return response
        }
        router.get("metrics") { _, _ in
            var text = metrics.registry.emitToString()
            text += try await ScrapedMetrics(intake: intake, database: database, llm: llm, webhooks: webhooks,
                                          deflection: deflection, clock: clock).text()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("openapi.json") { _, _ in
            JSONBodies.raw(try OpenAPIDocument.text())
        }
    }
}
