#!/usr/bin/env bash
# The Python client (clients/python) against a real `warden serve` on a SQLite file of its own:
# installs the package with pip into a fresh virtual environment (as a bot developer would), checks its
# types with mypy --strict, and runs its tests (clients/python/tests), which reach the server over loopback.
#
#   scripts/python-client-test.sh            # needs the warden binary (WARDEN_BIN, default .build/debug/warden)
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${WARDEN_BIN:-.build/debug/warden}"
mypy_version="1.13.0"
[ -x "$bin" ] || { echo "python-client-test: no warden binary at $bin (swift build --product warden)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/warden-python-client.XXXXXX")
server=""
cleanup() {
  status=$?
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ]; then echo "python-client-test: server log kept in $work/server.log" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT

if ! python3 -m venv "$work/venv" >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq python3-venv >/dev/null; fi
  python3 -m venv "$work/venv"
fi
py="$work/venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check ./clients/python "mypy==$mypy_version"
# Typed: the installed package (with its py.typed marker) and its tests pass mypy's strict mode.
(cd clients/python/tests && "$py" -m mypy --strict --cache-dir "$work/mypy-cache" -p warden_client \
  && "$py" -m mypy --strict --cache-dir "$work/mypy-cache" test_client.py test_webhooks.py) | tail -2

url="sqlite:$work/warden.db"
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$bin" admin migrate --database "$url" >/dev/null
export WARDEN_BOT_TOKEN WARDEN_MODERATOR_TOKEN WARDEN_ADMIN_TOKEN
WARDEN_BOT_TOKEN=$("$bin" admin token create --role bot --label python-client --database "$url" | tail -1)
WARDEN_MODERATOR_TOKEN=$("$bin" admin token create --role moderator --label python-client --database "$url" | tail -1)
WARDEN_ADMIN_TOKEN=$("$bin" admin token create --role admin --label python-client --database "$url" | tail -1)
"$bin" serve --database "$url" --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "python-client-test: warden serve exited; log:" >&2; tail -20 "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

export WARDEN_URL="http://127.0.0.1:$port" WARDEN_FIXTURES="$PWD/fixtures"
# From the tests' folder, so the installed package is the one imported (not the source tree).
(cd clients/python/tests && "$py" -m unittest -v test_client test_webhooks 2>&1) | tail -40
