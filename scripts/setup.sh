#!/usr/bin/env bash
# Installs what Warden needs that this machine lacks (Debian/Ubuntu): the C libraries it links
# (PCRE2, libcurl, libpq, SQLite), pkg-config, PostgreSQL for the test suite, ICU for regenerating
# the confusables table (scripts/confusables), and cmark-gfm, GitHub's Markdown renderer, which the transcript
# tests run on exported Markdown. Safe to re-run.
set -euo pipefail

packages=(pkg-config libpcre2-dev libcurl4-openssl-dev libpq-dev libsqlite3-dev postgresql libicu-dev cmark-gfm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "setup: run as root or install: apt-get install -y ${missing[*]}" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
  echo "setup: Swift 6 is required (https://www.swift.org/install/linux/)" >&2
  exit 1
fi
