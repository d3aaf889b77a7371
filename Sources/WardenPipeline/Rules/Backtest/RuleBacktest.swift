import Foundation
import WardenCore

/// What a rule change would have done to messages the guild already saw: the answer of a backtest.
///
/// Both rule sets, the guild's rules as they are and as they would be after the change, judge the same
/// messages now, so the difference is the change's alone (not what other changes since a message was
/// logged did). JSON keys are snake_case; every key is present.
public struct RuleBacktest: Codable, Sendable, Equatable {
    /// How far a backtest goes. The defaults keep one within a few seconds and a few MiB for a guild with
    /// 100,000 logs (README, "Rule backtests").
    public struct Limits: Sendable, Equatable {
        /// The newest logs replayed at most.
        public var maxLogs = 100_000
        /// Messages of the admin's own at most (a JSONL file, or `messages` in the request).
        public var maxMessages = 10_000
        /// When this has passed, the backtest stops after the page it is on and says so.
        public var timeBudget: Duration = .seconds(30)
        /// Examples kept per direction.
        public var examples = 20
        /// Characters of a message shown in an example.
        public var excerptLength = 160
        /// Logs read per query (keyset paging; only one page is held at a time).
        public var pageSize = 500

        public init() {}

        /// The largest `maxLogs` a caller may ask for.
        public static let logCap = 100_000
    }

    /// Where one replayed message came from.
    public enum Source: String, Codable, Sendable {
        /// A stored automod log.
        case log
        /// A message the admin gave (`messages`, a JSONL file).
        case messages
    }

    /// A verdict and the rules behind it.
    public struct Judgement: Codable, Sendable, Equatable {
        public var verdict: Verdict
        /// The matching rules' names, in match order.
        public var rules: [String]

        public init(verdict: Verdict, rules: [String]) { self.verdict = verdict; self.rules = rules }
    }

    /// One message whose verdict the change moves.
    public struct Example: Codable, Sendable, Equatable {
        public var source: Source
        /// The log's id (source `log`).
        public var logID: Int64?
        /// The message's position among the admin's, from 1 (source `messages`).
        public var line: Int?
        public var messageID: Snowflake
        /// Where the log's appeal stands (`none` when nobody appealed); nil for the admin's messages.
        public var appeal: AppealStatus?
        /// The start of the message's text, cut at `excerptLength` characters (`…` marks a cut). It is the
        /// member's text: JSON escapes it here, the CLI prints it escaped.
        public var excerpt: String
        public var before: Judgement
        public var after: Judgement

        enum CodingKeys: String, CodingKey {
            case source, logID = "log_id", line, messageID = "message_id", appeal, excerpt, before, after
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(source, forKey: .source); try AppealJSON.encodeOrNull(logID, &c, .logID)
            try AppealJSON.encodeOrNull(line, &c, .line); try c.encode(messageID, forKey: .messageID)
            try AppealJSON.encodeOrNull(appeal, &c, .appeal); try c.encode(excerpt, forKey: .excerpt)
            try c.encode(before, forKey: .before); try c.encode(after, forKey: .after)
        }
    }

    /// Appeals of the logs in one direction: approved ones are known false positives.
    public struct Appeals: Codable, Sendable, Equatable {
        public var approved = 0
        public var denied = 0
        public var pending = 0

        public init(approved: Int = 0, denied: Int = 0, pending: Int = 0) {
            self.approved = approved; self.denied = denied; self.pending = pending
        }
    }

    /// The messages the change moves one way.
    public struct Shift: Codable, Sendable, Equatable {
        public var count = 0
        public var fromLogs = 0
        public var fromMessages = 0
        /// Of `fromLogs`, by appeal. No longer flagged and approved: false positives the change fixes.
        /// Newly flagged and approved: known false positives it would flag again.
        public var appeals = Appeals()
        /// At most `Limits.examples`, newest logs first, then the admin's messages in order.
        public var examples: [Example] = []

        public init() {}

        enum CodingKeys: String, CodingKey { case count, fromLogs = "from_logs", fromMessages = "from_messages", appeals, examples }
    }

    /// What was replayed.
    public struct Replayed: Codable, Sendable, Equatable {
        public var logs = 0
        public var messages = 0

        public init(logs: Int = 0, messages: Int = 0) { self.logs = logs; self.messages = messages }
    }

    /// `put no-pineapple`, `enable mention-spam`, ...
    public var change: String
    public var replayed = Replayed()
    /// How many replayed messages each rule set flags or blocks.
    public var flaggedBefore = 0
    public var flaggedAfter = 0
    public var newlyFlagged = Shift()
    public var noLongerFlagged = Shift()
    /// Rules left out of both sets, each with why (spam rules that count over a window of messages).
    public var leftOut: [String] = []
    /// False when a limit stopped the replay early (`notes` says which).
    public var complete = true
    public var notes: [String] = []
    public var elapsedMillis = 0

    public init(change: String) { self.change = change }

    enum CodingKeys: String, CodingKey {
        case change, replayed, flaggedBefore = "flagged_before", flaggedAfter = "flagged_after", newlyFlagged = "newly_flagged"
        case noLongerFlagged = "no_longer_flagged", leftOut = "left_out", complete, notes, elapsedMillis = "elapsed_ms"
    }
}
