import Foundation
import WardenCore
import WardenStore

extension DecisionWriter {
    /// Records a hit of Discord's native AutoMod as an automod log (source `discord_automod`, the matched
    /// keyword and text as evidence), once per hit however many of its actions' dispatches arrive. Discord has
    /// already acted, so the decision asks the bot for nothing of its own; the hit adds the guild's
    /// `discord_automod_points` to the member's escalation, and a ladder step it reaches is the decision's action.
    func writeNativeAutomod(_ execution: AutoModerationExecution, context: GuildContext) async throws -> ProcessedMessage {
        let now = clock()
        return try await retryingTransient {
            try await database.transaction { conn -> ProcessedMessage in
                let guild = execution.guildID.int64, key = execution.hitKey
                // Not filed under the message: an edit's "decision before" is Warden's own, not Discord's.
                guard try GatewayEventRepository.claim(on: conn, guild: guild, key: key, message: nil, at: now) else {
                    guard let json = try GatewayEventRepository.storedDecision(on: conn, guild: guild, key: key) else {
                        throw PipelineError.missingStoredDecision(guild: execution.guildID, message: execution.messageID ?? Snowflake(0))
                    }
                    let decision = try JSONDecoder().decode(Decision.self, from: Data(json.utf8))
                    return ProcessedMessage(decision: decision, replayed: true, evaluationMillis: 0, json: try Self.json(decision))
                }
                try AutomodRepository.lockUser(on: conn, guild: guild, user: execution.userID.int64)
                // A blocked message was never posted and has no id; the alert Discord posted stands for it.
                let message = DiscordMessage(
                    id: execution.messageID ?? execution.alertSystemMessageID ?? Snowflake(0), guildID: execution.guildID,
                    channelID: execution.channelID ?? Snowflake(0), author: .init(id: execution.userID),
                    content: execution.content, timestamp: now)
                let points = context.policy.discordAutomodPoints
                let match = RuleMatch(
                    rule: "Discord AutoMod rule \(execution.ruleID)", ruleID: nil, type: .discordAutomod, stage: .content,
                    evidence: Evidence(keyword: execution.matchedKeyword.map { String($0.prefix(200)) },
                                       text: execution.matchedContent.map { String($0.prefix(200)) }, source: "discord_automod"),
                    action: RuleAction(type: .warn, severity: 1, points: points, deleteMessage: execution.blocked,
                                       reason: "Discord AutoMod rule \(execution.ruleID)"))
                // Discord deleted, warned and timed out already; only the ladder's step is Warden's to ask for.
                let violation = Violation(message: message, matches: [match], failures: [], analysis: nil, evaluationMillis: 0,
                                          pointMatches: points > 0 ? [match] : [], source: "discord_automod", revision: key,
                                          subject: .actedOnByDiscord)
                let decision = try Self.record(violation, context: context, now: now, on: conn, triggers: nil) { decision in
                    decision.stages["discord_automod"] = "action \(execution.action.type), trigger \(execution.ruleTriggerType)"
                    // A blocked message has no id (and a member-profile hit no channel): null, not 0.
                    decision.messageID = execution.messageID
                    decision.channelID = execution.channelID
                }
                let encoded = try Self.json(decision)
                try GatewayEventRepository.storeDecision(on: conn, guild: guild, key: key, decisionJSON: encoded)
                return ProcessedMessage(decision: decision, replayed: false, evaluationMillis: 0, json: encoded)
            }
        }
    }
}

extension MessagePipeline {
    /// Records an `AUTO_MODERATION_ACTION_EXECUTION` (see `DecisionWriter.writeNativeAutomod`).
    public func processNativeAutomod(_ execution: AutoModerationExecution) async throws -> ProcessedMessage {
        let context = try await guilds.context(for: execution.guildID)
        return try await writer.writeNativeAutomod(execution, context: context)
    }
}
