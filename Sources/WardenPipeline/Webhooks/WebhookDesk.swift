import Foundation
import WardenCore
import WardenStore

/// Webhook endpoints as operators manage them (API and CLI): register, list, rotate the secret, look at
/// deliveries, replay dead ones, remove. `scope` is the caller's guild (a guild-scoped admin token) or nil
/// (unscoped): a scoped caller sees and changes only its guild's endpoints and cannot register one for
/// every guild.
public final class WebhookDesk: Sendable {
    public let database: any Database
    /// The event kinds an endpoint may ask for.
    public let eventKinds: [String]
    private let clock: @Sendable () -> Date

    /// The longest URL accepted.
    public static let maxURLLength = 2_048
    /// The longest a rotated-out secret may stay valid.
    public static let maxKeepPrevious: TimeInterval = 7 * 86_400

    public init(database: any Database, eventKinds: [String], clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.eventKinds = eventKinds; self.clock = clock
    }

    /// Registers an endpoint for one guild (or every guild when `guild` is nil) and the event kinds it wants
    /// (every kind when empty). Events appended from now on are delivered to it.
    /// - Returns: the endpoint, whose `secret` is shown to the operator this once.
    public func register(scope: Int64?, guild: Int64?, url: String, kinds: [String]) async throws -> WebhookRepository.Endpoint {
        if let scope {
            guard let guild else { throw WebhookError.everyGuildNeedsUnscopedToken(scope: scope) }
            guard guild == scope else { throw WebhookError.otherGuild(scope: scope, guild: guild) }
        }
        let url = try Self.checkURL(url)
        var chosen: [String] = []
        for (i, kind) in kinds.enumerated() {
            guard eventKinds.contains(kind) else {
                throw WebhookError.invalidField("events[\(i)]", reason: "one of \(eventKinds.joined(separator: ", ")), got '\(kind)'")
            }
            if !chosen.contains(kind) { chosen.append(kind) }
        }
        let secret = Self.newSecret()
        let now = clock()
        let wanted = chosen
        return try await database.transaction { conn in
            try WebhookRepository.create(on: conn, guild: guild, url: url, kinds: wanted, secret: secret, at: now)
        }
    }

    /// The endpoints the caller may see: its guild's, or every endpoint for an unscoped caller.
    public func list(scope: Int64?) async throws -> [WebhookRepository.Endpoint] {
        try await database.transaction { conn in try WebhookRepository.endpoints(on: conn, guild: scope) }
    }

    /// One endpoint the caller may see.
    public func endpoint(_ id: Int64, scope: Int64?) async throws -> WebhookRepository.Endpoint {
        try await database.transaction { conn in try Self.visible(id, scope: scope, on: conn) }
    }

    /// Every endpoint's pending and dead deliveries (views, the CLI and `/metrics` read the same numbers).
    public func backlogs() async throws -> [Int64: WebhookRepository.Backlog] {
        try await database.transaction { conn in
            Dictionary(uniqueKeysWithValues: try WebhookRepository.backlog(on: conn).map { ($0.endpoint, $0) })
        }
    }

    /// Removes the endpoint and everything still to be delivered to it.
    public func remove(_ id: Int64, scope: Int64?) async throws {
        try await database.transaction { conn in
            _ = try Self.visible(id, scope: scope, on: conn)
            _ = try WebhookRepository.delete(on: conn, id: id)
        }
    }

    /// Gives the endpoint a new secret. The old one keeps signing deliveries (beside the new) for
    /// `keepPrevious` seconds, so the receiver can switch without refusing any; 0 drops it at once.
    /// - Returns: the endpoint with its new secret.
    public func rotateSecret(_ id: Int64, scope: Int64?, keepPrevious: TimeInterval) async throws -> WebhookRepository.Endpoint {
        guard keepPrevious >= 0, keepPrevious <= Self.maxKeepPrevious else {
            throw WebhookError.invalidField("keep_previous_seconds", reason: "0 to \(Int(Self.maxKeepPrevious)), got \(keepPrevious)")
        }
        let secret = Self.newSecret()
        let now = clock()
        return try await database.transaction { conn in
            _ = try Self.visible(id, scope: scope, on: conn)
            _ = try WebhookRepository.rotateSecret(on: conn, id: id, secret: secret,
                                                   keepPreviousUntil: keepPrevious > 0 ? now.addingTimeInterval(keepPrevious) : nil, at: now)
            return try Self.visible(id, scope: scope, on: conn)
        }
    }

    /// The endpoint's deliveries (of one status, or all), newest first.
    public func deliveries(_ id: Int64, scope: Int64?, status: WebhookRepository.Status?, limit: Int) async throws -> [WebhookRepository.Delivery] {
        try await database.transaction { conn in
            _ = try Self.visible(id, scope: scope, on: conn)
            return try WebhookRepository.deliveries(on: conn, endpoint: id, status: status, limit: limit)
        }
    }

    /// Sends the endpoint's dead deliveries again (of one guild, or all), each stream from its dead delivery on,
    /// in order, with a new retry window.
    /// - Returns: how many deliveries were replayed.
    public func replay(_ id: Int64, scope: Int64?, guild: Int64?) async throws -> Int {
        if let scope, let guild, guild != scope { throw WebhookError.otherGuild(scope: scope, guild: guild) }
        let now = clock()
        return try await database.transaction { conn in
            _ = try Self.visible(id, scope: scope, on: conn)
            return try WebhookRepository.replayDead(on: conn, endpoint: id, guild: guild ?? scope, at: now)
        }
    }

    /// How long delivered deliveries are kept (to look at), as finished jobs are.
    public static let deliveredRetention: TimeInterval = 7 * 86_400

    /// Removes deliveries delivered longer ago than ``deliveredRetention``. - Returns: how many.
    @discardableResult
    public func prune() async throws -> Int {
        let before = clock().addingTimeInterval(-Self.deliveredRetention)
        return try await database.transaction { conn in try WebhookRepository.prune(on: conn, deliveredBefore: before) }
    }

    // MARK: Rules

    /// An endpoint the caller may see, or `endpointNotFound`.
    private static func visible(_ id: Int64, scope: Int64?, on conn: any SQLConnection) throws -> WebhookRepository.Endpoint {
        guard let endpoint = try WebhookRepository.endpoint(on: conn, id: id), scope == nil || endpoint.guildID == scope else {
            throw WebhookError.endpointNotFound(id)
        }
        return endpoint
    }

    /// An absolute http(s) URL with a host, no credentials, no whitespace or control characters.
    static func checkURL(_ text: String) throws -> String {
        guard !text.isEmpty, text.count <= maxURLLength else {
            throw WebhookError.invalidField("url", reason: "1 to \(maxURLLength) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0.value > 0x7E }) else {
            throw WebhookError.invalidField("url", reason: "must be ASCII without spaces or control characters (percent-encode the rest)")
        }
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parts.host, !host.isEmpty else {
            throw WebhookError.invalidField("url", reason: "an absolute http:// or https:// URL with a host, got '\(text)'")
        }
        guard parts.user == nil, parts.password == nil else {
            throw WebhookError.invalidField("url", reason: "must not hold credentials; receivers check the signature instead")
        }
        guard parts.fragment == nil else { throw WebhookError.invalidField("url", reason: "must not have a #fragment") }
        // URLComponents takes any digits for a port; libcurl would refuse the URL at every attempt.
        if let port = parts.port, !(1...65_535).contains(port) {
            throw WebhookError.invalidField("url", reason: "port must be 1-65535, got \(port)")
        }
        return text
    }

    /// 32 random bytes from the system's generator (getrandom on Linux), hex, with a prefix that says what it is.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + WebhookSignature.hex(bytes)
    }
}
