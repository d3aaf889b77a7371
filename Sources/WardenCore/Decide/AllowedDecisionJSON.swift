/// The JSON of an allowed decision with nothing to report, written directly. Most messages end this way,
/// and `JSONEncoder` costs several microseconds a decision on Linux, more than judging the message. The
/// output is byte for byte what `JSONEncoder` with `.sortedKeys` and `.withoutEscapingSlashes` writes
/// (a test holds it to that); anything outside this shape returns nil and goes through `JSONEncoder`.
public enum AllowedDecisionJSON {
    public static func encode(_ decision: Decision) -> String? {
        guard decision.verdict == .allow, decision.matches.isEmpty, decision.actions.isEmpty, decision.escalation == nil,
              decision.logID == nil, decision.errors.isEmpty, decision.analysis == nil,
              decision.revision == nil, let messageID = decision.messageID, let channelID = decision.channelID else { return nil }
        if let skipped = decision.skipped, !isPlain(skipped) { return nil }
        for (key, value) in decision.stages where !isPlain(key) || !isPlain(value) { return nil }
        var out = #"{"actions":[],"channel_id":""#
        out.reserveCapacity(200)
        out += channelID.description
        out += #"","errors":[],"escalation":null,"guild_id":""#
        out += decision.guildID.description
        out += #"","log_id":null,"matches":[],"message_id":""#
        out += messageID.description
        out += "\""
        if let skipped = decision.skipped { out += #","skipped":""# + skipped + "\"" }
        out += #","stages":{"#
        var first = true
        for key in decision.stages.keys.sorted() {
            if !first { out += "," }
            first = false
            out += "\"" + key + #"":""# + (decision.stages[key] ?? "") + "\""
        }
        out += #"},"user_id":""#
        out += decision.userID.description
        out += #"","verdict":"allow"}"#
        return out
    }

    /// Text JSON writes as it is: no quote, backslash or control character.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }
    }
}
