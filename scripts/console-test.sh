#!/usr/bin/env bash
# The web console in a real browser: headless Chromium (Debian's chromium and chromium-driver, driven by
# selenium) against a real `warden serve` on a store of its own, with a fake Discord OAuth2 provider
# (Tests/Browser/fake_oauth.py) standing in for Discord behind the appeal form's sign-in. pytest runs
# Tests/Browser, whose fixtures seed the store through the CLI and the HTTP API; screenshots (desktop 1280x900,
# phone 375x812) go to $WARDEN_SCREENSHOTS/<store> (default .build-console/screenshots/<store>).
#
#   scripts/console-test.sh sqlite                              # a SQLite file in a temporary directory
#   scripts/with-postgres.sh scripts/console-test.sh postgres   # a fresh database on that throwaway server
#   scripts/console-test.sh sqlite -k signin                    # further arguments go to pytest
#
# Installs what is missing: chromium and chromium-driver with apt-get (as root, or through sudo); selenium, pytest
# and mypy (the tests' types are checked first) into a virtual environment cached under .build-console.
# Needs the warden binary (WARDEN_BIN, default .build/debug/warden). Bounded: the tests may take
# CONSOLE_TEST_TIMEOUT seconds (default 900) in all.
set -euo pipefail
cd "$(dirname "$0")/.."

store="${1:-sqlite}"
(($# == 0)) || shift
bin="${WARDEN_BIN:-.build/debug/warden}"
# The newest selenium whose dependencies the package index here holds (4.52 needs a newer certifi); classic
# WebDriver through the system chromedriver does not tie it to a Chromium version.
selenium_version="4.51.0"
pytest_version="9.2.0"
mypy_version="1.13.0"
name=console
. scripts/lib/serve.sh

case "$store" in
  sqlite | postgres) ;;
  *) echo "console: store must be sqlite or postgres, got '$store'" >&2; exit 2 ;;
esac

warden_work "server log (server.log), fake OAuth log (oauth.log)"
oauth=""
# Also stops the fake OAuth provider; warden_cleanup then stops the server and exits with the script's status.
console_cleanup() {
  local status=$?
  if [ -n "$oauth" ]; then kill -TERM "$oauth" 2>/dev/null || true; wait "$oauth" 2>/dev/null || true; fi
  set +e
  (exit "$status")
  warden_cleanup
}
trap console_cleanup EXIT

# The browser and its driver, from Debian (a browser download of selenium's or playwright's own cannot work here).
missing=()
for package in chromium chromium-driver; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "console: installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "console: run as root or install: apt-get install -y ${missing[*]}" >&2; exit 1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# selenium, pytest and mypy in a virtual environment kept between runs, keyed on the pinned versions; the
# marker is written last, so an interrupted install is redone.
venv=".build-console/venv-selenium-$selenium_version-pytest-$pytest_version-mypy-$mypy_version"
if [ ! -f "$venv/installed" ] || ! "$venv/bin/python" -c 'import selenium, pytest, mypy' 2>/dev/null; then
  echo "console: installing selenium $selenium_version, pytest $pytest_version and mypy $mypy_version into $venv" >&2
  rm -rf "$venv"
  mkdir -p .build-console
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; fi
    python3 -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "selenium==$selenium_version" "pytest==$pytest_version" \
    "mypy==$mypy_version"
  touch "$venv/installed"
fi
py="$PWD/$venv/bin/python"
# Typed: the harness and the tests pass mypy's strict mode (against selenium's and pytest's own hints).
mypy_cache="$PWD/.build-console/mypy-cache"
(cd Tests/Browser && "$py" -m mypy --strict --cache-dir "$mypy_cache" ./*.py) | tail -2

warden_store "$store"

# Both ports are chosen first: Warden's redirect URL names its own port, and the provider only accepts that one.
serve_port=$(free_port)
oauth_port=$(free_port)
for _ in 1 2 3 4 5; do [ "$oauth_port" != "$serve_port" ] && break; oauth_port=$(free_port); done
callback="http://127.0.0.1:$serve_port/appeal/oauth/callback"
oauth_url="http://127.0.0.1:$oauth_port"
"$py" Tests/Browser/fake_oauth.py --port "$oauth_port" --redirect-uri "$callback" >"$work/oauth.log" 2>&1 &
oauth=$!
for attempt in $(seq 1 50); do
  curl -fsS "$oauth_url/" >/dev/null 2>&1 && break
  kill -0 "$oauth" 2>/dev/null || { echo "console: the fake OAuth provider exited; log:" >&2; tail -20 "$work/oauth.log" >&2; exit 1; }
  [ "$attempt" -lt 50 ] || { echo "console: the fake OAuth provider never answered on $oauth_url" >&2; exit 1; }
  sleep 0.2
done

# Warden's Discord sign-in (the appeal form) reads these; the client id and secret are the fake provider's.
export WARDEN_DISCORD_CLIENT_ID=warden-test WARDEN_DISCORD_CLIENT_SECRET=warden-test-secret
export WARDEN_DISCORD_REDIRECT_URL="$callback" WARDEN_DISCORD_AUTHORIZE_URL="$oauth_url/oauth2/authorize"
export WARDEN_DISCORD_TOKEN_URL="$oauth_url/api/oauth2/token" WARDEN_DISCORD_USER_URL="$oauth_url/api/users/@me"
warden_serve

shots="${WARDEN_SCREENSHOTS:-.build-console/screenshots}/$store"
mkdir -p "$shots"
rm -f "$shots"/*.png "$shots"/failed-*   # only this run's pictures, so none is mistaken for a current one
export WARDEN_URL="http://127.0.0.1:$port" WARDEN_BIN WARDEN_DATABASE="$url" WARDEN_STORE="$store"
export WARDEN_SCREENSHOTS WARDEN_OAUTH_URL="$oauth_url"
WARDEN_BIN="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
WARDEN_SCREENSHOTS="$(cd "$shots" && pwd)"

echo "console: selenium $selenium_version, $(chromium --version 2>/dev/null | head -1), $store store, $WARDEN_URL" >&2
status=0
# timeout signals the whole process group on expiry, chromedriver and Chromium included.
timeout -k 10 "${CONSOLE_TEST_TIMEOUT:-900}" "$py" -m pytest -q -p no:cacheprovider --basetemp "$work/pytest" \
  Tests/Browser "$@" || status=$?
echo "console: screenshots in $WARDEN_SCREENSHOTS" >&2
if [ "$status" -ne 0 ]; then
  echo "console: tests failed on $store (exit $status); server log (last 20 lines):" >&2
  tail -20 "$work/server.log" >&2
fi
exit "$status"
