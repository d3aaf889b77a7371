#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server.
#
#   scripts/with-postgres.sh swift test --scratch-path .build-store --skip-build --filter WardenStoreTests
#
# Starts PostgreSQL (newest installed, 15 on Debian 12) on a free loopback port with trust auth in a fresh
# temporary directory, exports WARDEN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres, runs
# the command, stops the server and removes its files on exit, and exits with the command's status.
# Runs as root (initdb and pg_ctl run as the `postgres` user via su) or as any non-root user.
# Set KEEP_PGROOT=1 to keep the data directory and logs afterwards.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 64
fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "with-postgres: no PostgreSQL server found under /usr/lib/postgresql (apt-get install -y postgresql)" >&2
    exit 69
fi

PGROOT=$(mktemp -d "${TMPDIR:-/tmp}/warden-pg.XXXXXX")
chmod 755 "$PGROOT"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PGROOT"
    as_pg() { su postgres -s /bin/sh -c "$1"; }
else
    as_pg() { sh -c "$1"; }
fi

started=0
cleanup() {
    status=$?
    if [ "$started" -eq 1 ]; then
        as_pg "'$PGBIN/pg_ctl' -D '$PGROOT/data' -m fast -w stop >/dev/null 2>&1" || true
    fi
    if [ "${KEEP_PGROOT:-0}" = 1 ]; then
        echo "with-postgres: server files kept in $PGROOT" >&2
    elif [ "$status" -ne 0 ]; then
        # Keep the logs for diagnosis, drop the (large) data directory.
        rm -rf "$PGROOT/data"
        echo "with-postgres: logs kept in $PGROOT" >&2
    else
        rm -rf "$PGROOT"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    echo "with-postgres: $1" >&2
    for log in "$PGROOT/initdb.log" "$PGROOT/server.log"; do
        if [ -s "$log" ]; then
            echo "---- $log (last 30 lines) ----" >&2
            tail -n 30 "$log" >&2
        fi
    done
    exit 70
}

# A port nothing listens on now; pg_ctl fails clearly if another process takes it in between.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_pg "'$PGBIN/initdb' -D '$PGROOT/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'$PGROOT/initdb.log' 2>&1" \
    || fail "initdb failed; log: $PGROOT/initdb.log"

PORT=""
# 500 connections: the suites run in parallel, each test opening its own pool of 4 (200 ran out once the
# support desk suites grew).
for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    started=1
    if as_pg "'$PGBIN/pg_ctl' -D '$PGROOT/data' -l '$PGROOT/server.log' -w -t 30 \
              -o \"-c listen_addresses=127.0.0.1 -p $PORT -k '$PGROOT' -c max_connections=500 -c fsync=off\" start >/dev/null"; then
        break
    fi
    started=0
    PORT=""
    echo "with-postgres: start on a free port failed (attempt $attempt); server log: $PGROOT/server.log" >&2
done
[ -n "$PORT" ] || fail "could not start PostgreSQL; server log: $PGROOT/server.log"

export WARDEN_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (log: $PGROOT/server.log)" >&2

set +e
"$@"
code=$?
set -e
if [ "$code" -ne 0 ]; then
    echo "with-postgres: command exited with $code; server log: $PGROOT/server.log" >&2
fi
exit "$code"
