#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer) of the parsers that read untrusted bytes: the message JSON parser, the
# rule pack loader and the screenshot probe. Builds the targets in Fuzz/ (every module instrumented with
# -sanitize=fuzzer,address, in .build-fuzz) and runs each over its checked-in seed corpus.
#
#   scripts/fuzz.sh                    # CI: a bounded number of inputs per target (or FUZZ_RUNS each)
#   scripts/fuzz.sh --time 600         # on demand: ten minutes per target
#   scripts/fuzz.sh --target FuzzRulePack --time 3600
#
# New inputs that reach new code go to .build-fuzz/corpus/<target> (kept between runs, not committed; copy
# the interesting ones into Fuzz/Corpus/<target>). A crash leaves its input in .build-fuzz/crashes/ and
# fails the script; replay it with `.build-fuzz/debug/<target> <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || { set +u; . /etc/profile; set -u; }

runs="${FUZZ_RUNS:-}"
seconds=""
targets=(FuzzMessageParser FuzzRulePack FuzzImageProbe)
while (($#)); do
  case "$1" in
    --time) seconds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --target) targets=("$2"); shift 2 ;;
    *) echo "fuzz: unknown option '$1' (--time SECONDS, --runs N, --target NAME)" >&2; exit 2 ;;
  esac
done

swift build --package-path Fuzz --scratch-path .build-fuzz -c debug -Xswiftc -sanitize=fuzzer,address

# Inputs longer than a route accepts are not worth the fuzzer's time; these match the service's limits in spirit.
declare -A max_len=([FuzzMessageParser]=16384 [FuzzRulePack]=4096 [FuzzImageProbe]=8192)
# CI's counts: each takes under a minute here (a rule pack input compiles its rules, so that target runs fewer).
declare -A ci_runs=([FuzzMessageParser]=30000 [FuzzRulePack]=3000 [FuzzImageProbe]=30000)
status=0
# The Swift runtime's backtracer and AddressSanitizer fight over a crashing process; libFuzzer reports it.
export SWIFT_BACKTRACE=enable=no
for target in "${targets[@]}"; do
  mkdir -p ".build-fuzz/corpus/$target" .build-fuzz/crashes
  limit=(-runs="${runs:-${ci_runs[$target]}}")
  [ -n "$seconds" ] && limit=(-max_total_time="$seconds")
  echo "fuzz: $target (${limit[*]})"
  code=0
  ".build-fuzz/debug/$target" "${limit[@]}" -max_len="${max_len[$target]:-8192}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix=".build-fuzz/crashes/$target-" \
    ".build-fuzz/corpus/$target" "Fuzz/Corpus/$target" >".build-fuzz/$target.log" 2>&1 || code=$?
  grep -E "INITED|DONE|stat::number_of_executed_units|stat::new_units_added|ERROR|SUMMARY|Test unit written" ".build-fuzz/$target.log" || true
  if ((code != 0)); then
    echo "fuzz: $target failed (exit $code); the log is .build-fuzz/$target.log" >&2
    tail -40 ".build-fuzz/$target.log" >&2
    status=1
  fi
done
exit $status
