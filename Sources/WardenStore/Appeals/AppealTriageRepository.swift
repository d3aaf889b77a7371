import Foundation

/// SQL for `appeal_triage`: what the model made of an appeal (one row per appeal), beside it and never
/// changing it. A row is created `queued` in the filing transaction and left once by the triage job:
/// `done` with the model's answer, or `skipped` / `failed` with a note saying why.
///
/// Every lookup is scoped by guild: an appeal of another guild reads as having no triage.
public enum AppealTriageRepository {
    /// One `appeal_triage` row.
    public struct Record: Sendable, Equatable {
        public var appealID: Int64
        public var guildID: Int64
        /// `queued`, `done`, `skipped` or `failed`.
        public var status: String
        public var summary: String?
        /// The evidence the model cites, as a JSON array of strings in the store's normal form.
        public var evidenceJSON: String?
        /// `uphold` or `overturn` (the automod action), when `done`.
        public var suggestion: String?
        public var confidence: Double?
        /// Whether the model reported that the appeal tries to instruct it (nil until it answered).
        public var instructionAttempt: Bool?
        /// What Warden's own check found, as a JSON object of signal names by text: `{"appeal": [...], "message": [...]}`.
        public var injectionSignalsJSON: String
        /// Why the triage was skipped or failed.
        public var note: String?
        public var promptHash: String?
        public var model: String?
        public var createdAt: Date
        public var updatedAt: Date
    }

    /// The model's answer, checked, as the job writes it.
    public struct Answer: Sendable, Equatable {
        public var summary: String
        public var evidenceJSON: String
        public var suggestion: String
        public var confidence: Double
        public var instructionAttempt: Bool
        public var promptHash: String
        public var model: String?

        public init(summary: String, evidenceJSON: String, suggestion: String, confidence: Double, instructionAttempt: Bool,
                    promptHash: String, model: String?) {
            self.summary = summary; self.evidenceJSON = evidenceJSON; self.suggestion = suggestion; self.confidence = confidence
            self.instructionAttempt = instructionAttempt; self.promptHash = promptHash; self.model = model
        }
    }

    /// Creates the appeal's triage row, `queued`, with the signals Warden's own check found.
    public static func insertQueued(on conn: any SQLConnection, appeal: Int64, guild: Int64, injectionSignalsJSON: String,
                                    at now: Date) throws {
        try conn.execute("""
            INSERT INTO appeal_triage (appeal_id, guild_id, status, injection_signals, created_at, updated_at)
            VALUES ($1, $2, 'queued', \(json(conn, "$3")), $4, $4)
            ON CONFLICT (appeal_id) DO NOTHING
            """, [.int(appeal), .int(guild), .json(injectionSignalsJSON), .timestamp(now)])
    }

    /// The appeal's triage, or nil when it has none (or is not the guild's).
    public static func triage(on conn: any SQLConnection, appeal: Int64, guild: Int64) throws -> Record? {
        try conn.queryFirst("SELECT \(columns) FROM appeal_triage WHERE appeal_id = $1 AND guild_id = $2",
                            [.int(appeal), .int(guild)]).map(record)
    }

    /// The triage rows of these appeals of the guild, by appeal id (appeals without one are absent).
    public static func triages(on conn: any SQLConnection, guild: Int64, appeals: [Int64]) throws -> [Int64: Record] {
        guard !appeals.isEmpty else { return [:] }
        var binds: [SQLValue] = [.int(guild)]
        let list = appeals.map { id -> String in
            binds.append(.int(id))
            return "$\(binds.count)"
        }.joined(separator: ", ")
        let rows = try conn.query("SELECT \(columns) FROM appeal_triage WHERE guild_id = $1 AND appeal_id IN (\(list))", binds)
        return Dictionary(try rows.map { let r = try record($0); return (r.appealID, r) }) { first, _ in first }
    }

    /// Writes the model's answer to a `queued` triage, making it `done`.
    /// - Returns: false, changing nothing, when the triage is not queued (written already) or absent.
    public static func recordAnswer(on conn: any SQLConnection, appeal: Int64, guild: Int64, _ answer: Answer, at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE appeal_triage SET status = 'done', summary = $3, evidence = \(json(conn, "$4")), suggestion = $5, confidence = $6,
                instruction_attempt = $7, prompt_hash = $8, model = $9, note = NULL, updated_at = $10
            WHERE appeal_id = $1 AND guild_id = $2 AND status = 'queued'
            """, [.int(appeal), .int(guild), .text(answer.summary), .json(answer.evidenceJSON), .text(answer.suggestion),
                  .double(answer.confidence), .bool(answer.instructionAttempt), .text(answer.promptHash), .text(answer.model),
                  .timestamp(now)]) == 1
    }

    /// Ends a `queued` triage without an answer: `skipped` (nothing was asked) or `failed`, with why.
    /// - Returns: false, changing nothing, when the triage is not queued or absent.
    public static func close(on conn: any SQLConnection, appeal: Int64, guild: Int64, status: String, note: String,
                             promptHash: String?, at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE appeal_triage SET status = $3, note = $4, prompt_hash = $5, updated_at = $6
            WHERE appeal_id = $1 AND guild_id = $2 AND status = 'queued'
            """, [.int(appeal), .int(guild), .text(status), .text(note), .text(promptHash), .timestamp(now)]) == 1
    }

    private static let columns = """
        appeal_id, guild_id, status, summary, evidence, suggestion, confidence, instruction_attempt, injection_signals,
        note, prompt_hash, model, created_at, updated_at
        """

    /// SQLite keeps JSON as given; `json()` minifies it so both dialects return a normalised form.
    private static func json(_ conn: any SQLConnection, _ placeholder: String) -> String {
        conn.dialect == .sqlite ? "json(\(placeholder))" : placeholder
    }

    private static func record(_ row: SQLRow) throws -> Record {
        Record(appealID: try row.int("appeal_id"), guildID: try row.int("guild_id"), status: try row.string("status"),
               summary: try row.optionalString("summary"), evidenceJSON: try row.optionalString("evidence"),
               suggestion: try row.optionalString("suggestion"), confidence: try row.optionalDouble("confidence"),
               instructionAttempt: try row.optionalBool("instruction_attempt"),
               injectionSignalsJSON: try row.optionalString("injection_signals") ?? "{}", note: try row.optionalString("note"),
               promptHash: try row.optionalString("prompt_hash"), model: try row.optionalString("model"),
               createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }
}
