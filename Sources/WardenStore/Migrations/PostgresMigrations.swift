// PostgreSQL schema. Keep it equivalent to SQLiteMigrations.swift: same tables, columns, keys and indexes.
//
// Tables and columns come from the seed schema references (seeds/000, seeds/001). Where this design
// extends them:
// - automod_user_history.total_points is DOUBLE PRECISION, not INTEGER: points decay continuously.
// - automod_logs: id is BIGSERIAL (one row per acted-on message); new column `evidence` (JSONB, the matches
//   behind the decision); a unique index on (guild_id, message_id) where message_id is not null, so
//   persisting a message's decision is idempotent. No decision_id column.
// - automod_rules: unique (guild_id, name).
// - faq_entries.keywords is JSONB (a JSON array of strings) instead of TEXT[], which SQLite lacks; faq_entries
//   gains a nullable guild_id (NULL = global entry) because approved proposals belong to a guild.
// - ticket_summaries.ticket_id is a foreign key to support_tickets (ON DELETE CASCADE), indexed.
// - support_tickets gains an index on (guild_id, status) for per-guild queues.
// - Foreign keys from rules/logs to actions/rules are ON DELETE SET NULL (logs outlive rules); automod_stats
//   rows go with their rule (CASCADE).
// - Timestamp columns named created_at/updated_at/... default to now(); the seeds leave most defaults open.
// - New tables: automod_appeals, faq_proposals, ticket_messages, admin_log, api_tokens, events, jobs,
//   message_decisions. Status columns of the new tables carry CHECK constraints.
// - schema_migrations is created by the Migrator itself, before version 1.
enum PostgresMigrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: v1),
        Migration(version: 2, name: "support desk", sql: v2),
        Migration(version: 3, name: "violation time of automod logs", sql: v3),
        Migration(version: 4, name: "webhooks", sql: v4),
        Migration(version: 5, name: "faq deflection", sql: v5),
        Migration(version: 6, name: "appeal triage", sql: v6),
        Migration(version: 7, name: "console sessions", sql: v7),
        Migration(version: 8, name: "gateway events", sql: v8),
        Migration(version: 9, name: "cases and temporary punishments", sql: v9),
    ]

    /// Cases (issue 13; seed 002's `mod_actions`, `warnings` and `temp_punishments` in one shape). `cases`: every
    /// action against a member, automatic (`source` automod, with its log) or recorded by a moderator (`manual`:
    /// warn, timeout, mute, kick, ban, unban, unmute, note), numbered per guild from `case_counters`.
    /// `temp_punishments`: bans and role mutes with an end; at most one running per member and kind; ended once,
    /// by expiry (the bot is told to lift it) or early (`lifted`: an appeal, a manual unban).
    /// `automod_logs.redacted_at`: when the guild's retention removed the log's text (its counts stay).
    /// `member_names`: the names last judged per member (a hash), the Gateway sequence and decision of the
    /// dispatch that judged them, so a profile update that does not change them is not judged again.
    private static let v9 = """
        CREATE TABLE case_counters (
            guild_id     BIGINT PRIMARY KEY,
            last_number  INTEGER NOT NULL
        );
        CREATE TABLE cases (
            id                BIGSERIAL PRIMARY KEY,
            guild_id          BIGINT NOT NULL,
            number            INTEGER NOT NULL,
            user_id           BIGINT NOT NULL,
            moderator_id      BIGINT,
            action            TEXT NOT NULL,
            reason            TEXT,
            duration_seconds  INTEGER,
            points            DOUBLE PRECISION,
            log_id            BIGINT,
            source            TEXT NOT NULL CHECK (source IN ('automod', 'manual')),
            created_at        TIMESTAMPTZ NOT NULL,
            updated_at        TIMESTAMPTZ NOT NULL,
            UNIQUE (guild_id, number)
        );
        CREATE INDEX idx_cases_member ON cases (guild_id, user_id, id);
        CREATE INDEX idx_cases_log ON cases (log_id);
        CREATE TABLE temp_punishments (
            id          BIGSERIAL PRIMARY KEY,
            guild_id    BIGINT NOT NULL,
            user_id     BIGINT NOT NULL,
            kind        TEXT NOT NULL CHECK (kind IN ('ban', 'mute')),
            role_id     BIGINT,
            case_id     BIGINT,
            log_id      BIGINT,
            ends_at     TIMESTAMPTZ NOT NULL,
            created_at  TIMESTAMPTZ NOT NULL,
            ended_at    TIMESTAMPTZ,
            outcome     TEXT CHECK (outcome IS NULL OR outcome IN ('expired', 'lifted', 'superseded'))
        );
        CREATE UNIQUE INDEX idx_temp_punishments_one_running ON temp_punishments (guild_id, user_id, kind) WHERE ended_at IS NULL;
        CREATE INDEX idx_temp_punishments_due ON temp_punishments (ends_at) WHERE ended_at IS NULL;
        CREATE TABLE member_names (
            guild_id    BIGINT NOT NULL,
            user_id     BIGINT NOT NULL,
            names_hash  TEXT NOT NULL,
            sequence    BIGINT,
            decision    JSONB NOT NULL,
            updated_at  TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (guild_id, user_id)
        );
        ALTER TABLE automod_logs ADD COLUMN redacted_at TIMESTAMPTZ;
        """

    /// The Gateway route (issue 13). `gateway_events`: one row per judged dispatch that is not a new message (an
    /// edit, by message id and `edited_timestamp`; embeds added later; a native AutoMod hit), keyed per guild
    /// by `event_key`, holding its decision for re-deliveries, pruned with `message_decisions`.
    /// `automod_logs.source` (`warden`, or `discord_automod` for Discord's own AutoMod) and `.revision` (the
    /// gateway event key of an edit's log, '' for a new message's): a message may now have one log per revision,
    /// so the unique index covers them. `member_joins`: each member's join (by Discord's `joined_at`), with the
    /// account's creation and a key of the username's letters, counted per window for raid detection.
    /// `raid_modes`: a guild's raids, at most one going on (no `ended_at`).
    private static let v8 = """
        DROP INDEX idx_automod_logs_guild_message;
        ALTER TABLE automod_logs ADD COLUMN source TEXT NOT NULL DEFAULT 'warden';
        ALTER TABLE automod_logs ADD COLUMN revision TEXT NOT NULL DEFAULT '';
        CREATE UNIQUE INDEX idx_automod_logs_guild_message ON automod_logs (guild_id, message_id, source, revision) WHERE message_id IS NOT NULL;
        CREATE TABLE gateway_events (
            id          BIGSERIAL PRIMARY KEY,
            guild_id    BIGINT NOT NULL,
            event_key   TEXT NOT NULL,
            message_id  BIGINT,
            decision    JSONB NOT NULL,
            created_at  TIMESTAMPTZ NOT NULL,
            UNIQUE (guild_id, event_key)
        );
        CREATE INDEX idx_gateway_events_message ON gateway_events (guild_id, message_id, id);
        CREATE INDEX idx_gateway_events_created_at ON gateway_events (created_at);
        CREATE TABLE member_joins (
            guild_id         BIGINT NOT NULL,
            user_id          BIGINT NOT NULL,
            joined_at        TIMESTAMPTZ NOT NULL,
            account_created  TIMESTAMPTZ NOT NULL,
            name_key         TEXT NOT NULL,
            PRIMARY KEY (guild_id, user_id, joined_at)
        );
        CREATE INDEX idx_member_joins_guild_joined ON member_joins (guild_id, joined_at);
        CREATE TABLE raid_modes (
            id            BIGSERIAL PRIMARY KEY,
            guild_id      BIGINT NOT NULL,
            trigger_kind  TEXT NOT NULL,
            observed      INTEGER NOT NULL,
            threshold     INTEGER NOT NULL,
            started_at    TIMESTAMPTZ NOT NULL,
            last_join_at  TIMESTAMPTZ NOT NULL,
            joins         INTEGER NOT NULL DEFAULT 1,
            ended_at      TIMESTAMPTZ
        );
        CREATE UNIQUE INDEX idx_raid_modes_one_active ON raid_modes (guild_id) WHERE ended_at IS NULL;
        """

    /// The console (issue 12): a token may name the Discord user holding it (`api_tokens.user_id`), to whom every
    /// console action is attributed. `console_sessions`: one row per signed-in browser, keyed by the SHA-256 of the
    /// random session id in its cookie, ending when signed out (`revoked_at`), idle too long, or its token is
    /// revoked. `member_sessions`: a banned member signed in with Discord OAuth2 to file appeals on `/appeal/{guild}`.
    /// `idx_automod_appeals_guild_status_id`: the appeal queue pages one status of a guild by id (keyset).
    /// `automod_logs.verdict`: the decision's verdict beside its JSON (filled from it for older logs), for the log
    /// search's verdict filter. `automod_daily`: logged decisions per guild, UTC day and verdict, counted as they
    /// are written (filled from the logs here), so the dashboard reads days, not logs.
    /// `gpt_denials`: LLM stages skipped per guild and day because a member's quota was used up (the dashboard's
    /// figure).
    private static let v7 = """
        ALTER TABLE api_tokens ADD COLUMN user_id BIGINT;
        CREATE TABLE console_sessions (
            id_hash       TEXT PRIMARY KEY,
            token_id      INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
            csrf          TEXT NOT NULL,
            created_at    TIMESTAMPTZ NOT NULL,
            last_seen_at  TIMESTAMPTZ NOT NULL,
            revoked_at    TIMESTAMPTZ
        );
        CREATE INDEX idx_console_sessions_token ON console_sessions (token_id);
        CREATE TABLE member_sessions (
            id_hash       TEXT PRIMARY KEY,
            guild_id      BIGINT NOT NULL,
            user_id       BIGINT NOT NULL,
            username      TEXT NOT NULL,
            csrf          TEXT NOT NULL,
            created_at    TIMESTAMPTZ NOT NULL,
            expires_at    TIMESTAMPTZ NOT NULL,
            revoked_at    TIMESTAMPTZ
        );
        CREATE INDEX idx_automod_appeals_guild_status_id ON automod_appeals (guild_id, status, id);
        ALTER TABLE automod_logs ADD COLUMN verdict TEXT;
        UPDATE automod_logs SET verdict = context->>'verdict' WHERE context IS NOT NULL;
        CREATE TABLE automod_daily (
            guild_id   BIGINT NOT NULL,
            date       DATE NOT NULL,
            verdict    TEXT NOT NULL,
            decisions  INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (guild_id, date, verdict)
        );
        INSERT INTO automod_daily (guild_id, date, verdict, decisions)
            SELECT guild_id, (timestamp AT TIME ZONE 'UTC')::date, verdict, COUNT(*) FROM automod_logs WHERE verdict IS NOT NULL AND timestamp IS NOT NULL GROUP BY 1, 2, 3;
        CREATE TABLE gpt_denials (
            guild_id    BIGINT NOT NULL,
            usage_date  DATE NOT NULL,
            denials     INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (guild_id, usage_date)
        );
        """

    /// FAQ deflection: which FAQ entries were suggested for which ticket (`rank` 1 is the best hit, `score` the
    /// search's rank), and how the ticket ended if a suggestion deflected it. `outcome` is `solved` (the member
    /// said that entry solved it) or `closed_without_reply` (the ticket closed with no message from anyone but
    /// its opener; credited to the first suggestion). At most one suggestion of a ticket has an outcome
    /// (`idx_faq_suggestions_one_outcome`), so a ticket is deflected at most once; a reopen clears it.
    private static let v5 = """
        CREATE TABLE faq_suggestions (
            id            SERIAL PRIMARY KEY,
            guild_id      BIGINT NOT NULL,
            ticket_id     INTEGER NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
            entry_id      INTEGER NOT NULL REFERENCES faq_entries (id) ON DELETE CASCADE,
            rank          INTEGER NOT NULL CHECK (rank >= 1),
            score         DOUBLE PRECISION NOT NULL,
            suggested_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
            outcome       TEXT CHECK (outcome IN ('solved', 'closed_without_reply')),
            outcome_at    TIMESTAMPTZ,
            UNIQUE (ticket_id, entry_id),
            UNIQUE (ticket_id, rank)
        );
        CREATE UNIQUE INDEX idx_faq_suggestions_one_outcome ON faq_suggestions (ticket_id) WHERE outcome IS NOT NULL;
        CREATE INDEX idx_faq_suggestions_guild ON faq_suggestions (guild_id, ticket_id);
        CREATE INDEX idx_faq_suggestions_entry ON faq_suggestions (entry_id);
        """

    /// Appeal triage: what the model made of an appeal, one row per appeal, written by the triage job
    /// (`AppealTriageJob`) and shown to moderators beside the appeal; it never changes the appeal. The row
    /// is created `queued` in the filing transaction when an LLM is configured, with the injection signals
    /// Warden's own check found in the appeal text (`InstructionSignals`), so they show even before the
    /// model answers or when it cannot. `instruction_attempt` is what the model reported.
    ///
    /// `idx_automod_logs_guild_id`: rule backtests page through one guild's logs newest first by id
    /// (keyset), which the existing indexes can only do by scanning every guild's rows.
    ///
    /// Independent of migration 5 (another branch): it touches neither its tables nor its columns.
    private static let v6 = """
        CREATE TABLE appeal_triage (
            appeal_id            INTEGER PRIMARY KEY REFERENCES automod_appeals (id) ON DELETE CASCADE,
            guild_id             BIGINT NOT NULL,
            status               TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'skipped', 'failed')),
            summary              TEXT,
            evidence             JSONB,
            suggestion           TEXT CHECK (suggestion IS NULL OR suggestion IN ('uphold', 'overturn')),
            confidence           DOUBLE PRECISION CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
            instruction_attempt  BOOLEAN,
            injection_signals    JSONB NOT NULL DEFAULT '{}',
            note                 TEXT,
            prompt_hash          TEXT,
            model                TEXT,
            created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX idx_appeal_triage_guild ON appeal_triage (guild_id, status);
        CREATE INDEX idx_automod_logs_guild_id ON automod_logs (guild_id, id);
        """

    /// Webhooks: the endpoints operators register (one guild, or every guild when guild_id is NULL), and the
    /// outbox of deliveries, one row per endpoint and event, written in the transaction that appends the
    /// event (`WebhookRepository.fanOut`). `kinds` is a JSON array of event kinds, empty for every kind.
    /// Deliveries of one endpoint and guild go out in event order: only the oldest undelivered one of each
    /// such stream is leased (`idx_webhook_deliveries_open`), and a dead one holds the rest until replayed.
    private static let v4 = """
        CREATE TABLE webhook_endpoints (
            id                        SERIAL PRIMARY KEY,
            guild_id                  BIGINT,
            url                       TEXT NOT NULL,
            kinds                     JSONB NOT NULL,
            secret                    TEXT NOT NULL,
            previous_secret           TEXT,
            previous_secret_until     TIMESTAMPTZ,
            created_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at                TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX idx_webhook_endpoints_guild ON webhook_endpoints (guild_id);

        CREATE TABLE webhook_deliveries (
            id               BIGSERIAL PRIMARY KEY,
            endpoint_id      INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
            guild_id         BIGINT NOT NULL,
            event_id         BIGINT NOT NULL,
            kind             TEXT NOT NULL,
            payload          JSONB NOT NULL,
            event_created_at TIMESTAMPTZ NOT NULL,
            status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_attempt_at  TIMESTAMPTZ NOT NULL,
            locked_until     TIMESTAMPTZ,
            first_failed_at  TIMESTAMPTZ,
            last_status      INTEGER,
            last_error       TEXT,
            delivered_at     TIMESTAMPTZ,
            created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
            UNIQUE (endpoint_id, event_id)
        );
        CREATE INDEX idx_webhook_deliveries_open ON webhook_deliveries (endpoint_id, guild_id, event_id) WHERE status <> 'delivered';
        CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX idx_webhook_deliveries_updated ON webhook_deliveries (updated_at) WHERE status = 'delivered';
        """

    /// `automod_logs.violation_at`: when the violation happened on Discord's clock (the message's time, or
    /// the time it was judged if that is earlier). `timestamp` stays the time it was logged. Escalation
    /// points decay from the violation time, so an appeal's refund must decay from it too (they differ for a
    /// backlog judged late). Older rows keep NULL and fall back to `timestamp`.
    private static let v3 = """
        ALTER TABLE automod_logs ADD COLUMN violation_at TIMESTAMPTZ;
        """

    /// Support desk:
    /// - support_tickets.closed_at: cycle time for ticket_metrics.
    /// - ticket_summaries: guild_id (per-guild clustering reads the guild's summaries in id order), category,
    ///   cluster_key (the cluster the summary is in now; rewritten when a small cluster merges into another),
    ///   embedding (JSON array, when an embeddings model is configured), prompt_hash, model; one summary per
    ///   ticket (unique), which makes a retried summary job write at most once.
    /// - ticket_metrics.guild_id: snapshots per guild.
    /// - faq_entries: cluster_key and proposal_id (the proposal it came from), updated_at; `search` is a
    ///   weighted tsvector (title and keywords A, summary B) with a GIN index for full-text search.
    /// - faq_search_logs.guild_id.
    /// - faq_proposals.source_count (cluster size when drafted: a rejected or expired cluster is proposed again
    ///   only once it has grown by the guild's threshold), prompt_hash.
    /// - verification_tickets: the screenshot's SHA-256, content type, dimensions and bytes (base64, kept only
    ///   until a decision), what the model read (amount as decimal text, currency, merchant), the policy's
    ///   review reasons (JSON array), attempts and last_error for retries, updated_at.
    private static let v2 = """
        ALTER TABLE support_tickets ADD COLUMN closed_at TIMESTAMPTZ;
        CREATE INDEX idx_support_tickets_guild_created ON support_tickets (guild_id, created_at);

        ALTER TABLE ticket_summaries ADD COLUMN guild_id BIGINT;
        ALTER TABLE ticket_summaries ADD COLUMN category TEXT;
        ALTER TABLE ticket_summaries ADD COLUMN cluster_key TEXT;
        ALTER TABLE ticket_summaries ADD COLUMN embedding JSONB;
        ALTER TABLE ticket_summaries ADD COLUMN prompt_hash TEXT;
        ALTER TABLE ticket_summaries ADD COLUMN model TEXT;
        UPDATE ticket_summaries SET guild_id = (SELECT t.guild_id FROM support_tickets t WHERE t.id = ticket_summaries.ticket_id);
        DELETE FROM ticket_summaries WHERE id NOT IN (SELECT MIN(id) FROM ticket_summaries GROUP BY ticket_id);
        CREATE UNIQUE INDEX idx_ticket_summaries_one_per_ticket ON ticket_summaries (ticket_id);
        CREATE INDEX idx_ticket_summaries_guild_id ON ticket_summaries (guild_id, id);
        CREATE INDEX idx_ticket_summaries_guild_cluster ON ticket_summaries (guild_id, cluster_key);

        ALTER TABLE ticket_metrics ADD COLUMN guild_id BIGINT;

        ALTER TABLE faq_entries ADD COLUMN cluster_key TEXT;
        ALTER TABLE faq_entries ADD COLUMN proposal_id INTEGER;
        ALTER TABLE faq_entries ADD COLUMN updated_at TIMESTAMPTZ;
        ALTER TABLE faq_entries ADD COLUMN search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', coalesce(title, '')), 'A')
            || setweight(to_tsvector('english', coalesce(keywords::text, '')), 'A')
            || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
        ) STORED;
        CREATE INDEX idx_faq_entries_search ON faq_entries USING GIN (search);

        ALTER TABLE faq_search_logs ADD COLUMN guild_id BIGINT;

        ALTER TABLE faq_proposals ADD COLUMN source_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE faq_proposals ADD COLUMN prompt_hash TEXT;
        CREATE INDEX idx_faq_proposals_guild_cluster ON faq_proposals (guild_id, cluster_key, id);

        ALTER TABLE verification_tickets ADD COLUMN image_sha256 TEXT;
        ALTER TABLE verification_tickets ADD COLUMN content_type TEXT;
        ALTER TABLE verification_tickets ADD COLUMN image_width INTEGER;
        ALTER TABLE verification_tickets ADD COLUMN image_height INTEGER;
        ALTER TABLE verification_tickets ADD COLUMN image_base64 TEXT;
        ALTER TABLE verification_tickets ADD COLUMN amount TEXT;
        ALTER TABLE verification_tickets ADD COLUMN currency TEXT;
        ALTER TABLE verification_tickets ADD COLUMN merchant TEXT;
        ALTER TABLE verification_tickets ADD COLUMN review_reasons JSONB;
        ALTER TABLE verification_tickets ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE verification_tickets ADD COLUMN last_error TEXT;
        ALTER TABLE verification_tickets ADD COLUMN updated_at TIMESTAMPTZ;
        CREATE INDEX idx_verification_tickets_guild_image ON verification_tickets (guild_id, image_sha256);
        """

    private static let v1 = """
        CREATE TABLE bot_settings (
            guild_id    BIGINT NOT NULL,
            scope       TEXT NOT NULL,
            key         TEXT NOT NULL,
            value       JSONB NOT NULL,
            value_type  TEXT,
            updated_by  BIGINT,
            updated_at  TIMESTAMPTZ DEFAULT now(),
            PRIMARY KEY (guild_id, scope, key)
        );

        CREATE TABLE settings_history (
            id           SERIAL PRIMARY KEY,
            guild_id     BIGINT NOT NULL,
            scope        TEXT NOT NULL,
            key          TEXT NOT NULL,
            old_value    JSONB,
            new_value    JSONB NOT NULL,
            value_type   TEXT,
            changed_by   BIGINT,
            changed_at   TIMESTAMPTZ DEFAULT now(),
            change_type  TEXT NOT NULL
        );
        CREATE INDEX idx_settings_history_guild_scope_key ON settings_history (guild_id, scope, key);
        CREATE INDEX idx_settings_history_changed_at ON settings_history (changed_at);

        CREATE TABLE premium_subs (
            id                      SERIAL PRIMARY KEY,
            user_id                 BIGINT NOT NULL,
            guild_id                BIGINT NOT NULL,
            tier                    TEXT NOT NULL,
            status                  TEXT NOT NULL,
            stripe_subscription_id  TEXT,
            expires_at              TIMESTAMPTZ,
            created_at              TIMESTAMPTZ DEFAULT now(),
            expiry_warning_sent_at  TIMESTAMPTZ
        );
        CREATE INDEX idx_premium_subs_user_guild ON premium_subs (user_id, guild_id);
        CREATE INDEX idx_premium_subs_guild_status ON premium_subs (guild_id, status);
        CREATE UNIQUE INDEX idx_premium_subs_one_active_per_user ON premium_subs (user_id) WHERE status = 'active';

        CREATE TABLE gpt_usage (
            user_id     BIGINT NOT NULL,
            guild_id    BIGINT NOT NULL,
            usage_date  DATE NOT NULL DEFAULT CURRENT_DATE,
            call_count  INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, guild_id, usage_date)
        );
        CREATE INDEX idx_gpt_usage_date ON gpt_usage (usage_date);

        CREATE TABLE automod_actions (
            id           SERIAL PRIMARY KEY,
            guild_id     BIGINT NOT NULL,
            action_type  TEXT NOT NULL,
            severity     INTEGER DEFAULT 1,
            config       JSONB NOT NULL,
            is_premium   BOOLEAN DEFAULT false,
            created_by   BIGINT,
            created_at   TIMESTAMPTZ DEFAULT now()
        );
        CREATE INDEX idx_automod_actions_guild ON automod_actions (guild_id);

        CREATE TABLE automod_rules (
            id          SERIAL PRIMARY KEY,
            guild_id    BIGINT NOT NULL,
            rule_type   TEXT NOT NULL,
            name        TEXT NOT NULL,
            enabled     BOOLEAN DEFAULT true,
            config      JSONB NOT NULL,
            action_id   INTEGER REFERENCES automod_actions (id) ON DELETE SET NULL,
            created_by  BIGINT,
            created_at  TIMESTAMPTZ DEFAULT now(),
            updated_at  TIMESTAMPTZ DEFAULT now(),
            is_premium  BOOLEAN DEFAULT false,
            UNIQUE (guild_id, name)
        );
        CREATE INDEX idx_automod_rules_guild_enabled ON automod_rules (guild_id, enabled);
        CREATE INDEX idx_automod_rules_type ON automod_rules (rule_type);

        CREATE TABLE automod_logs (
            id               BIGSERIAL PRIMARY KEY,
            guild_id         BIGINT NOT NULL,
            user_id          BIGINT NOT NULL,
            message_id       BIGINT,
            channel_id       BIGINT,
            rule_id          INTEGER REFERENCES automod_rules (id) ON DELETE SET NULL,
            action_taken     TEXT NOT NULL,
            message_content  TEXT,
            ai_analysis      JSONB,
            context          JSONB,
            evidence         JSONB,
            moderator_id     BIGINT,
            timestamp        TIMESTAMPTZ DEFAULT now(),
            appeal_status    TEXT DEFAULT 'none'
        );
        CREATE INDEX idx_automod_logs_guild_user ON automod_logs (guild_id, user_id);
        CREATE INDEX idx_automod_logs_timestamp ON automod_logs (timestamp);
        CREATE INDEX idx_automod_logs_rule ON automod_logs (rule_id);
        CREATE UNIQUE INDEX idx_automod_logs_guild_message ON automod_logs (guild_id, message_id) WHERE message_id IS NOT NULL;

        CREATE TABLE automod_stats (
            id                 SERIAL PRIMARY KEY,
            guild_id           BIGINT NOT NULL,
            rule_id            INTEGER REFERENCES automod_rules (id) ON DELETE CASCADE,
            date               DATE NOT NULL,
            triggers_count     INTEGER DEFAULT 0,
            false_positives    INTEGER DEFAULT 0,
            avg_response_time  DOUBLE PRECISION,
            created_at         TIMESTAMPTZ DEFAULT now(),
            UNIQUE (guild_id, rule_id, date)
        );
        CREATE INDEX idx_automod_stats_date ON automod_stats (date);

        CREATE TABLE automod_user_history (
            id               SERIAL PRIMARY KEY,
            guild_id         BIGINT NOT NULL,
            user_id          BIGINT NOT NULL,
            rule_type        TEXT NOT NULL,
            violation_count  INTEGER DEFAULT 1,
            last_violation   TIMESTAMPTZ DEFAULT now(),
            total_points     DOUBLE PRECISION DEFAULT 0,
            context          JSONB,
            updated_at       TIMESTAMPTZ DEFAULT now(),
            UNIQUE (guild_id, user_id, rule_type)
        );
        CREATE INDEX idx_automod_user_history_guild_user ON automod_user_history (guild_id, user_id);

        CREATE TABLE automod_appeals (
            id          SERIAL PRIMARY KEY,
            log_id      BIGINT NOT NULL UNIQUE REFERENCES automod_logs (id) ON DELETE CASCADE,
            guild_id    BIGINT NOT NULL,
            user_id     BIGINT NOT NULL,
            reason      TEXT,
            status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
            decided_by  BIGINT,
            note        TEXT,
            created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
            decided_at  TIMESTAMPTZ
        );
        CREATE INDEX idx_automod_appeals_guild_status ON automod_appeals (guild_id, status, created_at);

        CREATE TABLE support_tickets (
            id            SERIAL PRIMARY KEY,
            guild_id      BIGINT NOT NULL,
            user_id       BIGINT NOT NULL,
            username      TEXT,
            description   TEXT NOT NULL,
            status        TEXT,
            created_at    TIMESTAMPTZ DEFAULT now(),
            channel_id    BIGINT,
            claimed_by    BIGINT,
            claimed_at    TIMESTAMPTZ,
            updated_at    TIMESTAMPTZ DEFAULT now(),
            escalated_to  BIGINT,
            archived_at   TIMESTAMPTZ,
            archived_by   BIGINT
        );
        CREATE INDEX idx_support_tickets_user_id ON support_tickets (user_id);
        CREATE INDEX idx_support_tickets_status ON support_tickets (status);
        CREATE INDEX idx_support_tickets_channel_id ON support_tickets (channel_id);
        CREATE INDEX idx_support_tickets_guild_status ON support_tickets (guild_id, status);

        CREATE TABLE ticket_messages (
            id          BIGSERIAL PRIMARY KEY,
            ticket_id   INTEGER NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
            author_id   BIGINT NOT NULL,
            content     TEXT NOT NULL,
            created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX idx_ticket_messages_ticket ON ticket_messages (ticket_id, id);

        CREATE TABLE ticket_summaries (
            id              SERIAL PRIMARY KEY,
            ticket_id       INTEGER NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
            summary         TEXT NOT NULL,
            similarity_key  TEXT,
            created_at      TIMESTAMPTZ DEFAULT now()
        );
        CREATE INDEX idx_ticket_summaries_ticket ON ticket_summaries (ticket_id);
        CREATE INDEX idx_ticket_summaries_similarity ON ticket_summaries (similarity_key);

        CREATE TABLE ticket_metrics (
            id                  BIGSERIAL PRIMARY KEY,
            snapshot            JSONB,
            scope               TEXT,
            counts              JSONB,
            average_cycle_time  BIGINT,
            triggered_by        BIGINT,
            created_at          TIMESTAMPTZ DEFAULT now()
        );

        CREATE TABLE faq_entries (
            id          SERIAL PRIMARY KEY,
            guild_id    BIGINT,
            title       TEXT,
            summary     TEXT,
            keywords    JSONB,
            created_at  TIMESTAMPTZ DEFAULT now()
        );
        CREATE INDEX idx_faq_entries_guild ON faq_entries (guild_id);

        CREATE TABLE faq_search_logs (
            id             SERIAL PRIMARY KEY,
            user_id        BIGINT,
            query          TEXT,
            results_count  INTEGER,
            searched_at    TIMESTAMPTZ DEFAULT now()
        );

        CREATE TABLE faq_proposals (
            id                 SERIAL PRIMARY KEY,
            guild_id           BIGINT NOT NULL,
            cluster_key        TEXT NOT NULL,
            title              TEXT NOT NULL,
            answer             TEXT NOT NULL,
            keywords           JSONB NOT NULL DEFAULT '[]',
            status             TEXT NOT NULL DEFAULT 'pending'
                               CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
            source_ticket_ids  JSONB NOT NULL DEFAULT '[]',
            reason             TEXT,
            created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
            decided_at         TIMESTAMPTZ,
            decided_by         BIGINT,
            expires_at         TIMESTAMPTZ
        );
        CREATE INDEX idx_faq_proposals_guild_status ON faq_proposals (guild_id, status, created_at);
        CREATE UNIQUE INDEX idx_faq_proposals_one_pending_per_cluster ON faq_proposals (guild_id, cluster_key)
            WHERE status = 'pending';

        CREATE TABLE verification_tickets (
            id                      SERIAL PRIMARY KEY,
            guild_id                BIGINT NOT NULL,
            user_id                 BIGINT NOT NULL,
            channel_id              BIGINT NOT NULL,
            status                  TEXT NOT NULL DEFAULT 'pending',
            ai_can_verify           BOOLEAN,
            ai_needs_manual_review  BOOLEAN,
            ai_reason               TEXT,
            created_at              TIMESTAMPTZ DEFAULT now(),
            resolved_at             TIMESTAMPTZ,
            resolved_by_user_id     BIGINT,
            rejection_reason        TEXT,
            payment_date            DATE
        );
        CREATE INDEX idx_verification_tickets_guild_status ON verification_tickets (guild_id, status);
        CREATE INDEX idx_verification_tickets_channel_id ON verification_tickets (channel_id);

        CREATE TABLE audit_logs (
            id             SERIAL PRIMARY KEY,
            guild_id       BIGINT NOT NULL,
            user_id        BIGINT NOT NULL,
            command_name   TEXT NOT NULL,
            command_type   TEXT NOT NULL,
            success        BOOLEAN,
            error_message  TEXT,
            created_at     TIMESTAMPTZ DEFAULT now()
        );
        CREATE INDEX idx_audit_logs_guild_created ON audit_logs (guild_id, created_at);
        CREATE INDEX idx_audit_logs_command ON audit_logs (command_name, created_at);

        CREATE TABLE health_check_history (
            id                   SERIAL PRIMARY KEY,
            service              TEXT NOT NULL,
            version              TEXT NOT NULL,
            uptime_seconds       INTEGER NOT NULL,
            db_status            TEXT NOT NULL,
            guild_count          INTEGER,
            active_commands_24h  INTEGER,
            gpt_status           TEXT,
            database_pool_size   INTEGER,
            checked_at           TIMESTAMPTZ DEFAULT now()
        );
        CREATE INDEX idx_health_check_history_checked_at ON health_check_history (checked_at DESC);
        CREATE INDEX idx_health_check_history_service ON health_check_history (service, checked_at DESC);

        CREATE TABLE admin_log (
            id           BIGSERIAL PRIMARY KEY,
            guild_id     BIGINT,
            actor_id     BIGINT,
            action       TEXT NOT NULL,
            target_type  TEXT NOT NULL,
            target_id    TEXT,
            "before"     JSONB,
            "after"      JSONB,
            created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX idx_admin_log_guild_created ON admin_log (guild_id, created_at);

        CREATE TABLE api_tokens (
            id          SERIAL PRIMARY KEY,
            token_hash  TEXT NOT NULL UNIQUE,
            role        TEXT NOT NULL,
            guild_id    BIGINT,
            label       TEXT,
            created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
            revoked_at  TIMESTAMPTZ
        );

        CREATE TABLE events (
            id          BIGSERIAL PRIMARY KEY,
            guild_id    BIGINT NOT NULL,
            kind        TEXT NOT NULL,
            payload     JSONB NOT NULL,
            created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX idx_events_guild_id ON events (guild_id, id);

        CREATE TABLE jobs (
            id            BIGSERIAL PRIMARY KEY,
            kind          TEXT NOT NULL,
            payload       JSONB NOT NULL,
            status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
            attempts      INTEGER NOT NULL DEFAULT 0,
            run_after     TIMESTAMPTZ NOT NULL DEFAULT now(),
            locked_until  TIMESTAMPTZ,
            last_error    TEXT,
            dedupe_key    TEXT UNIQUE,
            created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX idx_jobs_status_run_after ON jobs (status, run_after);

        CREATE TABLE message_decisions (
            guild_id    BIGINT NOT NULL,
            message_id  BIGINT NOT NULL,
            decision    JSONB NOT NULL,
            created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
            PRIMARY KEY (guild_id, message_id)
        );
        CREATE INDEX idx_message_decisions_created_at ON message_decisions (created_at);
        """
}
