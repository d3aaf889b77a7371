import Foundation
import Testing
import WardenCore
@testable import WardenPipeline

private func rule(_ json: String) throws -> RuleDefinition { try RulePack.rule(json: Array(json.utf8), source: "test") }

private let when = Date(timeIntervalSince1970: 1_800_000_000)

/// The backtest's core, in memory: two compiled rule sets, messages, no store.
@Suite struct RuleReplayTests {
    static let anyNitro = #"{"name": "nitro", "type": "content", "keywords": ["nitro"], "action": {"type": "delete", "severity": 2}}"#
    static let freeNitro = #"{"name": "nitro", "type": "regex", "patterns": ["free\\s+nitro"], "action": {"type": "delete", "severity": 2}}"#
    static let pineapple = #"{"name": "no-pineapple", "type": "content", "keywords": ["pineapple"], "action": {"type": "warn", "severity": 1}}"#

    private func sets() throws -> (CompiledRuleSet, CompiledRuleSet) {
        let before = CompiledRuleSet(rules: [RuleSource(id: 1, definition: try rule(Self.anyNitro))])
        let after = CompiledRuleSet(rules: [RuleSource(id: 1, definition: try rule(Self.freeNitro)),
                                            RuleSource(id: nil, definition: try rule(Self.pineapple))])
        return (before, after)
    }

    @Test func countsWhatTheChangeMovesWithTheLogsAppeals() throws {
        let (before, after) = try sets()
        var replay = RuleReplay(change: "put nitro, no-pineapple", before: before, after: after, policy: GuildPolicy(), now: when)
        let logs: [(String, AppealStatus)] = [
            ("free nitro here", .denied),            // flagged by both
            ("my nitro expired yesterday", .approved), // a known false positive the change fixes
            ("nitro boost for the server?", .pending),
            ("pineapple pizza tonight", .none),       // logged once, allowed by today's rules, flagged after
            ("I love pineapple", .approved),          // a known false positive the change flags again
            ("hello", .none),
        ]
        for (i, (text, appeal)) in logs.enumerated() {
            replay.replay(message(text, at: when), from: .log(id: Int64(100 - i), appeal: appeal))
        }
        replay.replay(message("pineapple on everything", at: when), from: .message(line: 1))
        replay.replay(message("good morning", at: when), from: .message(line: 2))
        let report = replay.report
        #expect(report.replayed == RuleBacktest.Replayed(logs: 6, messages: 2))
        #expect(report.flaggedBefore == 3 && report.flaggedAfter == 4)
        #expect(report.noLongerFlagged.count == 2 && report.noLongerFlagged.fromLogs == 2 && report.noLongerFlagged.fromMessages == 0)
        #expect(report.noLongerFlagged.appeals == RuleBacktest.Appeals(approved: 1, denied: 0, pending: 1))
        #expect(report.newlyFlagged.count == 3 && report.newlyFlagged.fromLogs == 2 && report.newlyFlagged.fromMessages == 1)
        #expect(report.newlyFlagged.appeals == RuleBacktest.Appeals(approved: 1, denied: 0, pending: 0))
        #expect(report.complete && report.notes.isEmpty)

        let fixed = try #require(report.noLongerFlagged.examples.first)
        #expect(fixed.source == .log && fixed.logID == 99 && fixed.appeal == .approved && fixed.line == nil)
        #expect(fixed.excerpt == "my nitro expired yesterday")
        #expect(fixed.before == RuleBacktest.Judgement(verdict: .block, rules: ["nitro"]))
        #expect(fixed.after == RuleBacktest.Judgement(verdict: .allow, rules: []))
        let sample = try #require(report.newlyFlagged.examples.last)
        #expect(sample.source == .messages && sample.line == 1 && sample.logID == nil && sample.appeal == nil)
        #expect(sample.after == RuleBacktest.Judgement(verdict: .flag, rules: ["no-pineapple"]))
    }

    @Test func examplesAreCappedAndExcerptsCut() throws {
        let (before, after) = try sets()
        var limits = RuleBacktest.Limits()
        limits.examples = 2
        limits.excerptLength = 20
        var replay = RuleReplay(change: "c", before: before, after: after, policy: GuildPolicy(), limits: limits, now: when)
        for i in 0..<5 {
            replay.replay(message("pineapple " + String(repeating: "x", count: 40) + " \(i)", at: when), from: .message(line: i + 1))
        }
        let shift = replay.report.newlyFlagged
        #expect(shift.count == 5 && shift.examples.count == 2)
        #expect(shift.examples.map(\.line) == [1, 2])
        #expect(shift.examples[0].excerpt == "pineapple xxxxxxxxxx…")
        // The report's JSON names every key, examples' nulls included.
        let json = try JSONValue.parse(String(decoding: try JSONEncoder().encode(replay.report), as: UTF8.self))
        #expect(json.objectValue?.keys.sorted() == ["change", "complete", "elapsed_ms", "flagged_after", "flagged_before", "left_out",
                                                    "newly_flagged", "no_longer_flagged", "notes", "replayed"])
        #expect(json["newly_flagged"]?["examples"]?.arrayValue?.first?["log_id"] == .null)
        #expect(json["newly_flagged"]?["from_messages"] == 5)
    }

    /// Only what one message shows is replayed: windowed spam rules and `ai` rules are left out, with why.
    @Test func rulesThatCountOverAWindowAreLeftOut() throws {
        let (pack, _) = try RulePackDirectory.load(defaultPackPath)
        let sources = pack.map { RuleSource(id: nil, definition: $0.definition) }
        let (kept, leftOut) = RuleReplay.replayable(sources)
        let keptNames = Set(kept.map(\.definition.name))
        #expect(keptNames.contains("character-flood") && keptNames.contains("line-flood"), "per-message detectors stay")
        #expect(!keptNames.contains("message-rate") && !keptNames.contains("duplicate-messages"))
        #expect(leftOut.contains { $0.hasPrefix("message-rate (spam rate: counts over a window") })
        #expect(kept.allSatisfy { $0.definition.type != .ai })
        #expect(leftOut.contains { $0.contains("(ai: the LLM stage does not run") })
        #expect(kept.count + leftOut.count == sources.count)
    }

    /// A change applied to the stored rules: a put replaces by name (keeping the row id) or appends.
    @Test func changesApplyByName() throws {
        let stored = [RuleSource(id: 7, definition: try rule(Self.anyNitro))]
        let put = try RuleChange.put([try rule(Self.freeNitro), try rule(Self.pineapple)]).applied(to: stored, guild: 1)
        #expect(put.map(\.id) == [7, nil] && put[0].definition.type == .regex)
        let off = try RuleChange.disable("nitro").applied(to: stored, guild: 1)
        #expect(off.first?.definition.enabled == false)
        #expect(throws: RuleError.ruleNotFound("nope", guild: 1)) { _ = try RuleChange.enable("nope").applied(to: stored, guild: 1) }
    }
}
