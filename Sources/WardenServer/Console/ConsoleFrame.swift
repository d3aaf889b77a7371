import Foundation

/// The chrome around every signed-in page: who is signed in, the sections their role may open for the guild
/// at hand, the switcher for unscoped tokens, and the CSRF token for the sign-out form.
struct ConsoleFrame {
    struct Link {
        let label: String
        let href: String
        let current: Bool
    }

    /// Sections of the console, each with the roles that may open it (admins open all).
    enum Section: String, CaseIterable {
        case dashboard, appeals, logs, verifications, proposals, faq, rules, tester, settings, tokens

        var label: String {
            switch self {
            case .dashboard: "Dashboard"
            case .appeals: "Appeals"
            case .logs: "Automod logs"
            case .verifications: "Verifications"
            case .proposals: "FAQ proposals"
            case .faq: "FAQ"
            case .rules: "Rules"
            case .tester: "Rule tester"
            case .settings: "Settings"
            case .tokens: "Tokens"
            }
        }

        var roles: Set<Role> {
            switch self {
            case .dashboard: [.moderator, .staff]
            case .appeals, .logs, .verifications: [.moderator]
            case .proposals, .faq: [.staff]
            case .rules, .tester, .settings, .tokens: []
            }
        }

        func href(guild: String) -> String {
            switch self {
            case .dashboard: "/console/guilds/\(guild)"
            case .tokens: "/console/tokens?guild=\(guild)"
            default: "/console/guilds/\(guild)/\(rawValue)"
            }
        }
    }

    let signedIn: Bool
    let csrf: String
    let who: String
    let nav: [Link]
    let switchGuild: Bool
    /// The guild at hand (for the pending-count script), as text.
    let guild: String?
    let title: String

    /// The frame of a page of `guild` (nil: a page about no guild, like the switcher).
    init(_ session: ConsoleSession, guild: Int64?, current: Section?, title: String) {
        let principal = session.principal
        signedIn = true
        csrf = session.csrf
        self.title = ConsoleText.visible(title)
        let guildText = guild.map { String(UInt64(bitPattern: $0)) }
        self.guild = guildText
        var who = principal.role.rawValue
        if let user = principal.user { who += " · user \(UInt64(bitPattern: user))" }
        if let guildText { who += " · guild \(guildText)" }
        self.who = who
        switchGuild = principal.guild == nil
        nav = guildText.map { guild in
            Section.allCases.filter { principal.role == .admin || $0.roles.contains(principal.role) }.map {
                Link(label: $0.label, href: $0.href(guild: guild), current: $0 == current)
            }
        } ?? []
    }

    /// The frame of a page nobody is signed in to (sign-in, errors before sign-in).
    init(title: String) {
        signedIn = false; csrf = ""; who = ""; nav = []; switchGuild = false; guild = nil; self.title = ConsoleText.visible(title)
    }
}
