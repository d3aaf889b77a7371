import WardenCore

/// A later revision of a message Warden judges on its own: an edit of its text (identified by Discord's
/// `edited_timestamp`) or embeds Discord added to it (identified by their text).
public struct MessageRevision: Sendable, Equatable {
    public enum Kind: String, Sendable { case edit, embeds }
    public let kind: Kind
    public let editedTimestamp: String?
    /// The claim's key in `gateway_events`: one decision per revision, however often it is delivered.
    public let key: String

    /// The revision an update makes, or nil when it changes nothing the rules read (a pin, a reaction count,
    /// an update without text or embeds).
    public static func of(_ update: MessageUpdate) -> MessageRevision? {
        let text = update.embedText
        if update.isEdit, let stamp = update.editedTimestamp {
            // Discord unfurls an edit's new link later, in an update with the same edited_timestamp: the
            // embeds' text is part of the revision, so that update is judged too.
            let embeds = text.isEmpty ? "" : ":" + fnv(text)
            return MessageRevision(kind: .edit, editedTimestamp: stamp, key: "edit:\(update.id):\(stamp)\(embeds)")
        }
        guard !text.isEmpty else { return nil }
        return MessageRevision(kind: .embeds, editedTimestamp: update.editedTimestamp, key: "embeds:\(update.id):\(fnv(text))")
    }

    /// The link to the message's decision before this revision; the rules matched before carry forward, so a
    /// rule matched by any earlier revision is not punished again.
    func link(after previous: Decision?) -> RevisionLink {
        var rules = previous?.revision?.previousRules ?? []
        for match in previous?.matches ?? [] where !rules.contains(match.rule) { rules.append(match.rule) }
        return RevisionLink(kind: kind.rawValue, editedTimestamp: editedTimestamp, previousVerdict: previous?.verdict,
                            previousLogID: previous?.logID, previousRules: rules)
    }

    static func fnv(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}
