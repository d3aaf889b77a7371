import Foundation

/// What one action type (`delete`, `warn`, `timeout`, ...) knows about itself: how strong it is, which
/// optional fields it takes, what Discord action its punishment becomes and what undoes that action
/// when an appeal is upheld. One file per kind under `Actions/Kinds/`, listed once in `ActionKinds.all`.
public protocol ActionKind: Sendable {
    /// The name in packs, `automod_actions.action_type` and the decision's `matches[].action.type`.
    static var name: RuleAction.Kind { get }
    /// How strong the punishment is, for "the strongest action wins" between equal severities.
    static var rank: Int { get }
    /// Whether the member is punished beyond losing the message (`delete` and `alert` are not).
    static var punishes: Bool { get }
    /// Whether the message is removed when the action does not say (`delete_message`).
    static var deletesMessageByDefault: Bool { get }
    /// Whether a violation adds escalation points (an alert is not a violation).
    static var addsPoints: Bool { get }
    /// Whether the action takes `duration` (validation; `RuleAction.timeoutSeconds`).
    static var takesDuration: Bool { get }
    /// Whether the action takes `delete_message_seconds` (validation).
    static var takesDeleteMessageSeconds: Bool { get }
    /// Whether a `duration` makes the punishment temporary: Warden keeps its end and tells the bot to lift it
    /// then (a ban for a week). Kinds that `takesDuration` hand their length to Discord instead.
    static var endsByItself: Bool { get }
    /// The Discord action a punishment of this kind becomes, if any (for the list of Discord action types).
    static var discordType: DiscordAction.Kind? { get }
    /// The Discord action that undoes `discordType` when an appeal is upheld; nil when the bot cannot undo it.
    static var reversalType: DiscordAction.Kind? { get }
    /// The Discord action for a punishment of this kind against `member`, or nil when it has none.
    static func discordAction(_ action: RuleAction, against member: Snowflake, reason: String, now: Date) -> DiscordAction?
}

/// The defaults: a punishment that removes the message, adds points and takes no optional field.
extension ActionKind {
    public static var punishes: Bool { true }
    public static var deletesMessageByDefault: Bool { true }
    public static var addsPoints: Bool { true }
    public static var takesDuration: Bool { false }
    public static var takesDeleteMessageSeconds: Bool { false }
    public static var endsByItself: Bool { false }
    public static var discordType: DiscordAction.Kind? { nil }
    public static var reversalType: DiscordAction.Kind? { nil }
    public static func discordAction(_ action: RuleAction, against member: Snowflake, reason: String, now: Date) -> DiscordAction? {
        discordType.map { DiscordAction(type: $0, userID: member, reason: reason) }
    }
}

/// The registry of action kinds: adding one is its file in `Actions/Kinds/` plus one line here.
public enum ActionKinds {
    /// Every action kind, in the order error messages and documents list them.
    public static let all: [any ActionKind.Type] = [
        DeleteAction.self, WarnAction.self, MuteAction.self, TimeoutAction.self, KickAction.self, BanAction.self,
        AlertAction.self, NicknameAction.self,
    ]

    /// The kind named `name`, or nil when no registered kind has that name.
    public static func named(_ name: String) -> (any ActionKind.Type)? { byName[name] }

    /// `all` by name, built once: every decision looks kinds up, several times per match.
    private static let byName: [String: any ActionKind.Type] = {
        var out: [String: any ActionKind.Type] = [:]
        for kind in all where out[kind.name.rawValue] == nil { out[kind.name.rawValue] = kind }
        return out
    }()

    /// Every Discord action type a decision or a reversal can hold: the message deletion, each kind's
    /// punishment, the moderators' alert, the types no rule kind emits (raids', role mutes'), then each kind's
    /// reversal (each once, in that order).
    public static let discordTypes: [DiscordAction.Kind] = {
        var out: [DiscordAction.Kind] = [.deleteMessage]
        func add(_ kind: DiscordAction.Kind?) { if let kind, !out.contains(kind) { out.append(kind) } }
        for kind in all { add(kind.discordType) }
        add(.alert)
        for other in DiscordAction.Kind.notOfRules { add(other) }
        for kind in all { add(kind.reversalType) }
        return out
    }()

    /// What an upheld appeal sends the bot for a logged decision: each registered kind's reversal of a
    /// Discord action the decision holds (lift the timeout, lift the ban), each once. Deletions, warnings
    /// and kicks cannot be undone by the bot.
    public static func reversals(of decision: Decision, reason: String) -> [DiscordAction] {
        var out: [DiscordAction] = []
        for kind in all {
            guard let done = kind.discordType, let undo = kind.reversalType,
                  decision.actions.contains(where: { $0.type == done }), !out.contains(where: { $0.type == undo }) else { continue }
            out.append(DiscordAction(type: undo, userID: decision.userID, reason: reason))
        }
        // A mute given with the guild's mute role is lifted by removing the role.
        if let muted = decision.actions.first(where: { $0.type == .addRole }) {
            var undo = DiscordAction(type: .removeRole, userID: decision.userID, reason: reason)
            undo.roleID = muted.roleID
            out.append(undo)
        }
        return out
    }
}

extension RuleAction.Kind {
    /// This kind's behaviour. `Kind` values come from `init(rawValue:)` (checked against the registry) or
    /// from the kinds' own `static let`s, so the lookup finds one; should a kind's file forget its
    /// registration line, it behaves as a plain deletion (`ActionKindTests` holds the registry to the
    /// documented list of kinds).
    public var behaviour: any ActionKind.Type { ActionKinds.named(rawValue) ?? DeleteAction.self }
    /// See `ActionKind.rank`.
    var rank: Int { behaviour.rank }
}
