import Logging
import ServiceLifecycle
import WardenPipeline

/// The webhook deliverer as a service of `warden serve`: sends the outbox until shutdown, then finishes the
/// deliveries in flight (so a restart sends none of them twice) and stops.
struct WebhookDelivery: Service {
    let deliverer: WebhookDeliverer
    let logger: Logger

    func run() async throws {
        let logger = self.logger
        await withGracefulShutdownHandler {
            await deliverer.run(
                report: { logger.error("webhook deliveries failed", metadata: ["error": "\($0)"]) },
                shouldStop: { Task.isShuttingDownGracefully || Task.isCancelled },
                rest: { pause in try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) } })
        } onGracefulShutdown: {
            // A stop can take up to a send's timeout: say why the process is still here.
            logger.info("webhook deliveries: stopping once the deliveries in flight are answered")
        }
    }
}
