#!/usr/bin/env bash
# The reference discord.py bot (examples/discord_py) against a real `warden serve` on a SQLite file of its
# own and a fake Discord REST API: installs the Python client and the bot's requirements with pip into a
# fresh virtual environment, checks the bot's types with mypy, and runs its tests
# (examples/discord_py/tests), which reach both servers over loopback. No Discord account is needed.
#
#   scripts/discord-bot-test.sh            # needs the warden binary (WARDEN_BIN, default .build/debug/warden)
set -euo pipefail
cd "$(dirname "$0")/.."

name=discord-bot
bin="${WARDEN_BIN:-.build/debug/warden}"
mypy_version="1.13.0"
. scripts/lib/serve.sh
warden_work "logs (server.log, bot.log, tests.log)"
warden_venv
"$py" -m pip install -q --disable-pip-version-check ./clients/python -r examples/discord_py/requirements.txt \
  "mypy==$mypy_version"
# Typed: the bot, the fake Discord, the demo and the tests pass mypy's strict mode (against discord.py's and
# warden_client's own type hints).
(cd examples/discord_py \
  && "$py" -m mypy --strict --cache-dir "$work/mypy-cache" warden_bot fake_discord.py gateway_payloads.py warden_admin.py demo.py \
  && cd tests && MYPYPATH=.. "$py" -m mypy --strict --cache-dir "$work/mypy-cache" support.py test_message_json.py test_actions.py test_end_to_end.py) \
  | tail -20

url="sqlite:$work/warden.db"
"$bin" admin migrate --database "$url" >/dev/null
export WARDEN_BOT_TOKEN WARDEN_MODERATOR_TOKEN WARDEN_ADMIN_TOKEN WARDEN_WEBHOOK_SECRET WARDEN_WEBHOOK_PORT WARDEN_WEBHOOK_GUILD
WARDEN_BOT_TOKEN=$(warden_token bot)
WARDEN_MODERATOR_TOKEN=$(warden_token moderator)
WARDEN_ADMIN_TOKEN=$(warden_token admin)
# Warden's own webhook deliveries for one guild go to the port the bot's receiver will listen on in
# test_end_to_end.WardenWebhookTests (the other tests sign deliveries themselves).
WARDEN_WEBHOOK_PORT=$(free_port)
WARDEN_WEBHOOK_GUILD=1190000000000000001
WARDEN_WEBHOOK_SECRET=$("$bin" admin webhook add --url "http://127.0.0.1:$WARDEN_WEBHOOK_PORT/warden/webhook" \
  --guild "$WARDEN_WEBHOOK_GUILD" --database "$url" | tail -1)
# The guilds' rules: Warden imports its default pack (rules/) into each; the tests add their own rules.
warden_serve --rules rules

export WARDEN_URL="http://127.0.0.1:$port" WARDEN_BOT_TEST_LOG="$work/bot.log"
# From the tests' folder (support.py puts examples/discord_py on the path); bounded: a hung test fails.
status=0
(cd examples/discord_py/tests && timeout 600 "$py" -m unittest -v test_message_json test_actions test_end_to_end) \
  >"$work/tests.log" 2>&1 || status=$?
if [ "$status" -eq 0 ]; then tail -45 "$work/tests.log"; else tail -200 "$work/tests.log"; fi
exit "$status"
