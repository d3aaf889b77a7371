# Shared by the scripts that check Warden against a real `warden serve` (sourced, never run): a work folder
# kept only when something failed, a Python virtual environment, free loopback ports, tokens, and the server
# started and waited for. The caller sets `name` (for messages) and `bin` (the warden executable) first.

# Makes $work and arranges for the server to stop and $work to go on exit (kept, with a note naming
# $1, when the script fails).
warden_work() {
  [ -x "$bin" ] || { echo "$name: no warden binary at $bin (swift build --product warden)" >&2; exit 2; }
  work=$(mktemp -d "${TMPDIR:-/tmp}/warden-$name.XXXXXX")
  server=""
  kept="$1"
  trap warden_cleanup EXIT
}

warden_cleanup() {
  local status=$?
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ]; then echo "$name: $kept kept in $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}

# A fresh virtual environment in $work/venv (installing python3-venv when root and it is missing); sets $py.
warden_venv() {
  if ! python3 -m venv "$work/venv" >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq python3-venv >/dev/null; fi
    python3 -m venv "$work/venv"
  fi
  py="$work/venv/bin/python"
}

# Sets $url to a store of this run's own: a SQLite file in $work for `sqlite`, or a new database on the throwaway
# server of scripts/with-postgres.sh for `postgres` (named after $name and this process); migrated.
warden_store() {
  case "$1" in
    sqlite) url="sqlite:$work/warden.db" ;;
    postgres)
      local base="${WARDEN_TEST_POSTGRES_URL:?$name: postgres runs under scripts/with-postgres.sh}"
      local database="warden_${name//-/_}_$$"
      psql -q "$base" -c "CREATE DATABASE $database" >/dev/null
      url="${base%/*}/$database" ;;
    *) echo "$name: store must be sqlite or postgres, got '$1'" >&2; exit 2 ;;
  esac
  "$bin" admin migrate --database "$url" >/dev/null
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# A new token of role $1 on the store at $url, printed.
warden_token() { "$bin" admin token create --role "$1" --label "$name" --database "$url" | tail -1; }

# Starts `warden serve` on $url and a free port (extra arguments passed on), its log in $work/server.log;
# sets $server and $port, and returns once /health answers (at most 100 tries, 20 s). A caller whose setup
# must know the server's URL before it starts (a redirect URL in its environment) sets $serve_port first.
warden_serve() {
  port=${serve_port:-$(free_port)}
  "$bin" serve --database "$url" --port "$port" "$@" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || { echo "$name: warden serve exited; log:" >&2; tail -20 "$work/server.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "$name: warden serve never became healthy" >&2
  exit 1
}
