#!/usr/bin/env bash
# The Python client (clients/python) against a real `warden serve` on a SQLite file of its own:
# installs the package with pip into a fresh virtual environment (as a bot developer would), checks its
# types with mypy --strict, and runs its tests (clients/python/tests), which reach the server over loopback.
#
#   scripts/python-client-test.sh            # needs the warden binary (WARDEN_BIN, default .build/debug/warden)
set -euo pipefail
cd "$(dirname "$0")/.."

name=python-client
bin="${WARDEN_BIN:-.build/debug/warden}"
mypy_version="1.13.0"
. scripts/lib/serve.sh
warden_work "server log"
warden_venv
"$py" -m pip install -q --disable-pip-version-check ./clients/python "mypy==$mypy_version"
# Typed: the installed package (with its py.typed marker) and its tests pass mypy's strict mode.
(cd clients/python/tests && "$py" -m mypy --strict --cache-dir "$work/mypy-cache" -p warden_client \
  && "$py" -m mypy --strict --cache-dir "$work/mypy-cache" test_client.py test_webhooks.py) | tail -2

url="sqlite:$work/warden.db"
"$bin" admin migrate --database "$url" >/dev/null
# One FAQ entry for the deflection test, drafted and approved as staff would.
"$bin" support faq draft --database "$url" --guild 1100000000000000001 --by 77 --title "Premium did not unlock after paying" \
  --answer "Link your Ko-fi email with /premium link." --keywords premium,kofi >/dev/null
export WARDEN_FAQ_ENTRY
WARDEN_FAQ_ENTRY=$("$bin" support faq approve 1 --database "$url" --guild 1100000000000000001 --by 77 | sed -n 's/.*FAQ entry #\([0-9]*\).*/\1/p')
export WARDEN_BOT_TOKEN WARDEN_MODERATOR_TOKEN WARDEN_ADMIN_TOKEN
WARDEN_BOT_TOKEN=$(warden_token bot)
WARDEN_MODERATOR_TOKEN=$(warden_token moderator)
WARDEN_ADMIN_TOKEN=$(warden_token admin)
warden_serve

export WARDEN_URL="http://127.0.0.1:$port" WARDEN_FIXTURES="$PWD/fixtures"
# From the tests' folder, so the installed package is the one imported (not the source tree).
(cd clients/python/tests && "$py" -m unittest -v test_client test_webhooks 2>&1) | tail -40
