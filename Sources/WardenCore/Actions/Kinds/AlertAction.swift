import Foundation

extension RuleAction.Kind {
    /// Moderators are alerted; nothing happens to the member or the message (self-harm is routed here).
    public static let alert = RuleAction.Kind(registered: "alert")
}

/// `alert`: a request for a moderator's eyes, not a violation: no points, no punishment, the message stays.
public enum AlertAction: ActionKind {
    public static let name = RuleAction.Kind.alert
    /// Below `delete`, so any real action on the message wins over an alert.
    public static let rank = -1
    public static var punishes: Bool { false }
    public static var deletesMessageByDefault: Bool { false }
    public static var addsPoints: Bool { false }
}
