#!/usr/bin/env bash
# Load test of `POST /v1/messages` with an external load generator: a release `warden serve` in one process,
# wrk (Debian's, installed when missing) in another, every request a message with its own id (the Lua
# script in scripts/load/), every answer checked to be a decision for a message sent and not answered
# before (wrk cannot tell which connection an answer came on), then the store checked to hold exactly the
# answered messages (those still in flight when wrk stopped left out). Fails on any error answer, socket
# error, or a server that died. --database takes sqlite:PATH or a postgres:// URL.
#
#   scripts/http-load.sh                                  # SQLite file in a temporary directory
#   scripts/with-postgres.sh sh -c 'scripts/http-load.sh --database "$WARDEN_TEST_POSTGRES_URL"'
#   options: --duration 20s  --connections 32  --threads 1  --lanes N (batches committed at once)
set -euo pipefail
cd "$(dirname "$0")/.."

duration=20s connections=32 threads=1 database="" lanes=()
while (($#)); do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --database) database=$2; shift 2 ;;
    --lanes) lanes=(--lanes "$2"); shift 2 ;;
    *) echo "http-load: unknown option $1" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "http-load: install wrk (apt-get install wrk)" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk >/dev/null
fi

work=$(mktemp -d)
swift build -c release --product warden > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
warden=.build/release/warden
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
[ -n "$database" ] || database="sqlite:$work/load.sqlite"

token=$("$warden" admin token create --role bot --label http-load --database "$database" | tail -1)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG_LEVEL=warning "$warden" serve --port "$port" --database "$database" ${lanes[@]+"${lanes[@]}"} > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "http-load: warden serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }

# Ids: "1", seven digits of the clock (unique to the run, so a PostgreSQL database used before replays
# nothing), a two-digit thread, a nine-digit counter.
prefix="1$(date +%s | tail -c 8)"
WARDEN_TOKEN=$token WARDEN_LOAD_PREFIX=$prefix WARDEN_LOAD_UNANSWERED="$work/unanswered.txt" \
  wrk -t"$threads" -c"$connections" -d"$duration" -s scripts/load/messages.lua "http://127.0.0.1:$port" > "$work/wrk.txt"
if ! kill -0 "$server" 2>/dev/null || ! curl -sf "http://127.0.0.1:$port/health" >/dev/null; then
  echo "http-load: warden serve died during the run" >&2; cat "$work/serve.log" >&2; exit 1
fi
kill -TERM "$server"
status=0; wait "$server" || status=$?; server=""
[ "$status" -eq 0 ] || { echo "http-load: warden serve exited with $status" >&2; cat "$work/serve.log" >&2; exit 1; }

result=$(grep '^RESULT' "$work/wrk.txt") || { cat "$work/wrk.txt" >&2; exit 1; }
lower="${prefix}00000000000"; upper="$((${prefix} + 1))00000000000"
# Decisions of the run, less those of messages still unanswered when wrk stopped.
unanswered=$(paste -sd, "$work/unanswered.txt"); unanswered=${unanswered:-0}
query="SELECT COUNT(*) FROM message_decisions WHERE message_id >= $lower AND message_id < $upper AND message_id NOT IN ($unanswered)"
case "$database" in
  sqlite:*) stored=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
                       "${database#sqlite:}" "$query") ;;
  *) stored=$(psql -qtA "$database" -c "$query") ;;
esac
field() { sed -E "s/.* $1=([0-9]+).*/\1/" <<<" $result"; }
answered=$(field answered) failed=$(field failed) mismatched=$(field mismatched) socket=$(field socket_errors)
echo "http-load: ${database%%:*}, $connections connections, $threads wrk thread(s), $duration"
echo "  $result"
echo "  stored decisions: $stored for $answered answered messages ($(wc -l < "$work/unanswered.txt") in flight at the end left out)"
[ "$answered" -gt 0 ] || { echo "http-load: no message was answered" >&2; cat "$work/serve.log" >&2; exit 1; }
[ "$failed" -eq 0 ] && [ "$socket" -eq 0 ] || { echo "http-load: $failed error answers, $socket socket errors" >&2; exit 1; }
[ "$mismatched" -eq 0 ] || { echo "http-load: $mismatched answers were not for a message sent, or answered one twice" >&2; exit 1; }
[ "$stored" -eq "$answered" ] || { echo "http-load: $stored decisions stored for $answered answered messages" >&2; exit 1; }
