import Foundation

/// Durable work in the `jobs` table: enqueue, lease, complete or fail. Delivery is at least once — a worker
/// that dies (or overruns its lease) loses the job to the next `lease` after `locked_until` — so handlers
/// must be idempotent. `complete` and `fail` accept any job that is still `running`; they cannot tell the
/// original worker from one that re-leased the job after the lease expired.
///
/// Status: `queued` -> `running` (leased) -> `done`, or back to `queued` (failure with a retry time), or
/// `failed` (failure for good).
///
/// Times are compared in SQL: TIMESTAMPTZ in PostgreSQL, and in SQLite the fixed-width UTC text that
/// `SQLValue.timestamp` writes (and the column defaults produce), whose text order is time order.
/// Payloads come back in the store's normal JSON form, as `EventRepository` describes.
public enum JobRepository {
    /// One job as a worker sees it.
    public struct Job: Sendable, Equatable {
        public var id: Int64
        public var kind: String
        /// The payload in the store's normal JSON form (decode it; text differs between dialects).
        public var payloadJSON: String
        /// Leases so far, including the current one.
        public var attempts: Int
        /// `queued`, `running`, `done` or `failed`.
        public var status: String
        /// The error of the most recent failure, if any.
        public var lastError: String?

        public init(id: Int64, kind: String, payloadJSON: String, attempts: Int, status: String, lastError: String?) {
            self.id = id; self.kind = kind; self.payloadJSON = payloadJSON; self.attempts = attempts
            self.status = status; self.lastError = lastError
        }
    }

    /// Inserts a queued job that becomes due at `runAfter`.
    /// - Parameter dedupeKey: when a job with this key exists already (in any status, until it is pruned),
    ///   nothing is inserted. nil never deduplicates.
    /// - Returns: the new job's id, or nil when the dedupe key was taken.
    @discardableResult
    public static func enqueue(on conn: any SQLConnection, kind: String, payloadJSON: String, dedupeKey: String?,
                               runAfter: Date, at now: Date) throws -> Int64? {
        let row = try conn.queryFirst("""
            INSERT INTO jobs (kind, payload, status, attempts, run_after, dedupe_key, created_at, updated_at)
            VALUES ($1, \(json(conn, "$2")), 'queued', 0, $3, $4, $5, $5)
            ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
            """, [.text(kind), .json(payloadJSON), .timestamp(runAfter), .text(dedupeKey), .timestamp(now)])
        return try row?.int("id")
    }

    /// Leases up to `limit` due jobs of these kinds, oldest `run_after` first: `queued` jobs whose `run_after`
    /// has come, and `running` jobs whose lease ran out (`locked_until < now`: the worker died or overran).
    /// Each becomes `running` with `locked_until = now + lease` and one more attempt.
    ///
    /// PostgreSQL: the candidate rows are locked `FOR UPDATE SKIP LOCKED`, so concurrent workers (in any
    /// process) lease disjoint sets without waiting for each other. SQLite: writers are serialised already.
    public static func lease(on conn: any SQLConnection, kinds: [String], limit: Int, lease: TimeInterval, at now: Date) throws -> [Job] {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        var binds: [SQLValue] = [.timestamp(now), .int(Int64(limit)), .timestamp(now.addingTimeInterval(max(0, lease)))]
        let kindList = kinds.map { kind -> String in
            binds.append(.text(kind))
            return "$\(binds.count)"
        }.joined(separator: ", ")
        let skipLocked = conn.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        // The CTE is MATERIALIZED so PostgreSQL evaluates (and locks) the candidates exactly once.
        let rows = try conn.query("""
            WITH due AS MATERIALIZED (
                SELECT id FROM jobs
                WHERE kind IN (\(kindList))
                  AND ((status = 'queued' AND run_after <= $1) OR (status = 'running' AND locked_until < $1))
                ORDER BY run_after, id
                LIMIT $2\(skipLocked)
            )
            UPDATE jobs SET status = 'running', locked_until = $3, attempts = attempts + 1, updated_at = $1
            WHERE id IN (SELECT id FROM due)
            RETURNING id, kind, payload, attempts, status, last_error
            """, binds)
        // RETURNING follows no ORDER BY; give callers the ids in order.
        return try rows.map(job).sorted { $0.id < $1.id }
    }

    /// Marks a leased job `done`.
    /// - Returns: false, changing nothing, when the job is not `running` (already completed, failed, re-queued,
    ///   or unknown).
    @discardableResult
    public static func complete(on conn: any SQLConnection, id: Int64, at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = $2 WHERE id = $1 AND status = 'running'
            """, [.int(id), .timestamp(now)]) == 1
    }

    /// Marks a job `done` whether it was leased or is still queued: for work the process that enqueued it
    /// finishes itself without leasing it first (a late LLM verdict). Run it in the transaction that writes
    /// the work's results, so the results are written exactly once.
    /// - Returns: false, changing nothing, when the job is already `done` or `failed` (another process
    ///   finished it) or unknown.
    public static func finish(on conn: any SQLConnection, id: Int64, at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = $2 WHERE id = $1 AND status IN ('queued', 'running')
            """, [.int(id), .timestamp(now)]) == 1
    }

    /// Records a failure of a leased job: with `retryAt`, back to `queued` and due at `retryAt`; without, `failed`
    /// for good. `error` is kept in `last_error` either way.
    /// - Returns: false, changing nothing, when the job is not `running`.
    @discardableResult
    public static func fail(on conn: any SQLConnection, id: Int64, error: String, retryAt: Date?, at now: Date) throws -> Bool {
        if let retryAt {
            return try conn.execute("""
                UPDATE jobs SET status = 'queued', run_after = $3, locked_until = NULL, last_error = $2, updated_at = $4
                WHERE id = $1 AND status = 'running'
                """, [.int(id), .text(error), .timestamp(retryAt), .timestamp(now)]) == 1
        }
        return try conn.execute("""
            UPDATE jobs SET status = 'failed', locked_until = NULL, last_error = $2, updated_at = $3
            WHERE id = $1 AND status = 'running'
            """, [.int(id), .text(error), .timestamp(now)]) == 1
    }

    /// One job by id, or nil.
    public static func job(on conn: any SQLConnection, id: Int64) throws -> Job? {
        try conn.queryFirst("SELECT id, kind, payload, attempts, status, last_error FROM jobs WHERE id = $1", [.int(id)]).map(job)
    }

    /// How many jobs have this status, of one kind or (kind nil) of every kind.
    public static func count(on conn: any SQLConnection, kind: String?, status: String) throws -> Int {
        let row: SQLRow?
        if let kind {
            row = try conn.queryFirst("SELECT COUNT(*) AS n FROM jobs WHERE kind = $1 AND status = $2", [.text(kind), .text(status)])
        } else {
            row = try conn.queryFirst("SELECT COUNT(*) AS n FROM jobs WHERE status = $1", [.text(status)])
        }
        return Int(try row?.int("n") ?? 0)
    }

    /// Jobs waiting or running, counted by kind and status (for the metrics scrape).
    public static func unfinished(on conn: any SQLConnection) throws -> [(kind: String, status: String, count: Int64)] {
        try conn.query("SELECT kind, status, COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running') GROUP BY kind, status", [])
            .map { (kind: try $0.string("kind"), status: try $0.string("status"), count: try $0.int("n")) }
    }

    /// Retention: deletes `done` and `failed` jobs last changed before `before` (which frees their dedupe keys).
    /// - Returns: how many jobs were deleted.
    @discardableResult
    public static func prune(on conn: any SQLConnection, finishedBefore before: Date) throws -> Int {
        try conn.execute("DELETE FROM jobs WHERE status IN ('done', 'failed') AND updated_at < $1", [.timestamp(before)])
    }

    /// SQLite keeps JSON as given; `json()` minifies it so both dialects return a normalised form.
    private static func json(_ conn: any SQLConnection, _ placeholder: String) -> String {
        conn.dialect == .sqlite ? "json(\(placeholder))" : placeholder
    }

    private static func job(_ row: SQLRow) throws -> Job {
        Job(id: try row.int("id"), kind: try row.string("kind"), payloadJSON: try row.string("payload"),
            attempts: Int(try row.int("attempts")), status: try row.string("status"), lastError: try row.optionalString("last_error"))
    }
}
