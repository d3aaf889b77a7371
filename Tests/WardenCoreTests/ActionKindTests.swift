import Foundation
import Testing
@testable import WardenCore

@Suite struct ActionKindTests {
    @Test func everyKindIsRegisteredUnderItsName() {
        for kind in ActionKinds.all {
            #expect(RuleAction.Kind(rawValue: kind.name.rawValue) == kind.name)
            #expect(ObjectIdentifier(kind.name.behaviour) == ObjectIdentifier(kind))
        }
        let named: [RuleAction.Kind] = [.delete, .warn, .mute, .timeout, .kick, .ban, .alert]
        #expect(named.map { $0.behaviour.name } == named)
        #expect(RuleAction.Kind(rawValue: "nuke") == nil)
    }

    @Test func ranksOrderTheKinds() {
        let byRank = RuleAction.Kind.allCases.sorted { ($0.rank, $0.rawValue) < ($1.rank, $1.rawValue) }.map(\.rawValue)
        #expect(byRank == ["alert", "delete", "nickname", "warn", "mute", "timeout", "kick", "ban"])
    }

    @Test func validationNamesTheKindsThatTakeAField() {
        #expect(RuleAction(type: .kick, durationSeconds: 60).problems().map(\.message) == ["only mute, timeout and ban take a duration"])
        #expect(RuleAction(type: .timeout, deleteMessageSeconds: 60).problems().map(\.message) == ["only ban takes delete_message_seconds"])
        #expect(RuleAction(type: .mute, durationSeconds: 60).problems().isEmpty)
    }

    @Test func reversalsComeFromTheKinds() {
        let user = Snowflake(42)
        var decision = Decision(messageID: Snowflake(1), guildID: Snowflake(2), channelID: Snowflake(3), userID: user,
                                verdict: .block, matches: [], escalation: nil, errors: [])
        decision.actions = [DiscordAction(type: .deleteMessage), DiscordAction(type: .ban, userID: user),
                            DiscordAction(type: .timeout, userID: user), DiscordAction(type: .alert)]
        #expect(ActionKinds.reversals(of: decision, reason: "r") == [
            DiscordAction(type: .removeTimeout, userID: user, reason: "r"), DiscordAction(type: .unban, userID: user, reason: "r"),
        ])
        decision.actions = [DiscordAction(type: .deleteMessage), DiscordAction(type: .kick, userID: user)]
        #expect(ActionKinds.reversals(of: decision, reason: "r").isEmpty)
    }

    @Test func unknownDiscordActionTypesAreRefused() {
        #expect((try? JSONDecoder().decode(DiscordAction.self, from: Data(#"{"type":"nuke"}"#.utf8))) == nil)
        #expect((try? JSONDecoder().decode(DiscordAction.self, from: Data(#"{"type":"unban"}"#.utf8)))?.type == .unban)
    }
}
