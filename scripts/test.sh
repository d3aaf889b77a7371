#!/usr/bin/env bash
# The whole test suite against both stores: installs what is missing, starts a throwaway PostgreSQL on a
# free loopback port, builds the tests and runs them (SQLite files and that PostgreSQL server).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
# The CLI tests run the warden executable, which building the tests compiles but does not link.
swift build --product warden
scripts/with-postgres.sh swift test --skip-build --disable-xctest "$@"
