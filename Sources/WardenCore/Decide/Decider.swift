import Foundation

/// Turns matches into a decision: the strongest action wins, then the escalation ladder may raise it.
public enum Decider {
    /// Points each rule type adds for this message: the largest of its matches (three scam rules hitting
    /// one message are one violation, not three).
    public static func points(for matches: [RuleMatch]) -> [String: Double] {
        var out: [String: Double] = [:]
        for match in matches where match.action.type.behaviour.addsPoints {
            out[match.type.rawValue] = max(out[match.type.rawValue] ?? 0, match.action.effectivePoints)
        }
        return out
    }

    /// The strongest action among matches: by severity, then kind, then timeout length.
    public static func strongest(_ actions: [RuleAction]) -> RuleAction? {
        actions.max(by: weaker)
    }

    /// Whether `a` punishes less than `b`, severity aside: a milder kind, then a shorter timeout.
    static func milder(_ a: RuleAction, than b: RuleAction) -> Bool {
        let rankA = a.type.rank, rankB = b.type.rank
        if rankA != rankB { return rankA < rankB }
        return (a.timeoutSeconds ?? 0) < (b.timeoutSeconds ?? 0)
    }

    /// Whether `a` is weaker than `b`: lower severity, then a milder kind, then a shorter timeout.
    static func weaker(_ a: RuleAction, than b: RuleAction) -> Bool {
        if a.severity != b.severity { return a.severity < b.severity }
        return milder(a, than: b)
    }

    /// What a decision is about.
    public enum Subject: Sendable {
        /// A message (`message` is it): a rule that deletes deletes it, and the verdict is `block` then.
        case message
        /// A member who joined or changed their names (`message` carries the member and their names as text):
        /// there is no message to delete or point at, so the decision has none and its verdict is `flag`.
        case member
        /// A message Discord's own AutoMod acted on already (blocked it, or deleted, warned or timed it out):
        /// the rule's action is Discord's, so Warden asks only for a ladder step the hit's points reach, and for
        /// nothing (not even an alert) when none is. Its verdict says what Discord did: `block` for a message
        /// it kept from being posted.
        case actedOnByDiscord
    }

    /// Builds the decision for `message` from its matches, failures and (when the store was consulted)
    /// the escalation state and ladder step.
    public static func decide(message: DiscordMessage, about subject: Subject = .message, matches: [RuleMatch], failures: [RuleFailure],
                              escalation: EscalationState?, step: LadderStep?, policy: GuildPolicy, now: Date) -> Decision {
        let isMessage = subject != .member
        var decision = Decision(messageID: isMessage ? message.id : nil, guildID: message.guildID,
                                channelID: isMessage ? message.channelID : nil, userID: message.author.id, verdict: .allow,
                                matches: matches, escalation: escalation, errors: failures)
        let disabled = failures.filter(\.disabled)
        if !disabled.isEmpty {
            decision.actions.append(DiscordAction(type: .alert, channelID: policy.modChannelID, content:
                "Automod disabled rule(s) \(disabled.map { "'\($0.rule)'" }.joined(separator: ", ")) after repeated \(disabled[0].code) errors; fix the pattern and re-enable."))
        }
        guard let primary = strongest(matches.map(\.action)) else { return decision }
        // Only alerts (self-harm): moderators are told, the member is not punished, not even by the ladder.
        let alertOnly = matches.allSatisfy { $0.action.type == .alert }
        let step = alertOnly ? nil : step

        let deletes = isMessage && matches.contains { $0.action.deletesMessage }
        let ownActions = subject != .actedOnByDiscord
        if deletes && ownActions { decision.actions.append(DiscordAction(type: .deleteMessage, channelID: message.channelID, messageID: message.id)) }

        // The rule's punishment and the ladder's: the stronger applies.
        var punishment: RuleAction? = ownActions && primary.type.behaviour.punishes ? primary : nil
        if let step {
            if let current = punishment {
                if Self.milder(current, than: step.action) { punishment = step.action }
            } else {
                punishment = step.action
            }
        }
        let reason = primary.reason ?? "Automod: \(matches[0].rule)"
        // Each kind builds its own Discord action (`ActionKind.discordAction`); delete and alert have none.
        if let punishment, var action = punishment.type.behaviour.discordAction(
            punishment, against: message.author.id, reason: punishment.reason ?? reason, now: now) {
            // A guild with a mute role mutes with it (Warden removes it at the mute's end); without one, a mute is
            // Discord's own timeout.
            if punishment.type == .mute, let role = policy.muteRoleID {
                action = DiscordAction(type: .addRole, userID: message.author.id, durationSeconds: punishment.timeoutSeconds, reason: action.reason)
                action.roleID = role
            }
            decision.actions.append(action)
        }
        decision.verdict = deletes ? .block : .flag
        guard ownActions || punishment != nil else { return decision }
        let ladderNote = escalation.map { ", escalation level \($0.level) (\(String(format: "%.1f", $0.points)) points)" } ?? ""
        let what = isMessage ? "a message from <@\(message.author.id)> in <#\(message.channelID)>" : "member <@\(message.author.id)>"
        decision.actions.append(DiscordAction(type: .alert, channelID: policy.modChannelID, userID: message.author.id, content:
            "Automod \(deletes ? "blocked" : alertOnly ? "asks a moderator to look at" : "flagged") \(what): \(matches.map(\.rule).joined(separator: ", "))\(ladderNote)"))
        return decision
    }
}
