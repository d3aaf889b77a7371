#!/usr/bin/env bash
# How long finding due webhook deliveries takes with a large backlog, on PostgreSQL: 20 streams whose head is
# dead with 10,000 deliveries queued behind each, and 50 streams with a due head. Prints the plan's timing
# of the lease's candidate query (WebhookRepository.lease, without its UPDATE) as PostgreSQL reports it.
#
#   scripts/with-postgres.sh scripts/webhook-lease-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
url="${WARDEN_TEST_POSTGRES_URL:?run through scripts/with-postgres.sh}"
schema="lease_bench_$$"
# The tables as migration 4 makes them, in a schema of their own.
python3 - "$schema" > "${TMPDIR:-/tmp}/$schema.sql" <<'PY'
import sys
text = open("Sources/WardenStore/Migrations/PostgresMigrations.swift").read()
start = text.index('static let v4 = """') + len('static let v4 = """')
print(f"CREATE SCHEMA {sys.argv[1]}; SET search_path = {sys.argv[1]};")
print(text[start:text.index('"""', start)])
PY
psql -q "$url" <<SQL
\i ${TMPDIR:-/tmp}/$schema.sql
INSERT INTO webhook_endpoints (guild_id, url, kinds, secret, created_at, updated_at) VALUES (NULL, 'http://x/', '[]', 's', now(), now());
INSERT INTO webhook_deliveries (endpoint_id, guild_id, event_id, kind, payload, event_created_at, status, next_attempt_at, created_at, updated_at)
SELECT 1, g, g * 100000 + i, 'k', '{}', now(), CASE WHEN i = 0 THEN 'dead' ELSE 'pending' END, now() - interval '1 hour', now(), now()
FROM generate_series(1, 20) g, generate_series(0, 10000) i;
INSERT INTO webhook_deliveries (endpoint_id, guild_id, event_id, kind, payload, event_created_at, status, next_attempt_at, created_at, updated_at)
SELECT 1, 1000 + g, 900000000 + g, 'k', '{}', now(), 'pending', now() - interval '1 hour', now(), now() FROM generate_series(1, 50) g;
ANALYZE webhook_deliveries;
EXPLAIN (ANALYZE, COSTS OFF) WITH heads AS MATERIALIZED (
    SELECT endpoint_id, guild_id, MIN(event_id) AS event_id FROM webhook_deliveries
    WHERE status <> 'delivered' GROUP BY endpoint_id, guild_id
), due AS MATERIALIZED (
    SELECT d.id, ROW_NUMBER() OVER (PARTITION BY d.guild_id ORDER BY d.next_attempt_at, d.id) AS turn
    FROM heads h
    JOIN webhook_deliveries d ON d.endpoint_id = h.endpoint_id AND d.guild_id = h.guild_id AND d.event_id = h.event_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.locked_until IS NULL OR d.locked_until < now())
), chosen AS MATERIALIZED (
    SELECT d.id FROM webhook_deliveries d
    WHERE d.id IN (SELECT id FROM due WHERE turn <= 4)
      AND d.status = 'pending' AND (d.locked_until IS NULL OR d.locked_until < now())
    ORDER BY d.next_attempt_at, d.id
    LIMIT 8 FOR UPDATE OF d SKIP LOCKED
)
SELECT id FROM chosen;
DROP SCHEMA $schema CASCADE;
SQL
rm -f "${TMPDIR:-/tmp}/$schema.sql"
