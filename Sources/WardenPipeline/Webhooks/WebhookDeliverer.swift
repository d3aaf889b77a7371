import Foundation
import Synchronization
import WardenCore
import WardenLLM
import WardenStore

/// Sends the webhook outbox: leases due deliveries (the head of each endpoint-and-guild stream), POSTs each
/// as JSON with its signature, and records the outcome by ``WebhookRetryPolicy``. Any number of processes may
/// run one on the same store: leases keep them off each other's deliveries.
///
/// Exactly once, as far as HTTP allows: a delivery is marked delivered after its 2xx, in a transaction of its
/// own, fenced by its attempt number so a lease that ran out cannot record over the next holder's. A process
/// that dies between the two (or stalls past its lease: keep instances' clocks in sync, the lease's 120 s
/// leave 105 s beyond the send's timeout) means it is sent again with the same delivery id, so receivers drop
/// ids they have seen. A graceful stop finishes the deliveries in flight before it returns, so a restart
/// repeats none.
///
/// The request a receiver gets:
/// - `POST <url>`, body `{"id", "kind", "created_at", "payload", "guild_id", "delivery_id", "attempt"}`: the
///   event as `GET /v1/guilds/{g}/events` gives it, plus where it is from and which delivery this is;
/// - headers `X-Warden-Delivery` (the idempotency key), `X-Warden-Event` (the kind), `X-Warden-Attempt`, and
///   `X-Warden-Signature` (``WebhookSignature``).
public final class WebhookDeliverer: Sendable {
    /// Pacing, timeouts and the retry policy.
    public struct Configuration: Sendable {
        /// Deliveries sent at the same time (each to a different stream).
        public var concurrency = 8
        /// How long a leased delivery is ours: longer than `timeout` plus the writes.
        public var lease: TimeInterval = 120
        /// One attempt's limit, connecting included.
        public var timeout: Duration = .seconds(15)
        public var connectTimeout: Duration = .seconds(5)
        public var policy = WebhookRetryPolicy()
        /// How often an idle deliverer looks for due deliveries.
        public var idlePoll: Duration = .milliseconds(500)
        public init() {}
    }

    /// What one pass did.
    public struct Pass: Sendable, Equatable {
        public var leased = 0
        public var delivered = 0
        public var retried = 0
        public var dead = 0
    }

    /// Totals since start, for `/metrics`.
    public struct Totals: Sendable, Equatable {
        public var delivered: Int
        public var retried: Int
        public var dead: Int
    }

    public let database: any Database
    public let configuration: Configuration
    private let transport: any HTTPTransport
    private let clock: @Sendable () -> Date
    private let counters = Mutex(Totals(delivered: 0, retried: 0, dead: 0))

    public init(database: any Database, transport: any HTTPTransport, configuration: Configuration = Configuration(),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.transport = transport; self.configuration = configuration; self.clock = clock
    }

    public var totals: Totals { counters.withLock { $0 } }

    /// Leases what is due now (up to `concurrency` deliveries), sends it, and returns once every answer is
    /// recorded (tests step the outbox with it; `run` keeps its slots busy instead).
    public func runOnce() async throws -> Pass {
        let work = try await lease(limit: max(1, configuration.concurrency))
        var pass = Pass(leased: work.count)
        let outcomes = await withTaskGroup(of: WebhookRetryPolicy.Next?.self) { group in
            for (delivery, endpoint) in work { group.addTask { await self.send(delivery, to: endpoint) } }
            var out: [WebhookRetryPolicy.Next?] = []
            for await next in group { out.append(next) }
            return out
        }
        for next in outcomes {
            switch next {
            case .delivered: pass.delivered += 1
            case .retry: pass.retried += 1
            case .dead: pass.dead += 1
            case nil: break
            }
        }
        return pass
    }

    /// Sends until `shouldStop` says so, with up to `concurrency` deliveries in flight: a slot that frees up
    /// is filled at the next look, so a slow or unreachable receiver holds only its own slots, never the
    /// other endpoints' deliveries. Looks again as soon as a send finishes (its stream's next delivery is
    /// due now), else every `idlePoll`. On stop the deliveries in flight are finished and recorded first.
    /// Store errors are reported and retried.
    public func run(report: @escaping @Sendable (String) -> Void, shouldStop: @escaping @Sendable () -> Bool,
                    rest: @escaping @Sendable (Duration) async -> Void) async {
        let slots = max(1, configuration.concurrency)
        // No guild holds more than half the slots (one at least), so one guild's unreachable endpoints cannot
        // delay every other guild's deliveries.
        let perGuild = max(1, slots / 2)
        let inFlight = GuildSlots()
        let finished = Doorbell()
        await withDiscardingTaskGroup { group in
            while !shouldStop() {
                let (busy, full, most) = inFlight.counts.withLock { counts in
                    (counts.values.reduce(0, +), counts.filter { $0.value >= perGuild }.map(\.key).sorted(), counts.values.filter { $0 < perGuild }.max() ?? 0)
                }
                let free = slots - busy
                var leased = 0
                if free > 0 {
                    do {
                        // Every guild not at its share may get as many as the busiest of them still may.
                        let work = try await lease(limit: free, perGuild: perGuild - most, excluding: full)
                        leased = work.count
                        for (delivery, endpoint) in work {
                            inFlight.counts.withLock { $0[delivery.guildID, default: 0] += 1 }
                            group.addTask {
                                _ = await self.send(delivery, to: endpoint)
                                inFlight.counts.withLock { counts in
                                    counts[delivery.guildID, default: 1] -= 1
                                    if counts[delivery.guildID] == 0 { counts[delivery.guildID] = nil }
                                }
                                finished.ring()
                            }
                        }
                    } catch {
                        report("webhook deliveries: \(error)")
                        await rest(configuration.idlePoll * 4)
                        continue
                    }
                }
                if leased == 0 { await Self.rest(rest, configuration.idlePoll, orUntil: finished) }
            }
        }
    }

    /// `rest(pause)`, cut short when a send finishes (or finished since the last rest).
    private static func rest(_ rest: @escaping @Sendable (Duration) async -> Void, _ pause: Duration,
                             orUntil finished: Doorbell) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await rest(pause) }
            group.addTask { await finished.wait() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Deliveries in flight in `run` by guild, shared with the tasks sending them.
    private final class GuildSlots: Sendable {
        let counts = Mutex<[Int64: Int]>([:])
    }

    /// Rung by each finished send, waited on by the loop's rest. A ring with nobody waiting is kept for the
    /// next wait; a cancelled wait returns at once.
    private final class Doorbell: Sendable {
        private struct State {
            var rung = false
            var waiter: CheckedContinuation<Void, Never>?
        }
        private let state = Mutex(State())

        func ring() {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let waiter = state.waiter else { state.rung = true; return nil }
                state.waiter = nil
                return waiter
            }
            waiter?.resume()
        }

        func wait() async {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    // Checked under the lock, so a cancellation before the waiter is stored is not missed.
                    let now = state.withLock { state -> Bool in
                        if state.rung || Task.isCancelled { state.rung = false; return true }
                        state.waiter = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
        }
    }

    /// Due deliveries with their endpoints, leased (at most `perGuild` of a guild, none of `excluding`).
    private func lease(limit: Int, perGuild: Int = Int(Int32.max), excluding: [Int64] = []) async throws -> [(WebhookRepository.Delivery, WebhookRepository.Endpoint)] {
        let now = clock()
        let lease = configuration.lease
        return try await database.transaction { conn -> [(WebhookRepository.Delivery, WebhookRepository.Endpoint)] in
            let leased = try WebhookRepository.lease(on: conn, limit: limit, lease: lease, at: now, perGuild: perGuild, excludingGuilds: excluding)
            var endpoints: [Int64: WebhookRepository.Endpoint] = [:]
            return try leased.compactMap { delivery in
                if endpoints[delivery.endpointID] == nil { endpoints[delivery.endpointID] = try WebhookRepository.endpoint(on: conn, id: delivery.endpointID) }
                return endpoints[delivery.endpointID].map { (delivery, $0) }
            }
        }
    }

    /// One attempt and its outcome recorded, in a task of its own: a cancelled caller does not cut the send
    /// or the write short (a stop waits for both, within the attempt's timeout). nil when the outcome was
    /// not recorded: the lease was no longer ours, the endpoint was removed, or the store failed (the lease
    /// runs out and the delivery is sent again later).
    private func send(_ delivery: WebhookRepository.Delivery, to endpoint: WebhookRepository.Endpoint) async -> WebhookRetryPolicy.Next? {
        let next = await Task { [self] in await self.deliver(delivery, to: endpoint) }.value
        counters.withLock { totals in
            switch next {
            case .delivered: totals.delivered += 1
            case .retry: totals.retried += 1
            case .dead: totals.dead += 1
            case nil: break
            }
        }
        return next
    }

    private func deliver(_ delivery: WebhookRepository.Delivery, to endpoint: WebhookRepository.Endpoint) async -> WebhookRetryPolicy.Next? {
        let body = Self.body(delivery)
        let sentAt = clock()
        let signature = WebhookSignature.headerValue(body: body, timestamp: Int64(sentAt.timeIntervalSince1970),
                                                     secrets: endpoint.signingSecrets(at: sentAt))
        let request = HTTPRequest(method: "POST", url: endpoint.url, headers: [
            ("Content-Type", "application/json"),
            ("X-Warden-Delivery", String(delivery.id)),
            ("X-Warden-Event", delivery.kind),
            ("X-Warden-Attempt", String(delivery.attempts)),
            (WebhookSignature.header, signature),
        ], body: body, timeout: configuration.timeout, connectTimeout: configuration.connectTimeout)
        do {
            let response = try await transport.send(request)
            let retryAfter = WebhookRetryPolicy.retryAfter(response.header("retry-after"), now: clock())
            return await record(delivery, attempt: .answered(status: response.status, retryAfter: retryAfter), error: "HTTP \(response.status)")
        } catch {
            return await record(delivery, attempt: error.kind == .invalidRequest ? .unusable : .failed, error: "\(error.kind.rawValue): \(error.message)")
        }
    }

    private func record(_ delivery: WebhookRepository.Delivery, attempt: WebhookRetryPolicy.Attempt, error: String) async -> WebhookRetryPolicy.Next? {
        let now = clock()
        let next = configuration.policy.next(after: attempt, attempts: delivery.attempts, firstFailedAt: delivery.firstFailedAt,
                                             now: now, unit: Double.random(in: 0..<1))
        let status: Int? = if case .answered(let code, _) = attempt { code } else { nil }
        let fence = delivery.attempts
        do {
            let recorded = try await database.transaction { conn in
                switch next {
                case .delivered: try WebhookRepository.markDelivered(on: conn, id: delivery.id, attempt: fence, status: status ?? 200, at: now)
                case .retry(let at): try WebhookRepository.markFailed(on: conn, id: delivery.id, attempt: fence, status: status, error: error, retryAt: at, at: now)
                case .dead: try WebhookRepository.markFailed(on: conn, id: delivery.id, attempt: fence, status: status, error: error, retryAt: nil, at: now)
                }
            }
            return recorded ? next : nil
        } catch {
            return nil
        }
    }


    /// The JSON body of a delivery (the payload is embedded as stored: it is JSON already).
    static func body(_ delivery: WebhookRepository.Delivery) -> [UInt8] {
        var text = "{\"id\":\(delivery.eventID),\"kind\":\(JSONValue.string(delivery.kind).encoded()),\"created_at\":\(JSONValue.string(delivery.eventCreatedAt).encoded())"
        text += ",\"payload\":\(delivery.payloadJSON),\"guild_id\":\"\(UInt64(bitPattern: delivery.guildID))\""
        text += ",\"delivery_id\":\"\(delivery.id)\",\"attempt\":\(delivery.attempts)}"
        return Array(text.utf8)
    }

}
