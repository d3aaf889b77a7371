#!/usr/bin/env bash
# Matching quality, Warden against its public peers (issue 14): generates the seeded corpus from
# better-profanity's word list, the `confusables` package's lookalikes and Debian's fortunes and wamerican
# (scripts/quality/corpus.py), then runs `warden-bench --quality --check` with the peers beside it.
# Exits non-zero when a class falls below 99% recall (or its floor in scripts/quality/floors.txt) or
# false positives exceed 0.1%. WARDEN_BENCH picks the binary (default: the debug build; give the release
# build for a messages/s figure worth quoting).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${WARDEN_BENCH:-.build/debug/warden-bench}
work=.build-quality
mkdir -p "$work"

missing=()
for p in fortunes wamerican python3-venv; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -x "$work/venv/bin/python" ] || ! "$work/venv/bin/python" -c "import better_profanity, confusables, profanity_check" 2>/dev/null; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q better-profanity==0.7.0 confusables==1.2.0 alt-profanity-check==1.9.1
fi
[ -x "$bench" ] || swift build --product warden-bench
"$work/venv/bin/python" scripts/quality/corpus.py --out "$work/corpus.jsonl" --words "$work/words.txt" --seed 14
"$bench" --quality --check --corpus "$work/corpus.jsonl" --words "$work/words.txt" --floors scripts/quality/floors.txt \
  --peer-python "$work/venv/bin/python" --peer-script scripts/quality/peers.py "$@"
