import Foundation

extension RuleAction.Kind {
    /// Remove the message; the default when a rule names no action.
    public static let delete = RuleAction.Kind(registered: "delete")
}

/// `delete`: the message goes, the member is not otherwise punished.
public enum DeleteAction: ActionKind {
    public static let name = RuleAction.Kind.delete
    public static let rank = 0
    public static var punishes: Bool { false }
}
