import Foundation
import WardenCore

/// The pure core of a backtest: judges messages with a rule set before and after a change, in memory, and
/// tallies which verdicts the change moves (``RuleBacktest``). No store, no LLM, no escalation: each side is
/// a ``RuleTrial`` of its own, so neither side's spam windows see the other's messages.
///
/// Only what one message shows can be replayed: the automod log keeps the text, member, channel and
/// time, nothing of the messages around it. ``replayable(_:)`` leaves out the rules that count over a
/// window of messages (spam rate, duplicates, mentions, links, ... summed over a window) and `ai` rules
/// (the LLM stage does not run in a trial); per-message spam rules (lines, character floods, caps) stay.
public struct RuleReplay: Sendable {
    public let before: CompiledRuleSet
    public let after: CompiledRuleSet
    public let policy: GuildPolicy
    public let limits: RuleBacktest.Limits
    /// The decision time of every judgement (the escalation ladder is not applied, so it only dates them).
    public let now: Date
    public private(set) var report: RuleBacktest
    private let beforeTrial = RuleTrial()
    private let afterTrial = RuleTrial()

    public init(change: String, before: CompiledRuleSet, after: CompiledRuleSet, policy: GuildPolicy,
                limits: RuleBacktest.Limits = RuleBacktest.Limits(), now: Date) {
        self.before = before; self.after = after; self.policy = policy; self.limits = limits; self.now = now
        report = RuleBacktest(change: change)
    }

    /// Where a replayed message came from.
    public enum Origin: Sendable, Equatable {
        /// A stored log, with its appeal's status.
        case log(id: Int64, appeal: AppealStatus)
        /// The admin's `line`-th message (from 1).
        case message(line: Int)
    }

    /// Judges `message` with both sets and counts it.
    public mutating func replay(_ message: DiscordMessage, from origin: Origin) {
        let old = judge(message, beforeTrial, before), new = judge(message, afterTrial, after)
        switch origin {
        case .log: report.replayed.logs += 1
        case .message: report.replayed.messages += 1
        }
        let flaggedBefore = old.verdict != .allow, flaggedAfter = new.verdict != .allow
        if flaggedBefore { report.flaggedBefore += 1 }
        if flaggedAfter { report.flaggedAfter += 1 }
        guard flaggedBefore != flaggedAfter else { return }
        var shift = flaggedAfter ? report.newlyFlagged : report.noLongerFlagged
        shift.count += 1
        switch origin {
        case .log(_, let appeal):
            shift.fromLogs += 1
            switch appeal {
            case .approved: shift.appeals.approved += 1
            case .denied: shift.appeals.denied += 1
            case .pending: shift.appeals.pending += 1
            case .none: break
            }
        case .message:
            shift.fromMessages += 1
        }
        if shift.examples.count < limits.examples {
            shift.examples.append(example(message, origin, old, new))
        }
        if flaggedAfter { report.newlyFlagged = shift } else { report.noLongerFlagged = shift }
    }

    /// Records that a limit stopped the replay.
    public mutating func stop(_ note: String) {
        report.complete = false
        report.notes.append(note)
    }

    /// Adds a note that does not mean the replay stopped early.
    public mutating func note(_ note: String) { report.notes.append(note) }

    /// Records the rules left out and the time taken.
    public mutating func finish(leftOut: [String], elapsed: Duration) {
        report.leftOut = leftOut
        let (seconds, attoseconds) = elapsed.components
        report.elapsedMillis = Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    private func judge(_ message: DiscordMessage, _ trial: RuleTrial, _ rules: CompiledRuleSet) -> RuleBacktest.Judgement {
        let decision = trial.run(message, rules: rules, policy: policy, now: now).decision
        var names: [String] = []
        for match in decision.matches where !names.contains(match.rule) { names.append(match.rule) }
        return RuleBacktest.Judgement(verdict: decision.verdict, rules: names)
    }

    private func example(_ message: DiscordMessage, _ origin: Origin, _ old: RuleBacktest.Judgement,
                         _ new: RuleBacktest.Judgement) -> RuleBacktest.Example {
        let text = message.content
        let excerpt = text.count > limits.excerptLength ? String(text.prefix(limits.excerptLength)) + "…" : text
        switch origin {
        case .log(let id, let appeal):
            return RuleBacktest.Example(source: .log, logID: id, line: nil, messageID: message.id, appeal: appeal, excerpt: excerpt,
                                        before: old, after: new)
        case .message(let line):
            return RuleBacktest.Example(source: .messages, logID: nil, line: line, messageID: message.id, appeal: nil, excerpt: excerpt,
                                        before: old, after: new)
        }
    }

    /// The rules a replay can judge, and a line for each one left out saying why.
    public static func replayable(_ rules: [RuleSource]) -> (kept: [RuleSource], leftOut: [String]) {
        var kept: [RuleSource] = [], leftOut: [String] = []
        for rule in rules {
            let definition = rule.definition
            switch definition.type {
            case .ai:
                leftOut.append("\(definition.name) (ai: the LLM stage does not run in a backtest)")
            case .spam:
                let detector = definition.config(as: SpamKind.self)?.detector.flatMap(SpamDetector.init(rawValue:))
                if let detector, detector.isPerMessage {
                    kept.append(rule)
                } else {
                    leftOut.append("\(definition.name) (spam \(detector?.rawValue ?? "?"): counts over a window of messages, "
                                   + "and the automod log keeps only the messages it acted on)")
                }
            default:
                kept.append(rule)
            }
        }
        return (kept, leftOut)
    }
}
