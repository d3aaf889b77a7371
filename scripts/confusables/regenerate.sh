#!/usr/bin/env bash
# Regenerates Sources/WardenCore/Normalize/ConfusablesData.swift from ICU's UTS #39 data (libicu-dev).
# With --check, fails when the committed table differs from what this machine's ICU gives.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=Sources/WardenCore/Normalize/ConfusablesData.swift
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$(command -v cc || command -v clang)" -O2 -o "$work/skeletons" scripts/confusables/skeletons.c $(pkg-config --cflags --libs icu-i18n icu-uc)
"$work/skeletons" | python3 scripts/confusables/table.py > "$work/table.swift"
if [ "${1:-}" = "--check" ]; then
  if ! diff -q "$work/table.swift" "$out" >/dev/null; then
    echo "confusables: $out is not what ICU $(pkg-config --modversion icu-uc) gives; run scripts/confusables/regenerate.sh" >&2
    exit 1
  fi
  echo "confusables: table matches ICU $(pkg-config --modversion icu-uc)"
else
  mv "$work/table.swift" "$out"
  echo "confusables: wrote $out ($(sed -n 2p "$out" | cut -c4-))"
fi
