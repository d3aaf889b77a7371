import Foundation
import WardenCore
import WardenLLM
import WardenPipeline
import WardenStore
import WardenSupport

/// Everything a running Warden is made of, wired once: the store, the guild directory, the pipeline with its
/// LLM stage, the decision writer, the job runner with one handler per job kind, and the desks. `warden serve`,
/// `warden scan`, the support worker, the benchmark and the tests all build it here, so they all run the same
/// object graph and none wires its own.
public final class WardenApp: Sendable {
    /// What to build it from.
    public struct Configuration: Sendable {
        /// The pack imported into guilds that have no rules yet.
        public var defaultPack: [PackRule] = []
        /// The LLM provider; nil leaves the LLM stage and the support jobs off.
        public var llm: LLMConfiguration?
        /// What the provider is used for here: `scan` needs only the stage, `support work` only the jobs
        /// (each loads only its own prompt templates).
        public var uses: LLMUses = .all
        /// The folder of prompt templates (one folder per task).
        public var prompts = "prompts"
        /// Pacing and retry limits of the job runner.
        public var jobs = JobRunner.Configuration()
        /// Spam windows and the in-memory stages; a fresh evaluator unless given.
        public var evaluator: MessageEvaluator?
        public var clock: @Sendable () -> Date = { Date() }
        /// Told about problems of background work and of stored rules that could not be loaded.
        public var report: @Sendable (String) -> Void = { _ in }

        public init(defaultPack: [PackRule] = [], llm: LLMConfiguration? = nil) {
            self.defaultPack = defaultPack; self.llm = llm
        }
    }

    public let database: any Database
    public let guilds: GuildDirectory
    public let writer: DecisionWriter
    public let pipeline: MessagePipeline
    /// The LLM stage; nil without a provider.
    public let llm: LLMModerator?
    /// The provider client the health check pings (the LLM stage's, else the support jobs'); nil without a provider.
    public let llmClient: LLMClient?
    /// The handler of every job kind this app runs (late verdicts and support work; none without a provider).
    public let jobHandlers: [any JobHandler]
    public let jobConfiguration: JobRunner.Configuration
    public let appeals: AppealDesk
    public let rules: RuleDesk
    /// Joins, profile changes and raids.
    public let members: MemberDesk
    /// Cases, manual actions and temporary punishments.
    public let cases: CaseDesk
    /// Retention of members' text, and forgetting a member.
    public let privacy: PrivacyDesk
    public let settings: SettingDesk
    public let tickets: TicketDesk
    public let faq: FAQDesk
    /// FAQ suggestions for tickets and how often they deflect them.
    public let deflection: FAQDeflectionDesk
    public let verifications: VerificationDesk
    public let webhooks: WebhookDesk
    /// A guild's figures for the console's dashboard.
    public let dashboard: DashboardDesk
    /// Support summaries are clustered in memory by this book (rebuilt from the store on first use).
    public let clusters: ClusterBook
    public let clock: @Sendable () -> Date

    /// Builds the app on an open store. Fails when a prompt template the configured LLM needs cannot be loaded.
    public init(database: any Database, configuration: Configuration) throws(AppError) {
        let clock = configuration.clock
        let report = configuration.report
        self.database = database
        self.clock = clock
        jobConfiguration = configuration.jobs
        guilds = GuildDirectory(database: database, defaultPack: configuration.defaultPack,
                                report: { report("skipped stored rule: \($0)") })
        writer = DecisionWriter(database: database, clock: clock)
        let quota = QuotaGate(database: database, clock: clock)
        clusters = ClusterBook()

        var handlers: [any JobHandler] = []
        var moderator: LLMModerator?
        var stageClient: LLMClient?
        if let llmConfiguration = configuration.llm {
            func template(_ name: String) throws(AppError) -> PromptTemplate {
                do { return try PromptTemplate.load(from: configuration.prompts, name: name) } catch {
                    throw AppError.prompt(name: name, reason: "\(error)")
                }
            }
            // The stage and the support jobs each get their own client, so a failing support model (vision,
            // embeddings) cannot open the circuit breaker or fill the concurrency limit of live moderation.
            if configuration.uses.contains(.moderation) {
                let client = LLMClient(configuration: llmConfiguration)
                let stage = LLMModerator(analyzer: AutomodAnalyzer(client: client, template: try template("automod")),
                                         quota: quota, writer: writer, guilds: guilds, report: report)
                handlers.append(LateVerdictJob(moderator: stage))
                moderator = stage
                stageClient = client
            }
            if configuration.uses.contains(.supportJobs) {
                let client = LLMClient(configuration: llmConfiguration)
                handlers += [
                    SummaryJob(database: database, client: client, template: try template("ticket_summary"), clusters: clusters,
                               useEmbeddings: llmConfiguration.models[.embeddings] != nil, clock: clock),
                    ProposalJob(database: database, client: client, template: try template("faq_proposal"), clock: clock),
                    VerificationJob(database: database, client: client, template: try template("verification"), quota: quota, clock: clock),
                    AppealTriageJob(database: database, client: client, template: try template("appeal_triage"), quota: quota, clock: clock),
                ] as [any JobHandler]
                if stageClient == nil { stageClient = client }
            }
        }
        llm = moderator
        llmClient = stageClient
        jobHandlers = handlers
        pipeline = MessagePipeline(database: database, guilds: guilds, evaluator: configuration.evaluator ?? MessageEvaluator(),
                                   llm: llm, writer: writer, clock: clock)
        // Appeals filed while an LLM is configured get a triage job (run by the support job kinds' runner).
        appeals = AppealDesk(database: database, triage: configuration.llm != nil, clock: clock)
        rules = RuleDesk(database: database, guilds: guilds, clock: clock)
        settings = SettingDesk(database: database, guilds: guilds, checks: SettingCheck.warden, clock: clock)
        tickets = TicketDesk(database: database, clock: clock)
        faq = FAQDesk(database: database, clock: clock)
        deflection = FAQDeflectionDesk(database: database, clock: clock)
        verifications = VerificationDesk(database: database, clock: clock)
        webhooks = WebhookDesk(database: database, eventKinds: Self.eventKinds, clock: clock)
        members = MemberDesk(pipeline: pipeline)
        cases = CaseDesk(database: database, clock: clock)
        privacy = PrivacyDesk(database: database, clock: clock)
        dashboard = DashboardDesk(database: database, deflection: deflection, clock: clock)
    }

    /// Every kind of event the feed (and so a webhook) carries.
    public static let eventKinds = [LateVerdictJob.eventKind, AppealDesk.reversalEventKind, AppealDesk.deniedEventKind, VerificationDesk.eventKind,
                                    MemberDesk.raidStartedEventKind, MemberDesk.raidEndedEventKind, CaseDesk.manualActionEventKind,
                                    CaseDesk.expiredEventKind]

    /// The job runner for every kind this app handles, or only for `kinds` when given; nil when there is
    /// nothing to run (no provider configured).
    public func jobRunner(only kinds: Set<String>? = nil) -> JobRunner? {
        let chosen = jobHandlers.filter { kinds?.contains($0.kind) ?? true }
        guard !chosen.isEmpty else { return nil }
        return JobRunner(database: database, handlers: chosen, configuration: jobConfiguration, clock: clock)
    }

    /// The kinds of support work (everything but late verdicts: appeal triage included).
    public var supportJobKinds: Set<String> { Set(jobHandlers.map(\.kind)).subtracting([LateVerdictJob.kind]) }

    /// Removes what has outlived its retention: remembered decisions, delivered events, finished jobs, old
    /// quota rows, members' text past their guild's retention, expired proposals, delivered webhook deliveries.
    /// Each step runs whatever the others did; the first failure is thrown at the end.
    public func housekeeping() async throws {
        let clock = self.clock, database = self.database, llm = self.llm
        let steps: [@Sendable () async throws -> Void] = [
            { [pipeline] in try await pipeline.pruneRememberedDecisions() },
            { [pipeline] in _ = try await pipeline.pruneDeliveredWork() },
            // Quota counts are pruned with or without a provider (a provider may have been configured before).
            {
                if let llm { _ = try await llm.quota.prune() } else {
                    let cutoff = UTCDay.of(clock().addingTimeInterval(-Double(QuotaGate.retentionDays) * 86_400))
                    _ = try await database.transaction { conn in try QuotaRepository.prune(on: conn, before: cutoff) }
                }
            },
            { [privacy] in _ = try await privacy.applyRetention() },
            { [faq] in _ = try await faq.expire() },
            { [webhooks] in _ = try await webhooks.prune() },
        ]
        var failure: (any Error)?
        for step in steps {
            do { try await step() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}

/// What the LLM provider is used for in one process.
public struct LLMUses: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The LLM stage of the pipeline and its late verdicts.
    public static let moderation = LLMUses(rawValue: 1)
    /// Ticket summaries, FAQ drafts, screenshot checks and appeal triage.
    public static let supportJobs = LLMUses(rawValue: 2)
    public static let all: LLMUses = [.moderation, .supportJobs]
}

/// The app could not be built.
public enum AppError: Error, Sendable, CustomStringConvertible {
    /// A prompt template the configured LLM needs is missing or invalid.
    case prompt(name: String, reason: String)

    public var description: String {
        switch self {
        case .prompt(let name, let reason): "prompt template '\(name)': \(reason)"
        }
    }
}
