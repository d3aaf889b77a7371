// SQLite schema. Keep it equivalent to PostgresMigrations.swift: same tables, columns, keys and indexes.
//
// Type mapping: SERIAL/BIGSERIAL -> INTEGER PRIMARY KEY AUTOINCREMENT (ids never reused, as with sequences);
// BIGINT/INTEGER -> INTEGER; DOUBLE PRECISION -> REAL; BOOLEAN -> INTEGER 0/1; JSONB -> TEXT with
// CHECK (col IS NULL OR json_valid(col)), so invalid JSON is refused as PostgreSQL refuses it; TIMESTAMPTZ -> TEXT in the
// fixed-width UTC form 'YYYY-MM-DDTHH:MM:SS.ssssssZ' (defaults pad SQLite's milliseconds with 000 to keep that
// width, so text order is time order); DATE -> TEXT 'YYYY-MM-DD'.
//
// Extensions to the seed schemas are the same as in PostgreSQL and are listed at the top of
// PostgresMigrations.swift: automod_user_history.total_points is REAL (points decay continuously);
// automod_logs gains `evidence` JSON and a unique index on (guild_id, message_id) where message_id is not
// null (no decision_id column); automod_rules gains unique (guild_id, name); faq_entries.keywords is a JSON
// array and faq_entries gains guild_id; plus the design's new tables.
enum SQLiteMigrations {
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

    /// See PostgresMigrations.v9.
    private static let v9 = """
        CREATE TABLE case_counters (
            guild_id     INTEGER PRIMARY KEY,
            last_number  INTEGER NOT NULL
        );
        CREATE TABLE cases (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id          INTEGER NOT NULL,
            number            INTEGER NOT NULL,
            user_id           INTEGER NOT NULL,
            moderator_id      INTEGER,
            action            TEXT NOT NULL,
            reason            TEXT,
            duration_seconds  INTEGER,
            points            REAL,
            log_id            INTEGER,
            source            TEXT NOT NULL CHECK (source IN ('automod', 'manual')),
            created_at        TEXT NOT NULL,
            updated_at        TEXT NOT NULL,
            UNIQUE (guild_id, number)
        );
        CREATE INDEX idx_cases_member ON cases (guild_id, user_id, id);
        CREATE INDEX idx_cases_log ON cases (log_id);
        CREATE TABLE temp_punishments (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id    INTEGER NOT NULL,
            user_id     INTEGER NOT NULL,
            kind        TEXT NOT NULL CHECK (kind IN ('ban', 'mute')),
            role_id     INTEGER,
            case_id     INTEGER,
            log_id      INTEGER,
            ends_at     TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            ended_at    TEXT,
            outcome     TEXT CHECK (outcome IS NULL OR outcome IN ('expired', 'lifted', 'superseded'))
        );
        CREATE UNIQUE INDEX idx_temp_punishments_one_running ON temp_punishments (guild_id, user_id, kind) WHERE ended_at IS NULL;
        CREATE INDEX idx_temp_punishments_due ON temp_punishments (ends_at) WHERE ended_at IS NULL;
        CREATE TABLE member_names (
            guild_id    INTEGER NOT NULL,
            user_id     INTEGER NOT NULL,
            names_hash  TEXT NOT NULL,
            sequence    INTEGER,
            decision    TEXT NOT NULL CHECK (json_valid(decision)),
            updated_at  TEXT NOT NULL,
            PRIMARY KEY (guild_id, user_id)
        );
        ALTER TABLE automod_logs ADD COLUMN redacted_at TEXT;
        """

    /// See PostgresMigrations.v8.
    private static let v8 = """
        DROP INDEX idx_automod_logs_guild_message;
        ALTER TABLE automod_logs ADD COLUMN source TEXT NOT NULL DEFAULT 'warden';
        ALTER TABLE automod_logs ADD COLUMN revision TEXT NOT NULL DEFAULT '';
        CREATE UNIQUE INDEX idx_automod_logs_guild_message ON automod_logs (guild_id, message_id, source, revision) WHERE message_id IS NOT NULL;
        CREATE TABLE gateway_events (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id    INTEGER NOT NULL,
            event_key   TEXT NOT NULL,
            message_id  INTEGER,
            decision    TEXT NOT NULL CHECK (json_valid(decision)),
            created_at  TEXT NOT NULL,
            UNIQUE (guild_id, event_key)
        );
        CREATE INDEX idx_gateway_events_message ON gateway_events (guild_id, message_id, id);
        CREATE INDEX idx_gateway_events_created_at ON gateway_events (created_at);
        CREATE TABLE member_joins (
            guild_id         INTEGER NOT NULL,
            user_id          INTEGER NOT NULL,
            joined_at        TEXT NOT NULL,
            account_created  TEXT NOT NULL,
            name_key         TEXT NOT NULL,
            PRIMARY KEY (guild_id, user_id, joined_at)
        );
        CREATE INDEX idx_member_joins_guild_joined ON member_joins (guild_id, joined_at);
        CREATE TABLE raid_modes (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id      INTEGER NOT NULL,
            trigger_kind  TEXT NOT NULL,
            observed      INTEGER NOT NULL,
            threshold     INTEGER NOT NULL,
            started_at    TEXT NOT NULL,
            last_join_at  TEXT NOT NULL,
            joins         INTEGER NOT NULL DEFAULT 1,
            ended_at      TEXT
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
        ALTER TABLE api_tokens ADD COLUMN user_id INTEGER;
        CREATE TABLE console_sessions (
            id_hash       TEXT PRIMARY KEY,
            token_id      INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
            csrf          TEXT NOT NULL,
            created_at    TEXT NOT NULL,
            last_seen_at  TEXT NOT NULL,
            revoked_at    TEXT
        );
        CREATE INDEX idx_console_sessions_token ON console_sessions (token_id);
        CREATE TABLE member_sessions (
            id_hash       TEXT PRIMARY KEY,
            guild_id      INTEGER NOT NULL,
            user_id       INTEGER NOT NULL,
            username      TEXT NOT NULL,
            csrf          TEXT NOT NULL,
            created_at    TEXT NOT NULL,
            expires_at    TEXT NOT NULL,
            revoked_at    TEXT
        );
        CREATE INDEX idx_automod_appeals_guild_status_id ON automod_appeals (guild_id, status, id);
        ALTER TABLE automod_logs ADD COLUMN verdict TEXT;
        UPDATE automod_logs SET verdict = json_extract(context, '$.verdict') WHERE context IS NOT NULL;
        CREATE TABLE automod_daily (
            guild_id   INTEGER NOT NULL,
            date       TEXT NOT NULL,
            verdict    TEXT NOT NULL,
            decisions  INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (guild_id, date, verdict)
        );
        INSERT INTO automod_daily (guild_id, date, verdict, decisions)
            SELECT guild_id, substr(timestamp, 1, 10), verdict, COUNT(*) FROM automod_logs WHERE verdict IS NOT NULL AND timestamp IS NOT NULL GROUP BY 1, 2, 3;
        CREATE TABLE gpt_denials (
            guild_id    INTEGER NOT NULL,
            usage_date  TEXT NOT NULL,
            denials     INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (guild_id, usage_date)
        );
        """

    /// See PostgresMigrations.v5.
    private static let v5 = """
        CREATE TABLE faq_suggestions (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id      INTEGER NOT NULL,
            ticket_id     INTEGER NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
            entry_id      INTEGER NOT NULL REFERENCES faq_entries (id) ON DELETE CASCADE,
            rank          INTEGER NOT NULL CHECK (rank >= 1),
            score         REAL NOT NULL,
            suggested_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            outcome       TEXT CHECK (outcome IN ('solved', 'closed_without_reply')),
            outcome_at    TEXT,
            UNIQUE (ticket_id, entry_id),
            UNIQUE (ticket_id, rank)
        );
        CREATE UNIQUE INDEX idx_faq_suggestions_one_outcome ON faq_suggestions (ticket_id) WHERE outcome IS NOT NULL;
        CREATE INDEX idx_faq_suggestions_guild ON faq_suggestions (guild_id, ticket_id);
        CREATE INDEX idx_faq_suggestions_entry ON faq_suggestions (entry_id);
        """

    /// See PostgresMigrations.v6.
    private static let v6 = """
        CREATE TABLE appeal_triage (
            appeal_id            INTEGER PRIMARY KEY REFERENCES automod_appeals (id) ON DELETE CASCADE,
            guild_id             INTEGER NOT NULL,
            status               TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'skipped', 'failed')),
            summary              TEXT,
            evidence             TEXT CHECK (evidence IS NULL OR json_valid(evidence)),
            suggestion           TEXT CHECK (suggestion IS NULL OR suggestion IN ('uphold', 'overturn')),
            confidence           REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
            instruction_attempt  INTEGER,
            injection_signals    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(injection_signals)),
            note                 TEXT,
            prompt_hash          TEXT,
            model                TEXT,
            created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            updated_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_appeal_triage_guild ON appeal_triage (guild_id, status);
        CREATE INDEX idx_automod_logs_guild_id ON automod_logs (guild_id, id);
        """

    /// See PostgresMigrations.v4.
    private static let v4 = """
        CREATE TABLE webhook_endpoints (
            id                        INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id                  INTEGER,
            url                       TEXT NOT NULL,
            kinds                     TEXT NOT NULL CHECK (json_valid(kinds)),
            secret                    TEXT NOT NULL,
            previous_secret           TEXT,
            previous_secret_until     TEXT,
            created_at                TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            updated_at                TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_webhook_endpoints_guild ON webhook_endpoints (guild_id);

        CREATE TABLE webhook_deliveries (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            endpoint_id      INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
            guild_id         INTEGER NOT NULL,
            event_id         INTEGER NOT NULL,
            kind             TEXT NOT NULL,
            payload          TEXT NOT NULL CHECK (json_valid(payload)),
            event_created_at TEXT NOT NULL,
            status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_attempt_at  TEXT NOT NULL,
            locked_until     TEXT,
            first_failed_at  TEXT,
            last_status      INTEGER,
            last_error       TEXT,
            delivered_at     TEXT,
            created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            UNIQUE (endpoint_id, event_id)
        );
        CREATE INDEX idx_webhook_deliveries_open ON webhook_deliveries (endpoint_id, guild_id, event_id) WHERE status <> 'delivered';
        CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX idx_webhook_deliveries_updated ON webhook_deliveries (updated_at) WHERE status = 'delivered';
        """

    /// See PostgresMigrations.v3.
    private static let v3 = """
        ALTER TABLE automod_logs ADD COLUMN violation_at TEXT;
        """

    /// Support desk (see PostgresMigrations.v2 for what each change is for). FAQ search: an FTS5 table over
    /// title, summary and keywords that triggers keep in step with faq_entries (external content).
    private static let v2 = """
        ALTER TABLE support_tickets ADD COLUMN closed_at TEXT;
        CREATE INDEX idx_support_tickets_guild_created ON support_tickets (guild_id, created_at);

        ALTER TABLE ticket_summaries ADD COLUMN guild_id INTEGER;
        ALTER TABLE ticket_summaries ADD COLUMN category TEXT;
        ALTER TABLE ticket_summaries ADD COLUMN cluster_key TEXT;
        ALTER TABLE ticket_summaries ADD COLUMN embedding TEXT CHECK (embedding IS NULL OR json_valid(embedding));
        ALTER TABLE ticket_summaries ADD COLUMN prompt_hash TEXT;
        ALTER TABLE ticket_summaries ADD COLUMN model TEXT;
        UPDATE ticket_summaries SET guild_id = (SELECT t.guild_id FROM support_tickets t WHERE t.id = ticket_summaries.ticket_id);
        DELETE FROM ticket_summaries WHERE id NOT IN (SELECT MIN(id) FROM ticket_summaries GROUP BY ticket_id);
        CREATE UNIQUE INDEX idx_ticket_summaries_one_per_ticket ON ticket_summaries (ticket_id);
        CREATE INDEX idx_ticket_summaries_guild_id ON ticket_summaries (guild_id, id);
        CREATE INDEX idx_ticket_summaries_guild_cluster ON ticket_summaries (guild_id, cluster_key);

        ALTER TABLE ticket_metrics ADD COLUMN guild_id INTEGER;

        ALTER TABLE faq_entries ADD COLUMN cluster_key TEXT;
        ALTER TABLE faq_entries ADD COLUMN proposal_id INTEGER;
        ALTER TABLE faq_entries ADD COLUMN updated_at TEXT;
        CREATE VIRTUAL TABLE faq_entries_fts USING fts5 (
            title, summary, keywords, content = 'faq_entries', content_rowid = 'id', tokenize = 'porter unicode61'
        );
        CREATE TRIGGER faq_entries_fts_insert AFTER INSERT ON faq_entries BEGIN
            INSERT INTO faq_entries_fts (rowid, title, summary, keywords) VALUES (new.id, new.title, new.summary, new.keywords);
        END;
        CREATE TRIGGER faq_entries_fts_delete AFTER DELETE ON faq_entries BEGIN
            INSERT INTO faq_entries_fts (faq_entries_fts, rowid, title, summary, keywords)
            VALUES ('delete', old.id, old.title, old.summary, old.keywords);
        END;
        CREATE TRIGGER faq_entries_fts_update AFTER UPDATE ON faq_entries BEGIN
            INSERT INTO faq_entries_fts (faq_entries_fts, rowid, title, summary, keywords)
            VALUES ('delete', old.id, old.title, old.summary, old.keywords);
            INSERT INTO faq_entries_fts (rowid, title, summary, keywords) VALUES (new.id, new.title, new.summary, new.keywords);
        END;
        INSERT INTO faq_entries_fts (faq_entries_fts) VALUES ('rebuild');

        ALTER TABLE faq_search_logs ADD COLUMN guild_id INTEGER;

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
        ALTER TABLE verification_tickets ADD COLUMN review_reasons TEXT CHECK (review_reasons IS NULL OR json_valid(review_reasons));
        ALTER TABLE verification_tickets ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE verification_tickets ADD COLUMN last_error TEXT;
        ALTER TABLE verification_tickets ADD COLUMN updated_at TEXT;
        CREATE INDEX idx_verification_tickets_guild_image ON verification_tickets (guild_id, image_sha256);
        """

    private static let v1 = """
        CREATE TABLE bot_settings (
            guild_id    INTEGER NOT NULL,
            scope       TEXT NOT NULL,
            key         TEXT NOT NULL,
            value       TEXT NOT NULL CHECK (value IS NULL OR json_valid(value)),
            value_type  TEXT,
            updated_by  INTEGER,
            updated_at  TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            PRIMARY KEY (guild_id, scope, key)
        );

        CREATE TABLE settings_history (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id     INTEGER NOT NULL,
            scope        TEXT NOT NULL,
            key          TEXT NOT NULL,
            old_value    TEXT CHECK (old_value IS NULL OR json_valid(old_value)),
            new_value    TEXT NOT NULL CHECK (new_value IS NULL OR json_valid(new_value)),
            value_type   TEXT,
            changed_by   INTEGER,
            changed_at   TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            change_type  TEXT NOT NULL
        );
        CREATE INDEX idx_settings_history_guild_scope_key ON settings_history (guild_id, scope, key);
        CREATE INDEX idx_settings_history_changed_at ON settings_history (changed_at);

        CREATE TABLE premium_subs (
            id                      INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id                 INTEGER NOT NULL,
            guild_id                INTEGER NOT NULL,
            tier                    TEXT NOT NULL,
            status                  TEXT NOT NULL,
            stripe_subscription_id  TEXT,
            expires_at              TEXT,
            created_at              TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            expiry_warning_sent_at  TEXT
        );
        CREATE INDEX idx_premium_subs_user_guild ON premium_subs (user_id, guild_id);
        CREATE INDEX idx_premium_subs_guild_status ON premium_subs (guild_id, status);
        CREATE UNIQUE INDEX idx_premium_subs_one_active_per_user ON premium_subs (user_id) WHERE status = 'active';

        CREATE TABLE gpt_usage (
            user_id     INTEGER NOT NULL,
            guild_id    INTEGER NOT NULL,
            usage_date  TEXT NOT NULL DEFAULT (date('now')),
            call_count  INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, guild_id, usage_date)
        );
        CREATE INDEX idx_gpt_usage_date ON gpt_usage (usage_date);

        CREATE TABLE automod_actions (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id     INTEGER NOT NULL,
            action_type  TEXT NOT NULL,
            severity     INTEGER DEFAULT 1,
            config       TEXT NOT NULL CHECK (config IS NULL OR json_valid(config)),
            is_premium   INTEGER DEFAULT 0,
            created_by   INTEGER,
            created_at   TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_automod_actions_guild ON automod_actions (guild_id);

        CREATE TABLE automod_rules (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id    INTEGER NOT NULL,
            rule_type   TEXT NOT NULL,
            name        TEXT NOT NULL,
            enabled     INTEGER DEFAULT 1,
            config      TEXT NOT NULL CHECK (config IS NULL OR json_valid(config)),
            action_id   INTEGER REFERENCES automod_actions (id) ON DELETE SET NULL,
            created_by  INTEGER,
            created_at  TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            updated_at  TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            is_premium  INTEGER DEFAULT 0,
            UNIQUE (guild_id, name)
        );
        CREATE INDEX idx_automod_rules_guild_enabled ON automod_rules (guild_id, enabled);
        CREATE INDEX idx_automod_rules_type ON automod_rules (rule_type);

        CREATE TABLE automod_logs (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id         INTEGER NOT NULL,
            user_id          INTEGER NOT NULL,
            message_id       INTEGER,
            channel_id       INTEGER,
            rule_id          INTEGER REFERENCES automod_rules (id) ON DELETE SET NULL,
            action_taken     TEXT NOT NULL,
            message_content  TEXT,
            ai_analysis      TEXT CHECK (ai_analysis IS NULL OR json_valid(ai_analysis)),
            context          TEXT CHECK (context IS NULL OR json_valid(context)),
            evidence         TEXT CHECK (evidence IS NULL OR json_valid(evidence)),
            moderator_id     INTEGER,
            timestamp        TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            appeal_status    TEXT DEFAULT 'none'
        );
        CREATE INDEX idx_automod_logs_guild_user ON automod_logs (guild_id, user_id);
        CREATE INDEX idx_automod_logs_timestamp ON automod_logs (timestamp);
        CREATE INDEX idx_automod_logs_rule ON automod_logs (rule_id);
        CREATE UNIQUE INDEX idx_automod_logs_guild_message ON automod_logs (guild_id, message_id) WHERE message_id IS NOT NULL;

        CREATE TABLE automod_stats (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id           INTEGER NOT NULL,
            rule_id            INTEGER REFERENCES automod_rules (id) ON DELETE CASCADE,
            date               TEXT NOT NULL,
            triggers_count     INTEGER DEFAULT 0,
            false_positives    INTEGER DEFAULT 0,
            avg_response_time  REAL,
            created_at         TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            UNIQUE (guild_id, rule_id, date)
        );
        CREATE INDEX idx_automod_stats_date ON automod_stats (date);

        CREATE TABLE automod_user_history (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id         INTEGER NOT NULL,
            user_id          INTEGER NOT NULL,
            rule_type        TEXT NOT NULL,
            violation_count  INTEGER DEFAULT 1,
            last_violation   TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            total_points     REAL DEFAULT 0,
            context          TEXT CHECK (context IS NULL OR json_valid(context)),
            updated_at       TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            UNIQUE (guild_id, user_id, rule_type)
        );
        CREATE INDEX idx_automod_user_history_guild_user ON automod_user_history (guild_id, user_id);

        CREATE TABLE automod_appeals (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            log_id      INTEGER NOT NULL UNIQUE REFERENCES automod_logs (id) ON DELETE CASCADE,
            guild_id    INTEGER NOT NULL,
            user_id     INTEGER NOT NULL,
            reason      TEXT,
            status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
            decided_by  INTEGER,
            note        TEXT,
            created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            decided_at  TEXT
        );
        CREATE INDEX idx_automod_appeals_guild_status ON automod_appeals (guild_id, status, created_at);

        CREATE TABLE support_tickets (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id      INTEGER NOT NULL,
            user_id       INTEGER NOT NULL,
            username      TEXT,
            description   TEXT NOT NULL,
            status        TEXT,
            created_at    TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            channel_id    INTEGER,
            claimed_by    INTEGER,
            claimed_at    TEXT,
            updated_at    TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            escalated_to  INTEGER,
            archived_at   TEXT,
            archived_by   INTEGER
        );
        CREATE INDEX idx_support_tickets_user_id ON support_tickets (user_id);
        CREATE INDEX idx_support_tickets_status ON support_tickets (status);
        CREATE INDEX idx_support_tickets_channel_id ON support_tickets (channel_id);
        CREATE INDEX idx_support_tickets_guild_status ON support_tickets (guild_id, status);

        CREATE TABLE ticket_messages (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            ticket_id   INTEGER NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
            author_id   INTEGER NOT NULL,
            content     TEXT NOT NULL,
            created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_ticket_messages_ticket ON ticket_messages (ticket_id, id);

        CREATE TABLE ticket_summaries (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            ticket_id       INTEGER NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
            summary         TEXT NOT NULL,
            similarity_key  TEXT,
            created_at      TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_ticket_summaries_ticket ON ticket_summaries (ticket_id);
        CREATE INDEX idx_ticket_summaries_similarity ON ticket_summaries (similarity_key);

        CREATE TABLE ticket_metrics (
            id                  INTEGER PRIMARY KEY AUTOINCREMENT,
            snapshot            TEXT CHECK (snapshot IS NULL OR json_valid(snapshot)),
            scope               TEXT,
            counts              TEXT CHECK (counts IS NULL OR json_valid(counts)),
            average_cycle_time  INTEGER,
            triggered_by        INTEGER,
            created_at          TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );

        CREATE TABLE faq_entries (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id    INTEGER,
            title       TEXT,
            summary     TEXT,
            keywords    TEXT CHECK (keywords IS NULL OR json_valid(keywords)),
            created_at  TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_faq_entries_guild ON faq_entries (guild_id);

        CREATE TABLE faq_search_logs (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id        INTEGER,
            query          TEXT,
            results_count  INTEGER,
            searched_at    TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );

        CREATE TABLE faq_proposals (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id           INTEGER NOT NULL,
            cluster_key        TEXT NOT NULL,
            title              TEXT NOT NULL,
            answer             TEXT NOT NULL,
            keywords           TEXT NOT NULL DEFAULT '[]' CHECK (keywords IS NULL OR json_valid(keywords)),
            status             TEXT NOT NULL DEFAULT 'pending'
                               CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
            source_ticket_ids  TEXT NOT NULL DEFAULT '[]' CHECK (source_ticket_ids IS NULL OR json_valid(source_ticket_ids)),
            reason             TEXT,
            created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            decided_at         TEXT,
            decided_by         INTEGER,
            expires_at         TEXT
        );
        CREATE INDEX idx_faq_proposals_guild_status ON faq_proposals (guild_id, status, created_at);
        CREATE UNIQUE INDEX idx_faq_proposals_one_pending_per_cluster ON faq_proposals (guild_id, cluster_key)
            WHERE status = 'pending';

        CREATE TABLE verification_tickets (
            id                      INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id                INTEGER NOT NULL,
            user_id                 INTEGER NOT NULL,
            channel_id              INTEGER NOT NULL,
            status                  TEXT NOT NULL DEFAULT 'pending',
            ai_can_verify           INTEGER,
            ai_needs_manual_review  INTEGER,
            ai_reason               TEXT,
            created_at              TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            resolved_at             TEXT,
            resolved_by_user_id     INTEGER,
            rejection_reason        TEXT,
            payment_date            TEXT
        );
        CREATE INDEX idx_verification_tickets_guild_status ON verification_tickets (guild_id, status);
        CREATE INDEX idx_verification_tickets_channel_id ON verification_tickets (channel_id);

        CREATE TABLE audit_logs (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id       INTEGER NOT NULL,
            user_id        INTEGER NOT NULL,
            command_name   TEXT NOT NULL,
            command_type   TEXT NOT NULL,
            success        INTEGER,
            error_message  TEXT,
            created_at     TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_audit_logs_guild_created ON audit_logs (guild_id, created_at);
        CREATE INDEX idx_audit_logs_command ON audit_logs (command_name, created_at);

        CREATE TABLE health_check_history (
            id                   INTEGER PRIMARY KEY AUTOINCREMENT,
            service              TEXT NOT NULL,
            version              TEXT NOT NULL,
            uptime_seconds       INTEGER NOT NULL,
            db_status            TEXT NOT NULL,
            guild_count          INTEGER,
            active_commands_24h  INTEGER,
            gpt_status           TEXT,
            database_pool_size   INTEGER,
            checked_at           TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_health_check_history_checked_at ON health_check_history (checked_at DESC);
        CREATE INDEX idx_health_check_history_service ON health_check_history (service, checked_at DESC);

        CREATE TABLE admin_log (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id     INTEGER,
            actor_id     INTEGER,
            action       TEXT NOT NULL,
            target_type  TEXT NOT NULL,
            target_id    TEXT,
            "before"     TEXT CHECK ("before" IS NULL OR json_valid("before")),
            "after"      TEXT CHECK ("after" IS NULL OR json_valid("after")),
            created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_admin_log_guild_created ON admin_log (guild_id, created_at);

        CREATE TABLE api_tokens (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            token_hash  TEXT NOT NULL UNIQUE,
            role        TEXT NOT NULL,
            guild_id    INTEGER,
            label       TEXT,
            created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            revoked_at  TEXT
        );

        CREATE TABLE events (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id    INTEGER NOT NULL,
            kind        TEXT NOT NULL,
            payload     TEXT NOT NULL CHECK (payload IS NULL OR json_valid(payload)),
            created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_events_guild_id ON events (guild_id, id);

        CREATE TABLE jobs (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            kind          TEXT NOT NULL,
            payload       TEXT NOT NULL CHECK (payload IS NULL OR json_valid(payload)),
            status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
            attempts      INTEGER NOT NULL DEFAULT 0,
            run_after     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            locked_until  TEXT,
            last_error    TEXT,
            dedupe_key    TEXT UNIQUE,
            created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        );
        CREATE INDEX idx_jobs_status_run_after ON jobs (status, run_after);

        CREATE TABLE message_decisions (
            guild_id    INTEGER NOT NULL,
            message_id  INTEGER NOT NULL,
            decision    TEXT NOT NULL CHECK (decision IS NULL OR json_valid(decision)),
            created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
            PRIMARY KEY (guild_id, message_id)
        );
        CREATE INDEX idx_message_decisions_created_at ON message_decisions (created_at);
        """
}
