#!/usr/bin/env bash
# One command to see the reference discord.py bot (examples/discord_py) at work, no Discord account needed:
# sets up a Python virtual environment, starts `warden serve` on a SQLite file of its own, then runs
# examples/discord_py/demo.py, which starts the fake Discord REST API and the bot against both, passes
# sample messages (a clean one, a scam link, shouting, follower selling, a raid call) through the bot's
# message handler, files and approves an appeal, and prints each message -> Warden's decision -> the
# Discord REST calls the bot made. Ends by itself (at most 2 minutes for the demo) and cleans up.
#
#   scripts/discord-bot-demo.sh            # builds the warden binary first if there is none (or set WARDEN_BIN)
set -euo pipefail
cd "$(dirname "$0")/.."

name=discord-demo
bin="${WARDEN_BIN:-.build/debug/warden}"
# One command on a fresh machine too: without a binary, install what is missing and build it first.
if [ -z "${WARDEN_BIN:-}" ] && [ ! -x "$bin" ]; then
  echo "== no warden binary yet: installing what is missing and building it (a few minutes, once)"
  scripts/setup.sh
  swift build --product warden
fi
. scripts/lib/serve.sh
warden_work "logs (server.log, bot.log)"

echo "== setting up a Python environment (discord.py, Warden's client) in $work/venv"
warden_venv
"$py" -m pip install -q --disable-pip-version-check ./clients/python -r examples/discord_py/requirements.txt

url="sqlite:$work/warden.db"
"$bin" admin migrate --database "$url" >/dev/null
export WARDEN_BOT_TOKEN WARDEN_MODERATOR_TOKEN WARDEN_ADMIN_TOKEN
WARDEN_BOT_TOKEN=$(warden_token bot)
WARDEN_MODERATOR_TOKEN=$(warden_token moderator)
WARDEN_ADMIN_TOKEN=$(warden_token admin)
echo "== starting warden serve ($url)"
warden_serve --rules rules

echo "== the bot, against warden serve and the fake Discord"
export WARDEN_URL="http://127.0.0.1:$port" WARDEN_BOT_DEMO_LOG="$work/bot.log"
(cd examples/discord_py && timeout 150 "$py" demo.py)
echo
echo "== done: the bot is examples/discord_py/warden_bot (README: examples/discord_py/README.md)"
