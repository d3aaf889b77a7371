import Foundation

/// Webhook endpoints and their outbox of deliveries.
///
/// The outbox: `fanOut` writes one delivery per matching endpoint in the transaction that appends the event
/// (`EventRepository.append` calls it), so an event is never committed without its deliveries nor the other
/// way round. Each delivery carries a copy of the event, so retention of the feed does not touch it.
///
/// Ordering: the deliveries of one endpoint and one guild form a stream that goes out in event order. `lease`
/// hands out only the head of a stream (its oldest delivery that is not delivered yet), and only when that
/// head is pending and due; a dead head holds the stream until it is replayed, so a receiver never sees an
/// unban before the ban it undoes. Several processes share the outbox: a lease sets `locked_until`, and on
/// PostgreSQL candidates are taken `FOR UPDATE SKIP LOCKED`, so no two leases hold the same delivery.
///
/// Times are compared in SQL, as `JobRepository` describes.
public enum WebhookRepository {
    /// One registered endpoint.
    public struct Endpoint: Sendable, Equatable {
        public var id: Int64
        /// nil: every guild.
        public var guildID: Int64?
        public var url: String
        /// Event kinds delivered; empty for every kind.
        public var kinds: [String]
        public var secret: String
        /// The secret before the last rotation, still signed with until `previousSecretUntil`.
        public var previousSecret: String?
        public var previousSecretUntil: Date?
        public var createdAt: Date

        /// The secrets deliveries are signed with at `now`: the current one, then the previous one while it lasts.
        public func signingSecrets(at now: Date) -> [String] {
            guard let previousSecret, let until = previousSecretUntil, until > now else { return [secret] }
            return [secret, previousSecret]
        }
    }

    /// Delivery states.
    public enum Status: String, Sendable, CaseIterable {
        case pending, delivered, dead
    }

    /// One delivery of one event to one endpoint.
    public struct Delivery: Sendable, Equatable {
        /// Stable across retries and replays: the receiver's idempotency key.
        public var id: Int64
        public var endpointID: Int64
        public var guildID: Int64
        public var eventID: Int64
        public var kind: String
        /// The event's payload in the store's normal JSON form.
        public var payloadJSON: String
        /// When the event was appended, UTC, `YYYY-MM-DDTHH:MM:SS.ssssssZ` (as the events feed gives it).
        public var eventCreatedAt: String
        public var status: Status
        /// Attempts made so far (a leased delivery counts the attempt under way).
        public var attempts: Int
        public var nextAttemptAt: Date
        public var firstFailedAt: Date?
        public var lastStatus: Int?
        public var lastError: String?
        public var deliveredAt: Date?
    }

    // MARK: Endpoints

    /// Registers an endpoint. Events appended from now on are delivered to it; earlier ones are not.
    public static func create(on conn: any SQLConnection, guild: Int64?, url: String, kinds: [String], secret: String, at now: Date) throws -> Endpoint {
        guard let row = try conn.queryFirst("""
            INSERT INTO webhook_endpoints (guild_id, url, kinds, secret, created_at, updated_at)
            VALUES ($1, $2, \(json(conn, "$3")), $4, $5, $5) RETURNING id
            """, [.int(guild), .text(url), .json(try kindsJSON(kinds)), .text(secret), .timestamp(now)])
        else { throw StoreError.statement("INSERT INTO webhook_endpoints", message: "no id returned", sqlState: nil) }
        return Endpoint(id: try row.int("id"), guildID: guild, url: url, kinds: kinds, secret: secret,
                        previousSecret: nil, previousSecretUntil: nil, createdAt: now)
    }

    /// One endpoint, or nil.
    public static func endpoint(on conn: any SQLConnection, id: Int64) throws -> Endpoint? {
        try conn.queryFirst("SELECT \(endpointColumns) FROM webhook_endpoints WHERE id = $1", [.int(id)]).map(endpoint)
    }

    /// Endpoints in id order: of one guild (those for every guild are not included), or all when `guild` is nil.
    public static func endpoints(on conn: any SQLConnection, guild: Int64?) throws -> [Endpoint] {
        if let guild {
            return try conn.query("SELECT \(endpointColumns) FROM webhook_endpoints WHERE guild_id = $1 ORDER BY id", [.int(guild)]).map(endpoint)
        }
        return try conn.query("SELECT \(endpointColumns) FROM webhook_endpoints ORDER BY id", []).map(endpoint)
    }

    /// Removes an endpoint and its deliveries. - Returns: false when there was none.
    public static func delete(on conn: any SQLConnection, id: Int64) throws -> Bool {
        try conn.execute("DELETE FROM webhook_deliveries WHERE endpoint_id = $1", [.int(id)])
        return try conn.execute("DELETE FROM webhook_endpoints WHERE id = $1", [.int(id)]) == 1
    }

    /// Replaces the secret; the old one stays a signing secret until `keepPreviousUntil` (nil: dropped now).
    public static func rotateSecret(on conn: any SQLConnection, id: Int64, secret: String, keepPreviousUntil: Date?, at now: Date) throws -> Bool {
        // Two statements, not `CASE WHEN $3 IS NULL`: PostgreSQL cannot infer the type of a bare parameter.
        if let keepPreviousUntil {
            return try conn.execute("""
                UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $3, secret = $2, updated_at = $4 WHERE id = $1
                """, [.int(id), .text(secret), .timestamp(keepPreviousUntil), .timestamp(now)]) == 1
        }
        return try conn.execute("""
            UPDATE webhook_endpoints SET previous_secret = NULL, previous_secret_until = NULL, secret = $2, updated_at = $3 WHERE id = $1
            """, [.int(id), .text(secret), .timestamp(now)]) == 1
    }

    // MARK: Outbox

    /// Writes a pending delivery of the event to every endpoint that wants it (its guild or every guild, and
    /// the event's kind). Run in the transaction that appends the event.
    /// - Returns: how many deliveries were written.
    @discardableResult
    public static func fanOut(on conn: any SQLConnection, guild: Int64, eventID: Int64, kind: String, payloadJSON: String, at now: Date) throws -> Int {
        // FOR KEY SHARE on PostgreSQL: an endpoint deleted between this read and the inserts below would fail
        // them on the foreign key, and with them the event's whole transaction (an appeal's approval); the
        // delete waits for this transaction instead. SQLite has one writer at a time.
        let keyShare = conn.dialect == .postgres ? " FOR KEY SHARE" : ""
        let targets = try conn.query("SELECT id, kinds FROM webhook_endpoints WHERE guild_id IS NULL OR guild_id = $1 ORDER BY id\(keyShare)", [.int(guild)])
        var written = 0
        for row in targets {
            let kinds = try decodeKinds(try row.string("kinds"))
            guard kinds.isEmpty || kinds.contains(kind) else { continue }
            written += try conn.execute("""
                INSERT INTO webhook_deliveries (endpoint_id, guild_id, event_id, kind, payload, event_created_at, next_attempt_at, created_at, updated_at)
                VALUES ($1, $2, $3, $4, \(json(conn, "$5")), $6, $6, $6, $6) ON CONFLICT (endpoint_id, event_id) DO NOTHING
                """, [.int(try row.int("id")), .int(guild), .int(eventID), .text(kind), .json(payloadJSON), .timestamp(now)])
        }
        return written
    }

    /// Leases up to `limit` deliveries that are due: each the head of its stream (see the type), pending, due
    /// by `next_attempt_at`, and not leased by anyone else (or its lease ran out); at most `perGuild` of one
    /// guild, and none of `excludingGuilds` (the caller's share-out of its slots). Each is locked until
    /// `now + lease` and counts one more attempt.
    public static func lease(on conn: any SQLConnection, limit: Int, lease: TimeInterval, at now: Date,
                             perGuild: Int = Int(Int32.max), excludingGuilds: [Int64] = []) throws -> [Delivery] {
        guard limit > 0, perGuild > 0 else { return [] }
        let skipLocked = conn.dialect == .postgres ? " FOR UPDATE OF d SKIP LOCKED" : ""
        var binds: [SQLValue] = [.timestamp(now), .int(Int64(limit)), .timestamp(now.addingTimeInterval(max(0, lease))), .int(Int64(perGuild))]
        var exclusion = ""
        if !excludingGuilds.isEmpty {
            exclusion = " AND d.guild_id NOT IN (" + excludingGuilds.indices.map { "$\($0 + 5)" }.joined(separator: ", ") + ")"
            binds += excludingGuilds.map { .int($0) }
        }
        // Heads first (one walk of the open index, grouped), then which of them are due, at most `perGuild` of
        // a guild (its turn among its due heads), then those rows locked: checking each pending delivery for
        // an earlier open one instead took PostgreSQL 25 s with 200,000 queued behind dead heads. The locking
        // step checks the row again, as another lease may have taken it since.
        let rows = try conn.query("""
            WITH heads AS MATERIALIZED (
                SELECT endpoint_id, guild_id, MIN(event_id) AS event_id FROM webhook_deliveries
                WHERE status <> 'delivered' GROUP BY endpoint_id, guild_id
            ), due AS MATERIALIZED (
                SELECT d.id, ROW_NUMBER() OVER (PARTITION BY d.guild_id ORDER BY d.next_attempt_at, d.id) AS turn
                FROM heads h
                JOIN webhook_deliveries d ON d.endpoint_id = h.endpoint_id AND d.guild_id = h.guild_id AND d.event_id = h.event_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.locked_until IS NULL OR d.locked_until < $1)\(exclusion)
            ), chosen AS MATERIALIZED (
                SELECT d.id FROM webhook_deliveries d
                WHERE d.id IN (SELECT id FROM due WHERE turn <= $4)
                  AND d.status = 'pending' AND (d.locked_until IS NULL OR d.locked_until < $1)
                ORDER BY d.next_attempt_at, d.id
                LIMIT $2\(skipLocked)
            )
            UPDATE webhook_deliveries SET locked_until = $3, attempts = attempts + 1, updated_at = $1
            WHERE id IN (SELECT id FROM chosen)
            RETURNING \(deliveryColumns)
            """, binds)
        return try rows.map(delivery).sorted { $0.id < $1.id }
    }

    /// Marks a leased delivery delivered. `attempt` is the delivery's `attempts` as leased: it fences the
    /// write, so the outcome of a lease that ran out (and was leased again by someone else) changes nothing.
    /// - Returns: false when the lease is no longer the caller's, or the delivery is gone with its endpoint.
    @discardableResult
    public static func markDelivered(on conn: any SQLConnection, id: Int64, attempt: Int, status: Int, at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $3, last_status = $2, last_error = NULL,
                locked_until = NULL, updated_at = $3 WHERE id = $1 AND status = 'pending' AND attempts = $4
            """, [.int(id), .int(Int64(status)), .timestamp(now), .int(Int64(attempt))]) == 1
    }

    /// Records a failed attempt: with `retryAt`, pending again and due then; without, dead (it holds its stream
    /// until replayed). The first failure's time is kept, for the retry window. Fenced by `attempt` as
    /// ``markDelivered(on:id:attempt:status:at:)`` is. - Returns: whether it was recorded.
    @discardableResult
    public static func markFailed(on conn: any SQLConnection, id: Int64, attempt: Int, status: Int?, error: String, retryAt: Date?, at now: Date) throws -> Bool {
        let binds: [SQLValue] = [.int(id), .int(status.map(Int64.init)), .text(error), .timestamp(now), .int(Int64(attempt))]
        if let retryAt {
            return try conn.execute("""
                UPDATE webhook_deliveries SET next_attempt_at = $6, first_failed_at = COALESCE(first_failed_at, $4),
                    last_status = $2, last_error = $3, locked_until = NULL, updated_at = $4
                WHERE id = $1 AND status = 'pending' AND attempts = $5
                """, binds + [.timestamp(retryAt)]) == 1
        }
        return try conn.execute("""
            UPDATE webhook_deliveries SET status = 'dead', first_failed_at = COALESCE(first_failed_at, $4),
                last_status = $2, last_error = $3, locked_until = NULL, updated_at = $4
            WHERE id = $1 AND status = 'pending' AND attempts = $5
            """, binds) == 1
    }

    /// Dead deliveries of the endpoint (of one guild, or every guild) back to pending and due now, with a fresh
    /// retry window; their streams go on from them in order.
    /// - Returns: how many were replayed.
    public static func replayDead(on conn: any SQLConnection, endpoint: Int64, guild: Int64?, at now: Date) throws -> Int {
        var binds: [SQLValue] = [.int(endpoint), .timestamp(now)]
        var filter = ""
        if let guild { binds.append(.int(guild)); filter = " AND guild_id = $3" }
        return try conn.execute("""
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $2, first_failed_at = NULL,
                locked_until = NULL, updated_at = $2
            WHERE endpoint_id = $1 AND status = 'dead'\(filter)
            """, binds)
    }

    /// The endpoint's deliveries with this status (all when nil), newest first, at most `limit`.
    public static func deliveries(on conn: any SQLConnection, endpoint: Int64, status: Status?, limit: Int) throws -> [Delivery] {
        var binds: [SQLValue] = [.int(endpoint), .int(Int64(max(0, limit)))]
        var filter = ""
        if let status { binds.append(.text(status.rawValue)); filter = " AND status = $3" }
        return try conn.query("""
            SELECT \(deliveryColumns) FROM webhook_deliveries WHERE endpoint_id = $1\(filter) ORDER BY id DESC LIMIT $2
            """, binds).map(delivery)
    }

    /// One delivery, or nil.
    public static func delivery(on conn: any SQLConnection, id: Int64) throws -> Delivery? {
        try conn.queryFirst("SELECT \(deliveryColumns) FROM webhook_deliveries WHERE id = $1", [.int(id)]).map(delivery)
    }

    /// One endpoint's undelivered deliveries (views, the CLI, `/metrics`).
    public struct Backlog: Sendable, Equatable {
        public var endpoint: Int64
        public var pending: Int64
        public var dead: Int64
        /// When the oldest pending delivery was written (its event appended); nil when none is pending.
        public var oldestPending: Date?

        public init(endpoint: Int64, pending: Int64, dead: Int64, oldestPending: Date?) {
            self.endpoint = endpoint; self.pending = pending; self.dead = dead; self.oldestPending = oldestPending
        }
    }

    /// Every endpoint's backlog, zeros included (so a drained endpoint reads 0 rather than vanishing).
    public static func backlog(on conn: any SQLConnection) throws -> [Backlog] {
        try conn.query("""
            SELECT e.id AS endpoint_id,
                   COALESCE(SUM(CASE WHEN d.status = 'pending' THEN 1 ELSE 0 END), 0) AS pending,
                   COALESCE(SUM(CASE WHEN d.status = 'dead' THEN 1 ELSE 0 END), 0) AS dead,
                   MIN(CASE WHEN d.status = 'pending' THEN d.created_at END) AS oldest
            FROM webhook_endpoints e LEFT JOIN webhook_deliveries d ON d.endpoint_id = e.id AND d.status <> 'delivered'
            GROUP BY e.id ORDER BY e.id
            """, []).map { row in
            Backlog(endpoint: try row.int("endpoint_id"), pending: try row.int("pending"), dead: try row.int("dead"),
                    oldestPending: try row.optionalTimestamp("oldest"))
        }
    }

    /// Retention: deletes deliveries delivered before `before`. - Returns: how many.
    @discardableResult
    public static func prune(on conn: any SQLConnection, deliveredBefore before: Date) throws -> Int {
        try conn.execute("DELETE FROM webhook_deliveries WHERE status = 'delivered' AND updated_at < $1", [.timestamp(before)])
    }

    // MARK: Rows

    private static let endpointColumns = "id, guild_id, url, kinds, secret, previous_secret, previous_secret_until, created_at"
    private static let deliveryColumns = """
        id, endpoint_id, guild_id, event_id, kind, payload, event_created_at, status, attempts, next_attempt_at,
        first_failed_at, last_status, last_error, delivered_at
        """

    private static func endpoint(_ row: SQLRow) throws -> Endpoint {
        Endpoint(id: try row.int("id"), guildID: try row.optionalInt("guild_id"), url: try row.string("url"),
                 kinds: try decodeKinds(try row.string("kinds")), secret: try row.string("secret"),
                 previousSecret: try row.optionalString("previous_secret"),
                 previousSecretUntil: try row.optionalTimestamp("previous_secret_until"), createdAt: try row.timestamp("created_at"))
    }

    private static func delivery(_ row: SQLRow) throws -> Delivery {
        let text = try row.string("status")
        guard let status = Status(rawValue: text) else {
            throw StoreError.column("status", expected: "pending, delivered or dead", got: text)
        }
        return Delivery(id: try row.int("id"), endpointID: try row.int("endpoint_id"), guildID: try row.int("guild_id"),
                        eventID: try row.int("event_id"), kind: try row.string("kind"), payloadJSON: try row.string("payload"),
                        eventCreatedAt: try UTCTimestamp.format(row.timestamp("event_created_at")) ?? row.string("event_created_at"), status: status, attempts: Int(try row.int("attempts")),
                        nextAttemptAt: try row.timestamp("next_attempt_at"), firstFailedAt: try row.optionalTimestamp("first_failed_at"),
                        lastStatus: try row.optionalInt("last_status").map(Int.init), lastError: try row.optionalString("last_error"),
                        deliveredAt: try row.optionalTimestamp("delivered_at"))
    }

    private static func kindsJSON(_ kinds: [String]) throws -> String {
        let data = try JSONEncoder().encode(kinds)
        return String(decoding: data, as: UTF8.self)
    }

    private static func decodeKinds(_ text: String) throws -> [String] {
        do { return try JSONDecoder().decode([String].self, from: Data(text.utf8)) } catch {
            throw StoreError.column("kinds", expected: "a JSON array of strings", got: text)
        }
    }

    /// SQLite keeps JSON as given; `json()` minifies it so both dialects return a normalised form.
    private static func json(_ conn: any SQLConnection, _ placeholder: String) -> String {
        conn.dialect == .sqlite ? "json(\(placeholder))" : placeholder
    }
}
