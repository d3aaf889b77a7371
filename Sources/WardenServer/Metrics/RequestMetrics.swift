import Hummingbird

/// Counts requests in flight and times every request into `warden_http_request_duration_seconds{route,status}`. The route label is the
/// route's pattern (`/v1/guilds/{guild}/appeals`), never a concrete path, so label sets stay bounded.
struct RequestMetrics: RouterMiddleware {
    typealias Context = WardenRequestContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        metrics.requestsInFlight.increment()
        defer { metrics.requestsInFlight.decrement() }
        do {
            let response = try await next(request, context)
            record(context, status: Int(response.status.code), since: started)
            return response
        } catch {
            record(context, status: Int(ErrorMapping.map(error).status.code), since: started)
            throw error
        }
    }

    private func record(_ context: Context, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let route = context.endpointPath ?? "unmatched"
        // The bot's hot route has its histogram ready; others go through the registry's lookup.
        if status == 200 && route == "/v1/messages" { metrics.messageRequests.record(elapsed); return }
        metrics.requestDuration(route: route, status: status).record(elapsed)
    }
}
