import Foundation
import Prometheus
import WardenCore
import WardenLLM
import WardenPipeline

/// The service's Prometheus metrics. Counters and histograms are updated on the request path (each
/// metric synchronises on its own, no lock is shared between them); values owned by other parts (LLM
/// client statistics, job queues) are read when `/metrics` is scraped.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    let messages: Counter
    let replayed: Counter
    let decisions: [Verdict: Counter]
    let quotaDenials: Counter
    let rejectedMessages: Counter
    let evaluation: DurationHistogram
    let commit: DurationHistogram
    let queueWait: DurationHistogram
    let batchSize: ValueHistogram
    let intakeDepth: Gauge
    let requestsInFlight: Gauge
    let messageRequests: DurationHistogram

    /// Sub-millisecond buckets: the pipeline's stages take microseconds, a commit a few milliseconds.
    static let stageBuckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]
    static let requestBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    public init() {
        registry = PrometheusCollectorRegistry()
        messages = registry.makeCounter(descriptor: Self.name("messages", "total", "Messages judged (new and re-delivered)."))
        replayed = registry.makeCounter(descriptor: Self.name("messages_replayed", "total", "Re-delivered messages answered with their first decision."))
        let registry = self.registry
        decisions = Dictionary(uniqueKeysWithValues: [Verdict.allow, .flag, .block].map { verdict in
            (verdict, registry.makeCounter(descriptor: Self.name("decisions", "total", "Decisions by verdict."), labels: [("verdict", verdict.rawValue)]))
        })
        quotaDenials = registry.makeCounter(descriptor: Self.name("llm_quota_denials", "total", "LLM stages skipped because the member's daily quota was used up."))
        rejectedMessages = registry.makeCounter(descriptor: Self.name("messages_rejected", "total", "Messages refused at ingest (bad JSON, bad fields, too long)."))
        evaluation = registry.makeDurationHistogram(descriptor: Self.name("stage_duration", "seconds", "Time per pipeline stage."), labels: [("stage", "evaluate")],
                                                    buckets: Self.stageBuckets)
        commit = registry.makeDurationHistogram(descriptor: Self.name("stage_duration", "seconds", "Time per pipeline stage."), labels: [("stage", "persist")],
                                                buckets: Self.stageBuckets)
        queueWait = registry.makeDurationHistogram(descriptor: Self.name("stage_duration", "seconds", "Time per pipeline stage."), labels: [("stage", "queue")],
                                                   buckets: Self.stageBuckets)
        batchSize = registry.makeValueHistogram(descriptor: Self.name("commit_batch", "messages", "Messages committed per transaction."),
                                                buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
        messageRequests = registry.makeDurationHistogram(descriptor: Self.name("http_request_duration", "seconds", "HTTP request duration by route and status."),
                                                         labels: [("route", "/v1/messages"), ("status", "200")],
                                                         buckets: Self.requestBuckets)
        requestsInFlight = registry.makeGauge(descriptor: Self.name("http_requests_in_flight", "", "Requests being answered now (this scrape included)."))
        intakeDepth = registry.makeGauge(descriptor: Self.name("intake_queue", "depth", "Messages waiting for the next commit."))
    }

    /// `warden_<metric>_<unit>`, with its help text.
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "warden", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts one judged message.
    func record(_ result: ProcessedMessage) {
        messages.increment()
        if result.replayed { replayed.increment() }
        decisions[result.decision.verdict]?.increment()
        if result.decision.stages["llm"]?.hasPrefix("skipped: the member's daily LLM quota") == true { quotaDenials.increment() }
        evaluation.recordNanoseconds(Int64(result.evaluationMillis * 1_000_000))
    }

    /// A request duration histogram per route, created on first use.
    func requestDuration(route: String, status: Int) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: Self.name("http_request_duration", "seconds", "HTTP request duration by route and status."),
                                       labels: [("route", route), ("status", String(status))],
                                       buckets: Self.requestBuckets)
    }
}
