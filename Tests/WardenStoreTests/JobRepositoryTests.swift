import Foundation
import Testing
@testable import WardenStore
import WardenTestSupport

@Suite("Job repository (SQLite)")
struct JobRepositorySQLiteTests {
    @Test func enqueuesWithDedupe() async throws { try await JobChecks.enqueuesWithDedupe(.sqlite) }
    @Test func leasesDueJobsAndReleasesExpiredLeases() async throws { try await JobChecks.leasesDueJobsAndReleasesExpiredLeases(.sqlite) }
    @Test func failsRetriesAndCompletes() async throws { try await JobChecks.failsRetriesAndCompletes(.sqlite) }
    @Test func concurrentWorkersNeverShareAJob() async throws { try await JobChecks.concurrentWorkersNeverShareAJob(.sqlite) }
}

@Suite("Job repository (PostgreSQL)", .enabled(if: !TestStores.skipPostgres, "WARDEN_SKIP_POSTGRES=1"))
struct JobRepositoryPostgresTests {
    @Test func enqueuesWithDedupe() async throws { try await JobChecks.enqueuesWithDedupe(.postgres) }
    @Test func leasesDueJobsAndReleasesExpiredLeases() async throws { try await JobChecks.leasesDueJobsAndReleasesExpiredLeases(.postgres) }
    @Test func failsRetriesAndCompletes() async throws { try await JobChecks.failsRetriesAndCompletes(.postgres) }
    @Test func concurrentWorkersNeverShareAJob() async throws { try await JobChecks.concurrentWorkersNeverShareAJob(.postgres) }
}

enum JobChecks {
    static let t0 = Date(timeIntervalSince1970: 1_795_310_400)

    static func enqueuesWithDedupe(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            try await db.transaction { conn in
                let a = try JobRepository.enqueue(on: conn, kind: "summary", payloadJSON: #"{"ticket": 7}"#, dedupeKey: "summary:7", runAfter: t0, at: t0)
                #expect(a != nil)
                #expect(try JobRepository.enqueue(on: conn, kind: "summary", payloadJSON: #"{"ticket": 8}"#, dedupeKey: "summary:7", runAfter: t0, at: t0) == nil)
                // No key, no deduplication.
                let b = try JobRepository.enqueue(on: conn, kind: "summary", payloadJSON: "{}", dedupeKey: nil, runAfter: t0, at: t0)
                let c = try JobRepository.enqueue(on: conn, kind: "summary", payloadJSON: "{}", dedupeKey: nil, runAfter: t0, at: t0)
                #expect(b != nil && c != nil && b != c)
                #expect(try JobRepository.count(on: conn, kind: "summary", status: "queued") == 3)
                #expect(try JobRepository.count(on: conn, kind: nil, status: "queued") == 3)
                #expect(try JobRepository.count(on: conn, kind: "other", status: "queued") == 0)

                let aID = try #require(a)
                let job = try #require(try JobRepository.job(on: conn, id: aID))
                #expect(job.kind == "summary" && job.status == "queued" && job.attempts == 0 && job.lastError == nil)
                let payload = try JSONSerialization.jsonObject(with: Data(job.payloadJSON.utf8)) as? [String: Int]
                #expect(payload == ["ticket": 7])
                #expect(try JobRepository.job(on: conn, id: 999_999) == nil)
            }
            // The key stays taken while the job exists, whatever its status; pruning finished jobs frees it.
            try await db.transaction { conn in
                let id = try #require(try JobRepository.lease(on: conn, kinds: ["summary"], limit: 1, lease: 60, at: t0).first?.id)
                #expect(try JobRepository.complete(on: conn, id: id, at: t0))
                #expect(try JobRepository.enqueue(on: conn, kind: "summary", payloadJSON: "{}", dedupeKey: "summary:7", runAfter: t0, at: t0) == nil)
                #expect(try JobRepository.prune(on: conn, finishedBefore: t0.addingTimeInterval(1)) == 1)
                #expect(try JobRepository.enqueue(on: conn, kind: "summary", payloadJSON: "{}", dedupeKey: "summary:7", runAfter: t0, at: t0) != nil)
            }
        }
    }

    static func leasesDueJobsAndReleasesExpiredLeases(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            try await db.transaction { conn in
                let due1 = try #require(try JobRepository.enqueue(on: conn, kind: "x", payloadJSON: "[1]", dedupeKey: nil, runAfter: t0, at: t0))
                let due2 = try #require(try JobRepository.enqueue(on: conn, kind: "x", payloadJSON: "[2]", dedupeKey: nil,
                                                                  runAfter: t0.addingTimeInterval(-5), at: t0))
                let future = try #require(try JobRepository.enqueue(on: conn, kind: "x", payloadJSON: "[3]", dedupeKey: nil,
                                                                    runAfter: t0.addingTimeInterval(100), at: t0))
                _ = try JobRepository.enqueue(on: conn, kind: "y", payloadJSON: "[4]", dedupeKey: nil, runAfter: t0, at: t0)

                #expect(try JobRepository.lease(on: conn, kinds: [], limit: 10, lease: 30, at: t0).isEmpty)
                #expect(try JobRepository.lease(on: conn, kinds: ["x"], limit: 0, lease: 30, at: t0).isEmpty)

                // Due jobs of the asked kinds only, attempts counted; run_after == now is due.
                let leased = try JobRepository.lease(on: conn, kinds: ["x", "z"], limit: 10, lease: 30, at: t0)
                #expect(leased.map(\.id) == [due1, due2])
                #expect(leased.allSatisfy { $0.status == "running" && $0.attempts == 1 && $0.kind == "x" })
                #expect(try JobRepository.count(on: conn, kind: "x", status: "running") == 2)

                // Leased jobs are not handed out again while the lease holds.
                #expect(try JobRepository.lease(on: conn, kinds: ["x"], limit: 10, lease: 30, at: t0.addingTimeInterval(29)).isEmpty)

                // After the lease runs out (the worker died), the job is leased again, one attempt more; the limit
                // takes the oldest run_after first.
                let again = try JobRepository.lease(on: conn, kinds: ["x"], limit: 1, lease: 30, at: t0.addingTimeInterval(31))
                #expect(again.map(\.id) == [due2])
                #expect(again.first?.attempts == 2)
                // Later still: due1's lease (t0+30) and due2's second one (t0+61) have run out, and `future` is due.
                let rest = try JobRepository.lease(on: conn, kinds: ["x"], limit: 10, lease: 30, at: t0.addingTimeInterval(101))
                #expect(rest.map(\.id) == [due1, due2, future])
                #expect(rest.map(\.attempts) == [2, 3, 1])
            }
        }
    }

    static func failsRetriesAndCompletes(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            try await db.transaction { conn in
                let id = try #require(try JobRepository.enqueue(on: conn, kind: "faq", payloadJSON: "{}", dedupeKey: "faq:1", runAfter: t0, at: t0))
                #expect(try JobRepository.lease(on: conn, kinds: ["faq"], limit: 5, lease: 60, at: t0).map(\.id) == [id])

                // A failure with a retry time puts it back in the queue, not due before then.
                #expect(try JobRepository.fail(on: conn, id: id, error: "HTTP 503", retryAt: t0.addingTimeInterval(120), at: t0.addingTimeInterval(1)))
                var job = try #require(try JobRepository.job(on: conn, id: id))
                #expect(job.status == "queued" && job.lastError == "HTTP 503" && job.attempts == 1)
                #expect(try JobRepository.lease(on: conn, kinds: ["faq"], limit: 5, lease: 60, at: t0.addingTimeInterval(119)).isEmpty)
                let second = try JobRepository.lease(on: conn, kinds: ["faq"], limit: 5, lease: 60, at: t0.addingTimeInterval(120))
                #expect(second.map(\.attempts) == [2])
                #expect(second.first?.lastError == "HTTP 503")

                // Complete once; the second time (and failing a finished job) changes nothing.
                #expect(try JobRepository.complete(on: conn, id: id, at: t0.addingTimeInterval(121)))
                #expect(try JobRepository.complete(on: conn, id: id, at: t0.addingTimeInterval(122)) == false)
                #expect(try JobRepository.fail(on: conn, id: id, error: "late", retryAt: nil, at: t0.addingTimeInterval(123)) == false)
                job = try #require(try JobRepository.job(on: conn, id: id))
                #expect(job.status == "done" && job.lastError == "HTTP 503")
                #expect(try JobRepository.complete(on: conn, id: 424_242, at: t0) == false)

                // A failure without a retry time is final.
                let other = try #require(try JobRepository.enqueue(on: conn, kind: "faq", payloadJSON: "{}", dedupeKey: nil, runAfter: t0, at: t0))
                #expect(try JobRepository.lease(on: conn, kinds: ["faq"], limit: 5, lease: 60, at: t0).map(\.id) == [other])
                #expect(try JobRepository.fail(on: conn, id: other, error: "bad payload", retryAt: nil, at: t0))
                #expect(try JobRepository.job(on: conn, id: other)?.status == "failed")
                #expect(try JobRepository.lease(on: conn, kinds: ["faq"], limit: 5, lease: 60, at: t0.addingTimeInterval(10_000)).isEmpty)
                #expect(try JobRepository.count(on: conn, kind: "faq", status: "failed") == 1)
                #expect(try JobRepository.count(on: conn, kind: nil, status: "done") == 1)
            }
        }
    }

    /// Four workers lease batches at once, each holding its transaction open a moment (so on PostgreSQL the
    /// others meet locked rows and must skip them): every job is leased exactly once.
    static func concurrentWorkersNeverShareAJob(_ dialect: SQLDialect) async throws {
        let jobs = 120
        try await TestStores.with(dialect, poolSize: 4) { db in
            let ids = try await db.transaction { conn in
                try (0..<jobs).map { i in
                    try #require(try JobRepository.enqueue(on: conn, kind: "work", payloadJSON: #"{"n": \#(i)}"#, dedupeKey: nil, runAfter: t0, at: t0))
                }
            }
            let leased = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let batch = try await db.transaction { conn in
                                let batch = try JobRepository.lease(on: conn, kinds: ["work"], limit: 3, lease: 600, at: t0.addingTimeInterval(1))
                                try EventChecks.hold(conn, microseconds: 2_000)
                                return batch.map(\.id)
                            }
                            if batch.isEmpty { return mine }
                            mine += batch
                            let completed = try await db.transaction { conn in
                                try batch.map { try JobRepository.complete(on: conn, id: $0, at: t0.addingTimeInterval(2)) }
                            }
                            #expect(completed.allSatisfy { $0 })
                        }
                    }
                }
                return try await group.reduce(into: [[Int64]]()) { $0.append($1) }
            }
            let all = leased.flatMap { $0 }
            #expect(all.count == jobs, "a job was leased twice or not at all")
            #expect(all.sorted() == ids.sorted())
            // All four took part: skipping locked rows, not waiting behind them.
            if dialect == .postgres { #expect(leased.filter { !$0.isEmpty }.count >= 2) }
            let done = try await db.transaction { try JobRepository.count(on: $0, kind: "work", status: "done") }
            #expect(done == jobs)
        }
    }
}
