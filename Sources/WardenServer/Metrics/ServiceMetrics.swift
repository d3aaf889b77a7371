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
        messages = registry.makeCounter(name: "warden_messages_total", help: "Messages judged (new and re-delivered).")
        replayed = registry.makeCounter(name: "warden_messages_replayed_total", help: "Re-delivered messages answered with their first decision.")
        let registry = self.registry
        decisions = Dictionary(uniqueKeysWithValues: [Verdict.allow, .flag, .block].map { verdict in
            (verdict, registry.makeCounter(name: "warden_decisions_total", labels: [("verdict", verdict.rawValue)], help: "Decisions by verdict."))
        })
        quotaDenials = registry.makeCounter(name: "warden_llm_quota_denials_total", help: "LLM stages skipped because the member's daily quota was used up.")
        rejectedMessages = registry.makeCounter(name: "warden_messages_rejected_total", help: "Messages refused at ingest (bad JSON, bad fields, too long).")
        evaluation = registry.makeDurationHistogram(name: "warden_stage_duration_seconds", labels: [("stage", "evaluate")],
                                                    buckets: Self.stageBuckets, help: "Time per pipeline stage.")
        commit = registry.makeDurationHistogram(name: "warden_stage_duration_seconds", labels: [("stage", "persist")],
                                                buckets: Self.stageBuckets, help: "Time per pipeline stage.")
        queueWait = registry.makeDurationHistogram(name: "warden_stage_duration_seconds", labels: [("stage", "queue")],
                                                   buckets: Self.stageBuckets, help: "Time per pipeline stage.")
        batchSize = registry.makeValueHistogram(name: "warden_commit_batch_messages", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
                                                help: "Messages committed per transaction.")
        messageRequests = registry.makeDurationHistogram(name: "warden_http_request_duration_seconds",
                                                         labels: [("route", "/v1/messages"), ("status", "200")],
                                                         buckets: Self.requestBuckets, help: "HTTP request duration by route and status.")
        requestsInFlight = registry.makeGauge(name: "warden_http_requests_in_flight", help: "Requests being answered now (this scrape included).")
        intakeDepth = registry.makeGauge(name: "warden_intake_queue_depth", help: "Messages waiting for the next commit.")
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
        registry.makeDurationHistogram(name: "warden_http_request_duration_seconds",
                                       labels: [("route", route), ("status", String(status))],
                                       buckets: Self.requestBuckets, help: "HTTP request duration by route and status.")
    }
}
