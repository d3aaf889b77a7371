#!/usr/bin/env bash
# The whole test suite against both stores: installs what is missing, starts a throwaway PostgreSQL on a
# free loopback port, builds the tests and runs them (SQLite files and that PostgreSQL server), then the
# hostile-input checks against a real `warden serve`: raw malformed requests, schemathesis over the OpenAPI
# document on both stores, the Python client's and the reference discord.py bot's tests, the web console in headless
# Chromium on both stores, and the libFuzzer
# targets for a bounded number of inputs each; then the confusables table against ICU and the matching-quality
# evaluation beside its public peers (scripts/quality.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
# The CLI tests run the warden executable, which building the tests compiles but does not link.
swift build --product warden
scripts/with-postgres.sh swift test --skip-build --disable-xctest "$@"
# Filtering the suite (arguments given) is for working on one test: the whole-service checks are skipped then.
if (($# == 0)); then
  # Latency between instances, measured alone: in the parallel suite above the machine's two cores are shared
  # by hundreds of tests, so there NotifyTests only asserts that each wake came from a notification.
  WARDEN_LATENCY_CHECKS=1 scripts/with-postgres.sh swift test --skip-build --disable-xctest --filter NotifyTests
  scripts/protocol-check.sh .build/debug/warden
  scripts/python-client-test.sh
  scripts/discord-bot-test.sh
  scripts/console-test.sh sqlite
  scripts/with-postgres.sh scripts/console-test.sh postgres
  scripts/api-fuzz.sh sqlite
  scripts/with-postgres.sh scripts/api-fuzz.sh postgres
  scripts/fuzz.sh
  scripts/confusables/regenerate.sh --check
  scripts/quality.sh
fi
