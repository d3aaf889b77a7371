import Hummingbird

/// Per-request state: Hummingbird's core storage plus the caller authenticated by ``TokenAuthenticator``.
public struct WardenRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who is calling; nil only on the public routes (`/health`, `/metrics`, `/openapi.json`).
    public var principal: Principal?
    /// The console's signed-in session (cookie), set by ``ConsoleAuthenticator`` on `/console` pages.
    public var console: ConsoleSession?
    /// The appeal form's signed-in member (Discord OAuth2), set on `/appeal` pages.
    public var member: MemberSession?
    /// A console POST's form, read (and its CSRF token checked) by ``ConsoleAuthenticator``.
    public var form = ConsoleForm(fields: [:])
    /// The client's address (for the sign-in throttle), when the channel knows it.
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
        principal = nil
        console = nil
        member = nil
    }

    /// Bodies are collected with explicit per-route limits (``RequestLimits``); this is only the ceiling.
    public var maxUploadSize: Int { RequestLimits.screenshot }
}

/// How large a request body may be, per kind of route.
public enum RequestLimits {
    /// One Discord message (4,000 characters of content plus embeds and metadata).
    public static let message = 64 * 1024
    /// A batch of messages.
    public static let batch = 4 * 1024 * 1024
    /// Most JSON bodies (appeals, settings, rules, ...).
    public static let json = 256 * 1024
    /// One rule (`PUT rules/{name}`): a guild's whole rule text may be 8 MiB (``RuleLimits``), plus JSON's
    /// quotes and commas around each keyword.
    public static let rule = 12 * 1024 * 1024
    /// A rule backtest: one rule as large as `rule`, plus up to 10,000 messages of the admin's own.
    public static let backtest = 16 * 1024 * 1024
    /// A verification screenshot (10 MiB of image, like `ImageLimits.standard`) plus a little.
    public static let screenshot = 10 * 1024 * 1024 + 1024
    /// Messages in one batch request.
    public static let batchMessages = 1_000
}
