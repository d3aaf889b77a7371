import Foundation

/// What the in-memory stages found for one message, before the store is consulted.
public struct Evaluation: Sendable {
    public var message: DiscordMessage
    public var matches: [RuleMatch]
    public var failures: [RuleFailure]
    /// Why the message was not evaluated (bot, exempt channel or role), or nil.
    public var skipped: String?
    /// The spam stage had already counted this message id (a re-delivery).
    public var redelivered: Bool

    public init(message: DiscordMessage, matches: [RuleMatch] = [], failures: [RuleFailure] = [], skipped: String? = nil, redelivered: Bool = false) {
        self.message = message; self.matches = matches; self.failures = failures; self.skipped = skipped; self.redelivered = redelivered
    }
}

/// Runs the in-memory stages for one message: scope, normalize, content (word lists and regex), spam.
/// Pure apart from the spam windows it updates; safe to call from many threads at once.
public struct MessageEvaluator: Sendable {
    public let normalizer: Normalizer
    public let content: ContentStage
    public let spam: SpamTracker

    public init(spam: SpamTracker = SpamTracker(), normalizer: Normalizer = Normalizer()) {
        self.normalizer = normalizer
        self.content = ContentStage()
        self.spam = spam
    }

    /// Judges `message`. `spam: false` leaves the spam windows out (text that is not a message of its own,
    /// such as the embeds Discord adds to one, must not count as one more message).
    public func evaluate(_ message: DiscordMessage, rules: CompiledRuleSet, policy: GuildPolicy,
                         scratch: RegexScratch = .current, spam runSpam: Bool = true) -> Evaluation {
        var evaluation = Evaluation(message: message, matches: [], failures: [], skipped: nil, redelivered: false)
        if message.isFromBot { evaluation.skipped = "bot"; return evaluation }
        if policy.exemptChannels.contains(message.channelID) { evaluation.skipped = "exempt_channel"; return evaluation }
        if !policy.exemptRoles.isEmpty, message.roles.contains(where: policy.exemptRoles.contains) {
            evaluation.skipped = "exempt_role"; return evaluation
        }

        let text = normalizer.normalize(message.content, views: rules.views)
        let found = content.evaluateEveryReading(text, channel: message.channelID, roles: message.roles, rules: rules, scratch: scratch)
        evaluation.matches = found.matches
        evaluation.failures = found.failures

        if !message.attachments.isEmpty {
            for attachmentRule in rules.attachmentRules {
                let rule = rules.rules[attachmentRule.id]
                guard !rule.isDisabled, rule.applies(channel: message.channelID, roles: message.roles),
                      let finding = attachmentRule.check.firstFinding(in: message.attachments) else { continue }
                evaluation.matches.append(AttachmentsKind.match(finding, of: rule))
            }
        }
        if runSpam, !rules.spamRules.isEmpty {
            let observation = spam.observe(Self.signals(message, text, readers: rules.spamReaders), rules: rules.spamRules)
            evaluation.redelivered = observation.redelivered
            for hit in observation.hits {
                let rule = rules.rules[hit.ruleID]
                guard !rule.isDisabled, rule.applies(channel: message.channelID, roles: message.roles) else { continue }
                evaluation.matches.append(SpamKind.match(hit, of: rule))
            }
        }
        return evaluation
    }

    /// The spam signals of a message, for benchmarks that drive the spam stage directly (every detector's count).
    public static func benchmarkSignals(_ message: DiscordMessage, _ text: NormalizedText) -> SpamSignals {
        signals(message, text, readers: allReaders)
    }

    private static let allReaders = SpamCountReader.of(SpamDetector.allCases)

    /// The counts the spam detectors look at: the shared text pass, then each of `readers` (the rule set's,
    /// see `CompiledRuleSet.spamDetectors`) reads its own count, as its detector's table row says.
    static func signals(_ message: DiscordMessage, _ text: NormalizedText, readers: [SpamCountReader]) -> SpamSignals {
        let original = text.original
        var stats = SpamTextStats()
        var lines = original.isEmpty ? 0 : 1
        var longestRun = 0, run = 0
        var previous: UInt32 = .max
        var emoji = 0
        var characters = 0
        var isASCII = true
        // One pass for line count and the longest run; it stops being valid only if a non-ASCII byte turns up.
        for b in original {
            if b == 0x0A { lines += 1 }
            if b >= 0x80 { isASCII = false; break }
            if UInt32(b) == previous { run += 1 } else { run = 1; previous = UInt32(b) }
            if b != 0x20 && run > longestRun { longestRun = run }
        }
        if isASCII {
            characters = original.count
        } else {
            lines = 1 + original.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            longestRun = 0; run = 0; previous = .max
            var previousIsTextEmoji = false
            for scalar in message.content.unicodeScalars {
                characters += 1
                if scalar.value == previous { run += 1 } else { run = 1; previous = scalar.value }
                if scalar != " " { longestRun = max(longestRun, run) }
                if scalar.isASCII { previousIsTextEmoji = false; continue }
                let properties = scalar.properties
                if properties.isEmojiPresentation { emoji += 1 }
                // ❤️ is U+2764 (text by default) + U+FE0F: count the pair as one emoji.
                if scalar.value == 0xFE0F, previousIsTextEmoji { emoji += 1 }
                previousIsTextEmoji = properties.isEmoji && !properties.isEmojiPresentation && !scalar.isASCII
            }
        }
        if original.contains(0x3C) { emoji += Self.customEmojiCount(original) }   // '<' starts every custom emoji
        stats.lines = lines; stats.longestCharRun = longestRun; stats.emoji = emoji; stats.characters = characters
        let normalized = text.view(.skeleton)?.bytes ?? original
        // Only long texts are compared by simhash (SpamWindow), so short ones skip computing it.
        let long = normalized.count >= SpamTracker.nearDuplicateMinLength
        let (hash, simhash) = normalized.withUnsafeBufferPointer { (SimHash.contentHash($0), long ? SimHash.of($0) : 0) }
        var signals = SpamSignals(
            blankFor: message.guildID.rawValue, userID: message.author.id.rawValue, channelID: message.channelID.rawValue,
            messageID: message.id.rawValue, timestamp: message.timestamp.timeIntervalSince1970,
            contentHash: hash, simhash: simhash, textLength: normalized.count, characters: characters)
        let input = SpamInput(message: message, text: text, stats: stats)
        for reader in readers { signals.counts[reader.slot] = reader.read(input) }
        return signals
    }

    /// Discord custom emoji: `<:name:id>` and `<a:name:id>`.
    static func customEmojiCount(_ bytes: [UInt8]) -> Int {
        var count = 0
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == 0x3C && (bytes[i + 1] == 0x3A || (bytes[i + 1] == 0x61 && bytes[i + 2] == 0x3A)) { count += 1 }
            i += 1
        }
        return count
    }
}

