#!/usr/bin/env bash
# API fuzzing over the OpenAPI document with schemathesis, against a real `warden serve` on a store of its own.
#
#   scripts/api-fuzz.sh sqlite                              # a SQLite file in a temporary directory
#   scripts/with-postgres.sh scripts/api-fuzz.sh postgres   # a fresh database on that throwaway server
#
# Checks: no 5xx (not_a_server_error), responses match the document (response_schema_conformance,
# content_type_conformance), and every status answered is documented (status_code_conformance). Bounded by
# count: API_FUZZ_EXAMPLES examples per operation (default 30) with a fixed seed, so a run is repeatable.
# Needs the warden binary (WARDEN_BIN, default .build/debug/warden) and schemathesis (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

store="${1:-sqlite}"
bin="${WARDEN_BIN:-.build/debug/warden}"
examples="${API_FUZZ_EXAMPLES:-30}"
seed="${API_FUZZ_SEED:-20261202}"
schemathesis_version="4.32.5"
name=api-fuzz
. scripts/lib/serve.sh

if ! command -v schemathesis >/dev/null || [ "$(schemathesis --version 2>/dev/null | awk '{print $NF}')" != "$schemathesis_version" ]; then
  python3 -m pip install -q --disable-pip-version-check "schemathesis==$schemathesis_version" >&2
fi

warden_work "server log and reports"

warden_store "$store"
token=$(warden_token admin)
warden_token bot >/dev/null   # token 2, the example DELETE revokes
warden_serve

# Records for the document's examples (guild 1100000000000000001, row 1 of each kind), so generated requests
# also reach real rows: a blocked message (log 1), an appeal of it, a ticket with a message and an FAQ suggestion,
# a screenshot, a webhook.
api="http://127.0.0.1:$port/v1"
auth=(-H "Authorization: Bearer $token")
post() { curl -fsS -o /dev/null "${auth[@]}" -H "Content-Type: ${3:-application/json}" --data-binary "$2" "$api$1"; }
guild=1100000000000000001
post /messages '{"id":"1400000000000000001","guild_id":"'$guild'","channel_id":"7","author":{"id":"42","username":"sam"},"content":"FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim","timestamp":"2026-11-30T10:00:00.000000+00:00"}'
post "/guilds/$guild/appeals" '{"log_id":1,"user_id":"42","reason":"it was a joke"}'
post "/guilds/$guild/tickets" '{"user_id":"42","username":"sam","description":"my payment did not go through"}'
post "/guilds/$guild/tickets/1/messages" '{"author_id":"42","content":"still waiting"}'
# FAQ entry 1 (drafted, then approved as staff would) and ticket 1's suggestion of it, for the deflection routes.
"$bin" support faq draft --database "$url" --guild $guild --by 77 --title "My payment did not go through" \
  --answer "Payments can take an hour to clear; check your bank's statement." --keywords payment >/dev/null
post "/guilds/$guild/faq/proposals/1/approve" '{"staff_id":"77"}'
post "/guilds/$guild/tickets/1/suggestions" '{}'
post "/guilds/$guild/verifications?user_id=42" @fixtures/screenshots/valid.png image/png
# Webhook 1 points at the discard port: its deliveries fail and are retried, harmlessly.
post /webhooks '{"url":"http://127.0.0.1:9/hook","guild_id":"'$guild'"}'

echo "api-fuzz: schemathesis $schemathesis_version on $store, $examples examples per operation, seed $seed" >&2
code=0
schemathesis run Sources/WardenServer/OpenAPI/openapi.json --url "http://127.0.0.1:$port" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
  --max-examples "$examples" --seed "$seed" --workers 1 --phases examples,coverage,fuzzing \
  --request-timeout 30 --suppress-health-check all --no-color \
  --report junit --report-dir "$work/report" >"$work/schemathesis.txt" 2>&1 || code=$?
# The summary: operations, test cases and failures, as schemathesis prints them.
sed -n '/SUMMARY/,$p' "$work/schemathesis.txt" | head -60
if [ "$code" -ne 0 ]; then
  echo "api-fuzz: schemathesis found failures on $store (exit $code); full output: $work/schemathesis.txt" >&2
  sed -n '/FAILURES/,/SUMMARY/p' "$work/schemathesis.txt" | head -200 >&2
fi
exit "$code"
