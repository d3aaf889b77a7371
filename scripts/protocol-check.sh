#!/usr/bin/env bash
# Runs scripts/protocol_check.py against a fresh `warden serve` on SQLite in a temporary folder.
#   scripts/protocol-check.sh [path/to/warden]      (default .build/debug/warden; builds nothing)
# Exits with the check's code (1 on any mismatch, 2 when the server did not start).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug/warden}
[ -x "$BIN" ] || { echo "no warden binary at $BIN (build it: swift build --product warden)" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
HEADER_TIMEOUT=2 BODY_TIMEOUT=2
TMP=$(mktemp -d)
SERVER=
cleanup() {
    if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
        kill -TERM "$SERVER" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
DB="sqlite:$TMP/warden.db"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
TOKEN=$("$BIN" admin token create --role admin --database "$DB" | tail -1)
"$BIN" serve --host 127.0.0.1 --port "$PORT" --database "$DB" --rules rules \
    --header-timeout "$HEADER_TIMEOUT" --body-timeout "$BODY_TIMEOUT" >"$TMP/serve.out" 2>"$TMP/serve.log" &
SERVER=$!
for _ in $(seq 100); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $PORT), 0.2).close()" 2>/dev/null; then break; fi
    kill -0 "$SERVER" 2>/dev/null || { echo "warden serve exited:" >&2; cat "$TMP/serve.log" >&2; exit 2; }
    sleep 0.1
done
set +e
python3 scripts/protocol_check.py "http://127.0.0.1:$PORT" "$TOKEN" --header-timeout "$HEADER_TIMEOUT" --body-timeout "$BODY_TIMEOUT"
CODE=$?
set -e
if [ "$CODE" -ne 0 ]; then echo "--- server log (last 40 lines)" >&2; tail -40 "$TMP/serve.log" >&2; fi
if grep -q '"status": "500"\|status=500\|status: 500' "$TMP/serve.log"; then echo "the server logged a 500" >&2; CODE=1; fi
exit "$CODE"
