import Foundation
import WardenCore
import WardenStore

/// Members joining and changing their profile (`GUILD_MEMBER_ADD`, `GUILD_MEMBER_UPDATE`): profile rules and
/// the account-age gate on their names and account, and raid protection on joins. Each dispatch is judged
/// once (by member and `joined_at`, or by member and names) and answered with a decision of the usual shape
/// whose `message_id` and `channel_id` are null. Raid mode starts and ends with an event on the feed
/// (`raid_started`, `raid_ended`), exactly once however many instances share the store.
public struct MemberDesk: Sendable {
    public let pipeline: MessagePipeline
    let check = ProfileCheck()

    /// The events raid mode writes to the feed.
    public static let raidStartedEventKind = "raid_started"
    public static let raidEndedEventKind = "raid_ended"

    public init(pipeline: MessagePipeline) { self.pipeline = pipeline }

    var writer: DecisionWriter { pipeline.writer }

    /// Judges a member who joined: the raid counts, then the profile rules (the age gate included).
    public func join(_ member: GuildMember, sequence: Int64? = nil) async throws -> ProcessedMessage {
        let context = try await pipeline.guilds.context(for: member.guildID)
        let now = pipeline.clock()
        // Discord's time of the join, never later than now: a join "in the future" must not hold a raid open
        // or push the lockdown past Discord's 24 hours.
        let joinedAt = min(member.joined(or: now), now)
        let profile = check.evaluate(member, rules: context.rules, now: joinedAt)
        let key = "join:\(member.user.id):\(member.joinedAt ?? DiscordTimestamp.format(joinedAt))"
        let namesKey = Self.namesKey(member)
        let nameKey = RaidPolicy.nameKey(member.user.username ?? "")
        let raidPolicy = context.policy.raid
        return try await writer.retryingTransient {
            try await pipeline.database.transaction { conn -> ProcessedMessage in
                let guild = member.guildID.int64
                if let replay = try Self.replay(on: conn, guild: guild, key: key, at: now) { return replay }
                // Joins of one guild are counted one at a time, so one raid starts once.
                try AutomodRepository.lockGuild(on: conn, guild: guild)
                _ = try MemberJoinRepository.record(on: conn, .init(guild: guild, user: member.user.id.int64, joinedAt: joinedAt,
                                                                     accountCreated: member.accountCreated, nameKey: nameKey))
                var raid = try MemberJoinRepository.activeRaid(on: conn, guild: guild)
                // Raid mode ends after `quiet_seconds` with no surge (a window over a threshold), or when the guild
                // switched raid protection off.
                if let going = raid, !raidPolicy.enabled || joinedAt.timeIntervalSince(going.lastJoinAt) > raidPolicy.quietSeconds {
                    try Self.end(going, quietSeconds: raidPolicy.enabled ? raidPolicy.quietSeconds : 0, on: conn, now: now)
                    raid = nil
                }
                var started: RaidPolicy.Trigger?
                var surging = false
                // Joins delivered long after they happened (a bot catching up) are recorded but start no raid now.
                let current = now.timeIntervalSince(joinedAt) <= max(raidPolicy.windowSeconds, 600)
                if member.user.bot != true, current {
                    let counts = try MemberJoinRepository.counts(
                        on: conn, guild: guild, since: joinedAt.addingTimeInterval(-raidPolicy.windowSeconds), until: joinedAt,
                        youngAfter: joinedAt.addingTimeInterval(-raidPolicy.youngAccountDays * 86_400), nameKey: nameKey)
                    let trigger = raidPolicy.trigger(.init(joins: counts.joins, youngJoins: counts.young, similarNames: counts.similar))
                    surging = trigger != nil
                    if raid == nil, let trigger {
                        raid = try MemberJoinRepository.startRaid(on: conn, guild: guild, trigger: trigger.kind, observed: trigger.observed,
                                                                  threshold: trigger.threshold, at: joinedAt)
                        started = trigger
                        _ = try EventRepository.append(on: conn, guild: guild, kind: Self.raidStartedEventKind,
                                                       payloadJSON: try Self.json(RaidEvent(guildID: member.guildID, trigger: trigger, at: joinedAt, endedAt: nil, joins: 1)), at: now)
                    } else if let going = raid {
                        try MemberJoinRepository.joinDuringRaid(on: conn, raid: going.id, at: joinedAt, surge: surging)
                    }
                }
                var matches = profile
                if let raid, member.user.bot != true, current {
                    matches.append(RuleMatch(rule: "raid-protection", ruleID: nil, type: .raid, stage: .content,
                                             evidence: Evidence(detector: raid.trigger, observed: raid.observed, threshold: raid.threshold,
                                                                windowSeconds: raidPolicy.windowSeconds, source: "raid"),
                                             action: raidPolicy.action))
                }
                var decision = try writer.recordMember(member, matches: matches, pointMatches: profile, context: context, at: joinedAt, now: now, revision: key, on: conn)
                // One alert for the raid (below, at its start), not one per member joining during it.
                if profile.isEmpty { decision.actions.removeAll { $0.type == .alert } }
                if let started {
                    let until = DiscordTimestamp.format(now.addingTimeInterval(raidPolicy.lockdownHours * 3_600))
                    if raidPolicy.lockdownHours > 0 {
                        var lockdown = DiscordAction(type: .incidentActions, reason: "Raid: \(started.observed) \(started.kind.replacingOccurrences(of: "_", with: " ")) in \(Int(raidPolicy.windowSeconds)) s")
                        lockdown.invitesDisabledUntil = until
                        lockdown.dmsDisabledUntil = until
                        decision.actions.insert(lockdown, at: 0)
                    }
                    decision.actions.append(DiscordAction(type: .alert, channelID: context.policy.modChannelID, content:
                        "Raid mode: \(started.observed) \(started.kind == "joins" ? "joins" : started.kind == "young_accounts" ? "joins of young accounts" : "joins with near-identical names") within \(Int(raidPolicy.windowSeconds)) s (threshold \(started.threshold))."
                        + (raidPolicy.lockdownHours > 0 ? " Invites and DMs are paused until \(until)." : "")
                        + " Members joining now get: \(raidPolicy.action.type.rawValue)."))
                }
                let encoded = try DecisionWriter.json(decision)
                try GatewayEventRepository.storeDecision(on: conn, guild: guild, key: key, decisionJSON: encoded)
                // The names are judged here: a profile update that does not change them has nothing to judge.
                try MemberNamesRepository.set(on: conn, guild: guild, user: member.user.id.int64,
                                              .init(namesHash: namesKey, sequence: sequence, decisionJSON: encoded), at: now)
                return ProcessedMessage(decision: decision, replayed: false, evaluationMillis: 0, json: encoded)
            }
        }
    }

    /// Judges a member whose profile changed: their names against the profile rules (not the age gate alone,
    /// which is a condition of joining). The same names are judged once.
    /// `sequence` is the dispatch's `s`: the same dispatch delivered again (same names, same sequence) gets its
    /// first answer; another update with names unchanged since they were judged (Discord sends one for roles,
    /// timeouts and more) has nothing to judge, so a member is not punished twice for one name; a name taken
    /// back after a rename is judged again.
    public func update(_ member: GuildMember, sequence: Int64? = nil) async throws -> GatewayOutcome {
        let context = try await pipeline.guilds.context(for: member.guildID)
        let now = pipeline.clock()
        let profile = check.evaluate(member, rules: context.rules, now: now).filter { $0.evidence.field != nil }
        let key = Self.namesKey(member)
        return try await writer.retryingTransient {
            try await pipeline.database.transaction { conn -> GatewayOutcome in
                let guild = member.guildID.int64, user = member.user.id.int64
                try AutomodRepository.lockUser(on: conn, guild: guild, user: user)
                if let judged = try MemberNamesRepository.current(on: conn, guild: guild, user: user), judged.namesHash == key {
                    if let sequence, judged.sequence == sequence, let decision = try? JSONDecoder().decode(Decision.self, from: Data(judged.decisionJSON.utf8)) {
                        return .judged(ProcessedMessage(decision: decision, replayed: true, evaluationMillis: 0, json: try DecisionWriter.json(decision)))
                    }
                    return .nothingToDo("the member's names have not changed since they were judged")
                }
                let decision = try writer.recordMember(member, matches: profile, pointMatches: profile, context: context, at: now, now: now,
                                                       revision: key + ":" + String(sequence ?? 0), on: conn)
                let encoded = try DecisionWriter.json(decision)
                try MemberNamesRepository.set(on: conn, guild: guild, user: user, .init(namesHash: key, sequence: sequence, decisionJSON: encoded), at: now)
                return .judged(ProcessedMessage(decision: decision, replayed: false, evaluationMillis: 0, json: encoded))
            }
        }
    }

    /// The claim of a member's names (username, global name, nickname) as judged.
    static func namesKey(_ member: GuildMember) -> String {
        let names = member.names.map { "\($0.field.rawValue)=\($0.text)" }.joined(separator: "\u{0}")
        return "profile:\(member.user.id):\(MessageRevision.fnv(names))"
    }

    /// Ends the raids whose last join is `quiet_seconds` past (each guild's own setting), with a
    /// `raid_ended` event each; returns how many. The service calls this every few seconds.
    @discardableResult
    public func endQuietRaids() async throws -> Int {
        let now = pipeline.clock()
        // The shortest quiet period a guild may set; each raid is then held to its own guild's.
        let candidates = try await pipeline.database.transaction { conn in
            try MemberJoinRepository.quietRaids(on: conn, lastJoinBefore: now)
        }
        var ended = 0
        var failure: (any Error)?
        for raid in candidates {
            // One guild's trouble (a setting that does not load) must not keep the others' raids open.
            do {
                let policy = try await pipeline.guilds.context(for: Snowflake(UInt64(bitPattern: raid.guild))).policy.raid
                let quiet = policy.enabled ? policy.quietSeconds : 0
                guard now.timeIntervalSince(raid.lastJoinAt) > quiet else { continue }
                let done = try await pipeline.database.transaction { conn -> Bool in
                    try AutomodRepository.lockGuild(on: conn, guild: raid.guild)
                    guard let current = try MemberJoinRepository.activeRaid(on: conn, guild: raid.guild), current.id == raid.id,
                          now.timeIntervalSince(current.lastJoinAt) > quiet else { return false }
                    try Self.end(current, quietSeconds: quiet, on: conn, now: now)
                    return true
                }
                if done { ended += 1 }
            } catch {
                failure = error
            }
        }
        if let failure, ended == 0 { throw failure }
        return ended
    }

    // MARK: - Steps

    /// The stored answer to a join already judged; nil (and the join claimed at `now`, the pipeline's clock,
    /// which pruning reads) for a new one.
    private static func replay(on conn: any SQLConnection, guild: Int64, key: String, at now: Date) throws -> ProcessedMessage? {
        guard !(try GatewayEventRepository.claim(on: conn, guild: guild, key: key, message: nil, at: now)) else { return nil }
        guard let json = try GatewayEventRepository.storedDecision(on: conn, guild: guild, key: key),
              let decision = try? JSONDecoder().decode(Decision.self, from: Data(json.utf8)) else {
            throw PipelineError.missingStoredDecision(guild: Snowflake(UInt64(bitPattern: guild)), message: Snowflake(0))
        }
        return ProcessedMessage(decision: decision, replayed: true, evaluationMillis: 0, json: try DecisionWriter.json(decision))
    }

    /// Ends `raid` at its last join plus the quiet period, with its event.
    private static func end(_ raid: MemberJoinRepository.Raid, quietSeconds: Double, on conn: any SQLConnection, now: Date) throws {
        let endedAt = min(now, raid.lastJoinAt.addingTimeInterval(quietSeconds))
        guard try MemberJoinRepository.endRaid(on: conn, raid: raid.id, at: endedAt) else { return }
        let event = RaidEvent(guildID: Snowflake(UInt64(bitPattern: raid.guild)),
                              trigger: .init(kind: raid.trigger, observed: raid.observed, threshold: raid.threshold),
                              at: raid.startedAt, endedAt: endedAt, joins: raid.joins)
        _ = try EventRepository.append(on: conn, guild: raid.guild, kind: raidEndedEventKind, payloadJSON: try json(event), at: now)
    }

    /// The payload of `raid_started` and `raid_ended`.
    struct RaidEvent: Encodable {
        let guildID: Snowflake
        let trigger: RaidPolicy.Trigger
        let at: Date
        let endedAt: Date?
        let joins: Int

        enum CodingKeys: String, CodingKey { case guildID = "guild_id", trigger, startedAt = "started_at", endedAt = "ended_at", joins }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(guildID, forKey: .guildID); try c.encode(trigger, forKey: .trigger)
            try c.encode(DiscordTimestamp.format(at), forKey: .startedAt)
            try c.encode(endedAt.map(DiscordTimestamp.format), forKey: .endedAt)
            try c.encode(joins, forKey: .joins)
        }
    }

    static func json(_ value: some Encodable) throws -> String { String(decoding: try DecisionWriter.encoder.encode(value), as: UTF8.self) }
}

extension DecisionWriter {
    /// Writes what a member's join or profile change broke, inside the caller's transaction: like a message's
    /// violation (points for `pointMatches`, the ladder, a log with no message), decided about a member
    /// (`Decider.Subject.member`). No match: an allowed decision.
    func recordMember(_ member: GuildMember, matches: [RuleMatch], pointMatches: [RuleMatch], context: GuildContext, at time: Date,
                      now: Date, revision: String, on conn: any SQLConnection) throws -> Decision {
        let names = member.names.map { "\($0.field.rawValue): \($0.text)" }.joined(separator: "\n")
        let message = DiscordMessage(id: Snowflake(0), guildID: member.guildID, channelID: Snowflake(0), author: .init(id: member.user.id, username: member.user.username),
                                     member: .init(roles: member.roles), content: names, timestamp: time)
        guard !matches.isEmpty else {
            return Decider.decide(message: message, about: .member, matches: [], failures: [], escalation: nil, step: nil, policy: context.policy, now: now)
        }
        try AutomodRepository.lockUser(on: conn, guild: member.guildID.int64, user: member.user.id.int64)
        let violation = Violation(message: message, matches: matches, failures: [], analysis: nil, evaluationMillis: 0,
                                  pointMatches: pointMatches, revision: revision, subject: .member)
        return try Self.record(violation, context: context, now: now, on: conn, triggers: nil) { _ in }
    }
}
