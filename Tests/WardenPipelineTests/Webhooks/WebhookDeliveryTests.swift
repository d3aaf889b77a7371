import Foundation
import Synchronization
import Testing
import WardenApp
import WardenLLM
import WardenLLMTestServer
import WardenStore
import WardenTestSupport
@testable import WardenPipeline

/// The outbox end to end: events appended to a real store, delivered by real libcurl to a receiver on
/// loopback that goes down, answers errors, is slow, and checks every signature on its own. Time is a test
/// clock, moved by hand, so a 10-minute outage or a 24-hour window takes no wall-clock time.
@Suite(.serialized) struct WebhookDeliveryTests {
    static let guilds: [Int64] = [1_100_000_000_000_000_001, 1_100_000_000_000_000_002, 1_100_000_000_000_000_003]

    /// A test clock, a receiver listening on loopback, the desk, and one endpoint registered at the receiver
    /// (of `guild`, or every guild) whose secret the receiver trusts.
    struct Scene {
        let clock = TestClock()
        let receiver = WebhookReceiver()
        let desk: WebhookDesk
        var endpoint: WebhookRepository.Endpoint

        init(_ db: any Database, guild: Int64? = nil) async throws {
            desk = WebhookDesk(database: db, eventKinds: WardenApp.eventKinds, clock: clock.function)
            try await receiver.start()
            endpoint = try await desk.register(scope: nil, guild: guild, url: receiver.url, kinds: [])
            receiver.trust([endpoint.secret])
        }
    }

    /// A fast policy: the short backoff cap stands in for the hour-long one.
    static func fastPolicy(cap: TimeInterval = 30, window: TimeInterval = 86_400) -> WebhookRetryPolicy {
        var policy = WebhookRetryPolicy()
        policy.baseBackoff = 1
        policy.maxBackoff = cap
        policy.retryWindow = window
        return policy
    }

    static func deliverer(_ db: any Database, _ clock: TestClock, policy: WebhookRetryPolicy = fastPolicy(),
                          timeout: Duration = .seconds(5)) -> WebhookDeliverer {
        var configuration = WebhookDeliverer.Configuration()
        configuration.policy = policy
        configuration.timeout = timeout
        configuration.connectTimeout = .seconds(2)
        configuration.concurrency = 4
        return WebhookDeliverer(database: db, transport: CurlTransport(maxConnections: 8), configuration: configuration, clock: clock.function)
    }

    @discardableResult
    static func append(_ db: any Database, guild: Int64, kind: String = "appeal_reversal", note: String, at clock: TestClock) async throws -> Int64 {
        let payload = #"{"note":"\#(note)","actions":[{"type":"unban","user_id":"42"}]}"#
        return try await db.transaction { conn in try EventRepository.append(on: conn, guild: guild, kind: kind, payloadJSON: payload, at: clock.date) }
    }

    /// Runs passes until nothing is pending, moving the clock by `step` whenever nothing was due. Bounded by
    /// `passes`; returns how many it took.
    @discardableResult
    static func drain(_ deliverer: WebhookDeliverer, _ db: any Database, _ clock: TestClock, step: TimeInterval = 1, passes: Int = 200) async throws -> Int {
        for pass in 1...passes {
            if try await pending(db) == 0 { return pass }
            if try await deliverer.runOnce().leased == 0 { clock.advance(step) }
        }
        return passes
    }

    static func pending(_ db: any Database) async throws -> Int64 {
        try await db.transaction { conn in try conn.queryFirst("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'", [])?.int("n") ?? -1 }
    }

    static func delivery(_ db: any Database, event: Int64) async throws -> WebhookRepository.Delivery? {
        try await db.transaction { conn in
            guard let id = try conn.queryFirst("SELECT id FROM webhook_deliveries WHERE event_id = $1", [.int(event)])?.int("id") else { return nil }
            return try WebhookRepository.delivery(on: conn, id: id)
        }
    }

    /// Every event accepted exactly once, each guild's in event order, every signature valid for `secret`.
    static func expectExactlyOnceInOrder(_ receiver: WebhookReceiver, events: [Int64: [Int64]], secret: String) {
        let accepted = receiver.accepted
        #expect(accepted.count == events.values.map(\.count).reduce(0, +), "accepted \(accepted.map(\.eventID))")
        #expect(Set(accepted.map(\.deliveryID)).count == accepted.count, "a delivery id was accepted twice")
        for (guild, ids) in events {
            #expect(accepted.filter { $0.guildID == String(UInt64(bitPattern: guild)) }.map(\.eventID) == ids, "guild \(guild)")
        }
        for received in receiver.received { #expect(received.validFor == [secret], "delivery \(received.deliveryID): \(received.signature)") }
    }

    @Test(arguments: allDialects)
    func everyEventArrivesExactlyOnceAcrossARestartAndATenMinuteOutage(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let scene = try await Scene(db)
            let (clock, receiver, endpoint) = (scene.clock, scene.receiver, scene.endpoint)
            var events: [Int64: [Int64]] = [:]

            // Up: delivered as they come.
            for i in 0..<6 {
                let guild = Self.guilds[i % 3]
                events[guild, default: []].append(try await Self.append(db, guild: guild, note: "up \(i)", at: clock))
            }
            try await Self.drain(Self.deliverer(db, clock), db, clock)
            #expect(receiver.accepted.count == 6)

            // A graceful restart while deliveries are in flight: the stop waits for their answers and records them.
            receiver.answer { _ in .delayed(.milliseconds(300), .status(200, body: "ok")) }
            for i in 0..<6 {
                let guild = Self.guilds[i % 3]
                events[guild, default: []].append(try await Self.append(db, guild: guild, note: "restart \(i)", at: clock))
            }
            let stop = Mutex(false)
            let first = Self.deliverer(db, clock)
            let running = Task { await first.run(report: { Issue.record("\($0)") }, shouldStop: { stop.withLock { $0 } },
                                                 rest: { _ in try? await Task.sleep(for: .milliseconds(10)) }) }
            for _ in 0..<3_000 where receiver.received.count == 6 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(receiver.received.count > 6, "the first deliverer sent nothing")
            stop.withLock { $0 = true }
            await running.value
            let leftLeased = try await db.transaction { conn in
                try conn.queryFirst("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE locked_until IS NOT NULL", [])?.int("n") ?? -1
            }
            #expect(leftLeased == 0, "a graceful stop left deliveries leased")
            receiver.answer { _ in .status(200, body: "ok") }
            try await Self.drain(Self.deliverer(db, clock), db, clock)
            #expect(receiver.received.count == 12, "a restart sent a delivery twice")

            // Down for ten minutes: events keep coming, every attempt is refused, and a restart happens in the middle.
            try await receiver.stop()
            var deliverer = Self.deliverer(db, clock)
            for step in 0..<40 {
                if step % 4 == 0 {
                    let guild = Self.guilds[(step / 4) % 3]
                    events[guild, default: []].append(try await Self.append(db, guild: guild, note: "down \(step)", at: clock))
                }
                if step == 20 {
                    // A crash: this process leased the heads and died before sending them. A new one takes over
                    // once those leases run out (120 s, while the receiver is still down). 30 s first: every head is due.
                    clock.advance(30)
                    let abandoned = try await db.transaction { conn in try WebhookRepository.lease(on: conn, limit: 8, lease: 120, at: clock.date) }
                    #expect(abandoned.count == 3)
                    deliverer = Self.deliverer(db, clock)
                }
                _ = try await deliverer.runOnce()
                clock.advance(15)
            }
            let heads = try await db.transaction { conn in
                try WebhookRepository.deliveries(on: conn, endpoint: endpoint.id, status: .pending, limit: 100)
            }
            #expect(heads.count == 10)
            #expect(heads.contains { $0.attempts > 5 && $0.lastError?.hasPrefix("connection") == true }, "no head was retried through the outage")
            #expect(heads.filter { $0.attempts > 0 }.count == 3, "only the head of each guild's stream is tried")

            // Back up on the same port: the backlog drains, in order, within a couple of capped backoffs.
            try await receiver.start()
            let backUp = clock.date
            let passes = try await Self.drain(deliverer, db, clock, step: 5)
            #expect(try await Self.pending(db) == 0, "still pending after \(passes) passes")
            // The heads wait out one capped backoff (30 s, jitter up to 36 s); what queued behind them follows at once.
            #expect(clock.date.timeIntervalSince(backUp) <= 40, "the backlog took \(clock.date.timeIntervalSince(backUp)) s")
            Self.expectExactlyOnceInOrder(receiver, events: events, secret: endpoint.secret)

            // The body is the event as the feed gives it, plus where it is from and which delivery this is.
            let feed = try await db.transaction { conn in try EventRepository.list(on: conn, guild: Self.guilds[0], after: 0, limit: 1) }
            let sample = try #require(receiver.accepted.first { $0.eventID == feed.first?.id })
            let body = try #require(try JSONSerialization.jsonObject(with: Data(sample.body)) as? [String: Any])
            #expect(body["id"] as? Int64 == feed.first?.id)
            #expect(body["created_at"] as? String == feed.first?.createdAt)
            #expect(body["kind"] as? String == "appeal_reversal")
            #expect((body["payload"] as? [String: Any])?["note"] as? String == "up 0")
            #expect(body["delivery_id"] as? String == sample.deliveryID)
            #expect(body["attempt"] as? Int == 1)
            try await receiver.stop()
        }
    }

    @Test(arguments: allDialects)
    func aDeliveryLeasedByAProcessThatDiedIsSentAgainWithItsIDWhenTheLeaseRunsOut(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let scene = try await Scene(db, guild: Self.guilds[0])
            let (clock, receiver) = (scene.clock, scene.receiver)
            let event = try await Self.append(db, guild: Self.guilds[0], note: "crash", at: clock)
            // The dead process: it leased the delivery and never answered for it.
            let leased = try await db.transaction { conn in try WebhookRepository.lease(on: conn, limit: 8, lease: 120, at: clock.date) }
            #expect(leased.map(\.eventID) == [event])
            let deliverer = Self.deliverer(db, clock)
            #expect(try await deliverer.runOnce().leased == 0, "a live lease was taken over")
            clock.advance(121)
            #expect(try await deliverer.runOnce().delivered == 1)
            #expect(receiver.accepted.map(\.deliveryID) == [String(leased[0].id)])
            #expect(receiver.accepted.map(\.attempt) == [2])
            try await receiver.stop()
        }
    }

    @Test(arguments: allDialects)
    func anOutcomeFromALeaseThatRanOutChangesNothing(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let desk = WebhookDesk(database: db, eventKinds: WardenApp.eventKinds, clock: clock.function)
            _ = try await desk.register(scope: nil, guild: nil, url: "http://127.0.0.1:9/", kinds: [])
            let event = try await Self.append(db, guild: Self.guilds[0], note: "fenced", at: clock)
            let first = try await db.transaction { conn in try WebhookRepository.lease(on: conn, limit: 1, lease: 120, at: clock.date) }
            clock.advance(121)
            let second = try await db.transaction { conn in try WebhookRepository.lease(on: conn, limit: 1, lease: 120, at: clock.date) }
            #expect(first.map(\.attempts) == [1] && second.map(\.attempts) == [2] && first.first?.id == second.first?.id)
            let id = try #require(first.first?.id)
            let late = try await db.transaction { conn in
                [try WebhookRepository.markFailed(on: conn, id: id, attempt: 1, status: 500, error: "late", retryAt: nil, at: clock.date),
                 try WebhookRepository.markFailed(on: conn, id: id, attempt: 1, status: 500, error: "late", retryAt: clock.date, at: clock.date),
                 try WebhookRepository.markDelivered(on: conn, id: id, attempt: 1, status: 200, at: clock.date)]
            }
            #expect(late == [false, false, false], "the first holder's late outcomes must not land")
            let row = try #require(try await Self.delivery(db, event: event))
            #expect(row.status == .pending && row.lastError == nil)
            #expect(try await db.transaction { conn in try WebhookRepository.markDelivered(on: conn, id: id, attempt: 2, status: 200, at: clock.date) })
        }
    }

    @Test func aSlowReceiverHoldsOnlyItsOwnSlots() async throws {
        try await withStore(.sqlite) { db in
            let scene = try await Scene(db)
            let (clock, fast) = (scene.clock, scene.receiver)
            let slow = WebhookReceiver()
            try await slow.start()
            slow.answer { _ in .delayed(.seconds(3), .status(200, body: "ok")) }
            _ = try await scene.desk.register(scope: nil, guild: nil, url: slow.url, kinds: [])
            for i in 0..<5 { try await Self.append(db, guild: Self.guilds[0], note: "e\(i)", at: clock) }
            var configuration = WebhookDeliverer.Configuration()
            configuration.idlePoll = .milliseconds(10)
            let deliverer = WebhookDeliverer(database: db, transport: CurlTransport(maxConnections: 8), configuration: configuration, clock: clock.function)
            let stop = Mutex(false)
            let running = Task { await deliverer.run(report: { Issue.record("\($0)") }, shouldStop: { stop.withLock { $0 } },
                                                     rest: { try? await Task.sleep(for: $0) }) }
            for _ in 0..<3_000 where fast.accepted.count < 5 { try await Task.sleep(for: .milliseconds(10)) }
            let slowSoFar = slow.received.count
            stop.withLock { $0 = true }
            await running.value
            #expect(fast.accepted.count == 5, "the fast endpoint waited for the slow one")
            #expect(slowSoFar <= 2, "the slow endpoint got \(slowSoFar) while the fast one got 5")
            try await fast.stop()
            try await slow.stop()
        }
    }

    @Test func oneGuildsUnreachableEndpointsLeaveSlotsForTheOthers() async throws {
        try await withStore(.sqlite) { db in
            let clock = TestClock()
            let desk = WebhookDesk(database: db, eventKinds: WardenApp.eventKinds, clock: clock.function)
            let tarpit = WebhookReceiver(), fast = WebhookReceiver()
            try await tarpit.start()
            try await fast.start()
            tarpit.answer { _ in .delayed(.seconds(3), .status(200, body: "late")) }
            // Ten endpoints of guild 0 that answer late (as a scoped admin could register), one of guild 1.
            for _ in 0..<10 { _ = try await desk.register(scope: Self.guilds[0], guild: Self.guilds[0], url: tarpit.url, kinds: []) }
            _ = try await desk.register(scope: Self.guilds[1], guild: Self.guilds[1], url: fast.url, kinds: [])
            try await Self.append(db, guild: Self.guilds[0], note: "to ten", at: clock)
            try await Self.append(db, guild: Self.guilds[1], note: "to one", at: clock)
            var configuration = WebhookDeliverer.Configuration()
            configuration.idlePoll = .milliseconds(10)
            let deliverer = WebhookDeliverer(database: db, transport: CurlTransport(maxConnections: 16), configuration: configuration, clock: clock.function)
            let stop = Mutex(false)
            let running = Task { await deliverer.run(report: { Issue.record("\($0)") }, shouldStop: { stop.withLock { $0 } },
                                                     rest: { try? await Task.sleep(for: $0) }) }
            for _ in 0..<3_000 where fast.accepted.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            let heldByTheTarpit = tarpit.received.count
            stop.withLock { $0 = true }
            await running.value
            #expect(fast.accepted.count == 1, "guild 1 waited behind guild 0's late endpoints")
            #expect(heldByTheTarpit <= 4, "guild 0 may hold half of the 8 slots, got \(heldByTheTarpit)")
            try await tarpit.stop()
            try await fast.stop()
        }
    }

    @Test func aStreamGoesOnAsSoonAsItsLastDeliveryIsAnswered() async throws {
        try await withStore(.sqlite) { db in
            let scene = try await Scene(db)
            let (clock, receiver) = (scene.clock, scene.receiver)
            for i in 0..<5 { try await Self.append(db, guild: Self.guilds[0], note: "e\(i)", at: clock) }
            var configuration = WebhookDeliverer.Configuration()
            configuration.idlePoll = .seconds(60)  // were the loop to wait for its idle look, this test would fail
            let deliverer = WebhookDeliverer(database: db, transport: CurlTransport(maxConnections: 8), configuration: configuration, clock: clock.function)
            let stop = Mutex(false)
            let running = Task { await deliverer.run(report: { Issue.record("\($0)") }, shouldStop: { stop.withLock { $0 } },
                                                     rest: { try? await Task.sleep(for: $0) }) }
            // Up to 20 s for a loaded machine: still well short of the 60 s idle look this test tells apart.
            for _ in 0..<2_000 where receiver.accepted.count < 5 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(receiver.accepted.count == 5, "one stream's deliveries waited for the idle look")
            stop.withLock { $0 = true }
            running.cancel()  // ends the 60 s rest the loop is in now
            await running.value
            try await receiver.stop()
        }
    }

    @Test func anEndpointRemovedWhileItsDeliveryIsInFlightCountsNothing() async throws {
        try await withStore(.sqlite) { db in
            let scene = try await Scene(db)
            let (clock, receiver) = (scene.clock, scene.receiver)
            receiver.answer { _ in .delayed(.milliseconds(500), .status(200, body: "ok")) }
            try await Self.append(db, guild: Self.guilds[0], note: "orphan", at: clock)
            let deliverer = Self.deliverer(db, clock)
            let pass = Task { try await deliverer.runOnce() }
            for _ in 0..<3_000 where receiver.received.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            try await scene.desk.remove(scene.endpoint.id, scope: nil)
            #expect(try await pass.value.delivered == 0)
            #expect(deliverer.totals.delivered == 0)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM webhook_deliveries") == 0)
            try await receiver.stop()
        }
    }

    @Test(arguments: allDialects)
    func serverErrorsRateLimitsAndTimeoutsAreRetriedAsThePolicySays(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let scene = try await Scene(db)
            let (clock, receiver) = (scene.clock, scene.receiver)
            receiver.answer { received in
                switch received.attempt {
                case 1: .status(500, body: "boom")
                case 2: .status(429, body: "slow down", headers: [("Retry-After", "120")])
                case 3: .delayed(.seconds(8), .status(200, body: "too late"))
                default: .status(204, body: "")
                }
            }
            let event = try await Self.append(db, guild: Self.guilds[0], note: "retry", at: clock)
            // 2 s: room for the prompt answers under the parallel suite, well short of the held one's 8 s.
            let deliverer = Self.deliverer(db, clock, timeout: .seconds(2))

            #expect(try await deliverer.runOnce().retried == 1)
            var row = try #require(try await Self.delivery(db, event: event))
            #expect(row.lastStatus == 500 && row.attempts == 1 && row.status == .pending)
            #expect((0.8...1.2).contains(row.nextAttemptAt.timeIntervalSince(clock.date)), "\(row.nextAttemptAt.timeIntervalSince(clock.date))")

            clock.advance(2)
            #expect(try await deliverer.runOnce().retried == 1)
            row = try #require(try await Self.delivery(db, event: event))
            #expect(row.lastStatus == 429)
            #expect(abs(row.nextAttemptAt.timeIntervalSince(clock.date) - 120) < 0.01, "Retry-After: 120 not honoured")
            clock.advance(60)
            #expect(try await deliverer.runOnce().leased == 0, "sent before its Retry-After")

            clock.advance(61)
            #expect(try await deliverer.runOnce().retried == 1)
            row = try #require(try await Self.delivery(db, event: event))
            #expect(row.lastStatus == nil)
            #expect(row.lastError?.hasPrefix("timeout") == true, "\(row.lastError ?? "nil")")

            clock.advance(10)
            #expect(try await deliverer.runOnce().delivered == 1)
            row = try #require(try await Self.delivery(db, event: event))
            #expect(row.status == .delivered && row.attempts == 4 && row.lastStatus == 204)
            #expect(receiver.received.map(\.attempt) == [1, 2, 3, 4])
            #expect(Set(receiver.received.map(\.deliveryID)).count == 1, "a retry changed the delivery id")
            #expect(deliverer.totals == .init(delivered: 1, retried: 3, dead: 0))
            try await receiver.stop()
        }
    }

    @Test(arguments: allDialects)
    func aRefusedDeliveryIsDeadHoldsItsStreamAndIsReplayedInOrder(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let scene = try await Scene(db)
            let (clock, receiver, desk, endpoint) = (scene.clock, scene.receiver, scene.desk, scene.endpoint)
            let e1 = try await Self.append(db, guild: Self.guilds[0], note: "refused", at: clock)
            let e2 = try await Self.append(db, guild: Self.guilds[0], note: "behind it", at: clock)
            let e3 = try await Self.append(db, guild: Self.guilds[1], note: "other guild", at: clock)
            receiver.answer { $0.eventID == e1 ? .status(410, body: "gone") : .status(200, body: "ok") }
            let deliverer = Self.deliverer(db, clock)
            for _ in 0..<5 { _ = try await deliverer.runOnce(); clock.advance(5) }

            #expect(receiver.accepted.map(\.eventID) == [e3], "the other guild's stream must go on; this one must wait")
            let dead = try await desk.deliveries(endpoint.id, scope: nil, status: .dead, limit: 10)
            #expect(dead.map(\.eventID) == [e1] && dead.first?.lastStatus == 410 && dead.first?.attempts == 1)
            let backlogs = try await desk.backlogs()
            #expect(backlogs == [endpoint.id: .init(endpoint: endpoint.id, pending: 1, dead: 1, oldestPending: TestClock().date)],
                    "the delivery held behind the dead head is the oldest pending, written when its event was")

            receiver.answer { _ in .status(200, body: "ok") }
            #expect(try await desk.replay(endpoint.id, scope: nil, guild: nil) == 1)
            try await Self.drain(deliverer, db, clock)
            #expect(receiver.accepted.map(\.eventID) == [e3, e1, e2])
            #expect(receiver.accepted[1].deliveryID == String(dead[0].id), "a replay keeps the delivery id")
            #expect(try await desk.replay(endpoint.id, scope: nil, guild: nil) == 0)
            try await receiver.stop()
        }
    }

    @Test func aDeliveryStillFailingAtTheWindowsEndIsDead() async throws {
        try await withStore(.sqlite) { db in
            let scene = try await Scene(db)
            let (clock, receiver, desk, endpoint) = (scene.clock, scene.receiver, scene.desk, scene.endpoint)
            receiver.answer { _ in .status(503, body: "down") }
            let event = try await Self.append(db, guild: Self.guilds[0], note: "never", at: clock)
            var policy = Self.fastPolicy(cap: 30, window: 60)
            policy.baseBackoff = 10
            let deliverer = Self.deliverer(db, clock, policy: policy)
            for _ in 0..<10 { _ = try await deliverer.runOnce(); clock.advance(30) }
            let row = try #require(try await Self.delivery(db, event: event))
            #expect(row.status == .dead && row.lastStatus == 503)
            // At 0 s, 30 s (backoff 8–12 s), and the window's end (60 s) rather than skipping it.
            #expect(row.attempts == 3 && receiver.received.count == 3)
            let stamps = receiver.received.compactMap { WebhookReceiver.timestamp($0.signature) }
            #expect(stamps.last.flatMap { last in stamps.first.map { last - $0 } } == 60)
            #expect(deliverer.totals.dead == 1)
            #expect(try await desk.deliveries(endpoint.id, scope: nil, status: .dead, limit: 5).count == 1)
            try await receiver.stop()
        }
    }

    @Test func aRotatedSecretSignsBesideTheNewOneUntilItsTimeIsUp() async throws {
        try await withStore(.sqlite) { db in
            let scene = try await Scene(db)
            let (clock, receiver, desk, old) = (scene.clock, scene.receiver, scene.desk, scene.endpoint)
            let new = try await desk.rotateSecret(old.id, scope: nil, keepPrevious: 3_600)
            #expect(new.secret != old.secret && new.secret.hasPrefix("whsec_") && new.secret.count == 70)
            receiver.trust([new.secret, old.secret])
            let deliverer = Self.deliverer(db, clock)

            try await Self.append(db, guild: Self.guilds[0], note: "both", at: clock)
            try await Self.drain(deliverer, db, clock)
            clock.advance(3_601)
            try await Self.append(db, guild: Self.guilds[0], note: "new only", at: clock)
            try await Self.drain(deliverer, db, clock)
            let newest = try await desk.rotateSecret(old.id, scope: nil, keepPrevious: 0)
            receiver.trust([newest.secret, new.secret])
            try await Self.append(db, guild: Self.guilds[0], note: "at once", at: clock)
            try await Self.drain(deliverer, db, clock)

            #expect(receiver.received.map(\.validFor) == [[new.secret, old.secret], [new.secret], [newest.secret]])
            #expect(receiver.received.map { $0.signature.components(separatedBy: "v1=").count - 1 } == [2, 1, 1])
            await #expect(throws: WebhookError.self) { try await desk.rotateSecret(old.id, scope: nil, keepPrevious: 8 * 86_400) }
            try await receiver.stop()
        }
    }

    @Test(arguments: allDialects)
    func endpointsGetTheirGuildsAndKindsOnly(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let clock = TestClock()
            let desk = WebhookDesk(database: db, eventKinds: WardenApp.eventKinds, clock: clock.function)
            let every = try await desk.register(scope: nil, guild: nil, url: "http://127.0.0.1:9/every", kinds: [])
            let one = try await desk.register(scope: nil, guild: Self.guilds[0], url: "http://127.0.0.1:9/one", kinds: ["appeal_reversal"])
            try await Self.append(db, guild: Self.guilds[0], kind: "appeal_reversal", note: "a", at: clock)
            try await Self.append(db, guild: Self.guilds[0], kind: "llm_verdict", note: "b", at: clock)
            try await Self.append(db, guild: Self.guilds[1], kind: "appeal_reversal", note: "c", at: clock)
            #expect(try await desk.deliveries(every.id, scope: nil, status: nil, limit: 10).count == 3)
            #expect(try await desk.deliveries(one.id, scope: nil, status: nil, limit: 10).map(\.kind) == ["appeal_reversal"])
            // A scoped admin sees its guild's endpoints only, and cannot register one for every guild or another guild.
            #expect(try await desk.list(scope: Self.guilds[0]).map(\.id) == [one.id])
            await #expect(throws: WebhookError.self) { try await desk.endpoint(every.id, scope: Self.guilds[0]) }
            await #expect(throws: WebhookError.self) { try await desk.register(scope: Self.guilds[0], guild: nil, url: "http://x.test/", kinds: []) }
            await #expect(throws: WebhookError.self) { try await desk.register(scope: Self.guilds[0], guild: Self.guilds[1], url: "http://x.test/", kinds: []) }
            await #expect(throws: WebhookError.self) { try await desk.register(scope: nil, guild: nil, url: "http://x.test/", kinds: ["ban"]) }
            for url in ["", "ftp://x.test/", "http:///nohost", "http://u:p@x.test/", "http://x.test/a b", "http://x.test/#f", "/relative",
                        "http://127.0.0.1:99999/x", "http://127.0.0.1:0/x"] {
                await #expect(throws: WebhookError.self, "\(url)") { try await desk.register(scope: nil, guild: nil, url: url, kinds: []) }
            }
            // Removing an endpoint removes what it still had to deliver.
            try await desk.remove(every.id, scope: nil)
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM webhook_deliveries") == 1)
        }
    }

    @Test(arguments: allDialects)
    func twoDeliverersOnOneStoreNeverSendADeliveryTwice(_ dialect: SQLDialect) async throws {
        if dialect == .postgres, TestStores.skipPostgres, (try? TestStores.postgresURL()) == nil { return }
        try await TestStores.withURL(dialect) { url, db in
            let second = try await DatabaseOpener.connect(url: url)
            let scene = try await Scene(db)
            let (clock, receiver, endpoint) = (scene.clock, scene.receiver, scene.endpoint)
            receiver.answer { _ in .delayed(.milliseconds(20), .status(200, body: "ok")) }
            let guilds = (1...8).map { Int64(1_100_000_000_000_000_100 + $0) }
            var events: [Int64: [Int64]] = [:]
            for round in 0..<5 {
                for guild in guilds { events[guild, default: []].append(try await Self.append(db, guild: guild, note: "r\(round)", at: clock)) }
            }
            let deliverers = [Self.deliverer(db, clock), Self.deliverer(second, clock)]
            // Both run passes side by side until the outbox is empty (bounded by passes, not time).
            try await withThrowingTaskGroup(of: Void.self) { group in
                for deliverer in deliverers {
                    group.addTask {
                        for _ in 0..<400 {
                            if try await Self.pending(db) == 0 { return }
                            if try await deliverer.runOnce().leased == 0 { try await Task.sleep(for: .milliseconds(5)) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.pending(db) == 0)
            Self.expectExactlyOnceInOrder(receiver, events: events, secret: endpoint.secret)
            #expect(receiver.received.count == 40)
            await second.close()
            try await receiver.stop()
        }
    }
}
