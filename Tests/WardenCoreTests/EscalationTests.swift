import Testing
import Foundation
@testable import WardenCore

@Suite struct EscalationTests {
    let ladder = EscalationLadder.standard
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func eachLadderStepIsReachedInTurn() {
        var history: [PointsRecord] = []
        var levels: [Int] = []
        var steps: [RuleAction.Kind?] = []
        for _ in 0..<5 {
            let outcome = Escalation.apply(history: history, adding: ["content": 2.5], now: t0, ladder: ladder)
            history = outcome.records
            levels.append(outcome.state.level)
            steps.append(outcome.step?.action.type)
        }
        // 2.5, 5, 7.5, 10, 12.5 points (no time passes, so no decay): below 3, >=3, >=6, >=10, >=10
        #expect(levels == [0, 1, 2, 3, 3])
        #expect(steps == [nil, .timeout, .timeout, .ban, .ban])
    }

    @Test func pointsDecayWithTheHalfLife() {
        let record = PointsRecord(ruleType: "spam", points: 8, violations: 2, lastViolation: t0)
        let later = t0.addingTimeInterval(72 * 3600)
        #expect(abs(Escalation.decayed(8, from: t0, to: later, halfLifeHours: 72) - 4) < 1e-9)
        let outcome = Escalation.apply(history: [record], adding: ["spam": 1], now: later, ladder: ladder)
        #expect(abs(outcome.state.points - 5) < 1e-9)
        #expect(outcome.state.previousLevel == 1 && outcome.state.level == 1)
        #expect(outcome.step?.action.durationSeconds == 600)
        let quiet = Escalation.apply(history: [record], adding: [:], now: t0.addingTimeInterval(30 * 86400), ladder: ladder)
        #expect(quiet.state.level == 0)
    }

    @Test func pointsAreCountedPerRuleType() {
        let records = Escalation.apply(history: [], adding: ["spam": 2, "content": 3], now: t0, ladder: ladder).records
        #expect(Set(records.map(\.ruleType)) == ["spam", "content"])
    }
}

@Suite struct DeciderTests {
    let message = DiscordMessage(id: Snowflake(5), guildID: Snowflake(1), channelID: Snowflake(2),
                                 author: .init(id: Snowflake(3)), content: "x", timestamp: Date())

    func match(_ name: String, _ action: RuleAction) -> RuleMatch {
        RuleMatch(rule: name, ruleID: 1, type: .content, stage: .content, evidence: Evidence(), action: action)
    }

    @Test func strongestActionWinsAndComesOutInDiscordTerms() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let decision = Decider.decide(message: message, matches: [
            match("a", RuleAction(type: .warn, severity: 1)),
            match("b", RuleAction(type: .timeout, severity: 4, durationSeconds: 3600)),
            match("c", RuleAction(type: .delete, severity: 2)),
        ], failures: [], escalation: nil, step: nil, policy: GuildPolicy(modChannelID: Snowflake(99)), now: now)
        #expect(decision.verdict == .block)
        #expect(decision.actions.map(\.type) == [.deleteMessage, .timeout, .alert])
        let timeout = try #require(decision.actions.first { $0.type == .timeout })
        #expect(timeout.durationSeconds == 3600)
        #expect(timeout.communicationDisabledUntil == DiscordTimestamp.format(now.addingTimeInterval(3600)))
        #expect(decision.actions.last?.channelID == Snowflake(99))
    }

    @Test func warnOnlyFlagsAndLadderCanRaiseThePunishment() {
        let step = LadderStep(points: 10, action: RuleAction(type: .ban, severity: 5, deleteMessageSeconds: 86400))
        let decision = Decider.decide(message: message, matches: [match("a", RuleAction(type: .warn, severity: 1))],
                                      failures: [], escalation: nil, step: step, policy: GuildPolicy(), now: Date())
        #expect(decision.verdict == .flag)
        #expect(decision.actions.map(\.type) == [.ban, .alert])
        #expect(decision.actions[0].deleteMessageSeconds == 86400)
    }

    /// About a member (a join or new names): nothing to delete or point at, a flag, an alert naming the member.
    @Test func aMemberDecisionHasNoMessage() throws {
        let decision = Decider.decide(message: message, about: .member, matches: [
            match("a", RuleAction(type: .timeout, severity: 4, durationSeconds: 600, deleteMessage: true)),
        ], failures: [], escalation: nil, step: nil, policy: GuildPolicy(modChannelID: Snowflake(99)), now: Date())
        #expect(decision.verdict == .flag && decision.messageID == nil && decision.channelID == nil)
        #expect(decision.actions.map(\.type) == [.timeout, .alert])
        let alert = try #require(decision.actions.last?.content)
        #expect(alert.hasPrefix("Automod flagged member <@\(message.author.id)>: a") && !alert.contains("<#"), "\(alert)")
    }

    /// Acted on by Discord's AutoMod: no action of the rule's, only a ladder step it reaches (and then its alert).
    @Test func discordsOwnActionsAreNotAskedForAgain() throws {
        let hit = match("Discord AutoMod rule 1", RuleAction(type: .warn, severity: 1, points: 2, deleteMessage: true))
        let quiet = Decider.decide(message: message, about: .actedOnByDiscord, matches: [hit], failures: [], escalation: nil, step: nil,
                                   policy: GuildPolicy(), now: Date())
        #expect(quiet.verdict == .block && quiet.actions.isEmpty && quiet.messageID == message.id)
        let step = LadderStep(points: 10, action: RuleAction(type: .timeout, severity: 4, durationSeconds: 3600))
        let stepped = Decider.decide(message: message, about: .actedOnByDiscord, matches: [hit], failures: [], escalation: nil, step: step,
                                     policy: GuildPolicy(), now: Date())
        #expect(stepped.actions.map(\.type) == [.timeout, .alert])
    }

    @Test func noMatchesAllow() {
        let decision = Decider.decide(message: message, matches: [], failures: [], escalation: nil, step: nil,
                                      policy: GuildPolicy(), now: Date())
        #expect(decision.verdict == .allow && decision.actions.isEmpty)
    }
}
