#!/usr/bin/env bash
# Installs the reference zstd CLI, which the zstd window tests
# (sources TestZstdWindowRetry, TestZstdWindowContentSize) use to write
# streams with and without a content size, and GNU time for
# bench/realdata/rss.sh. Idempotent and quiet.
set -euo pipefail
if ! command -v zstd >/dev/null || [ ! -x /usr/bin/time ]; then
  if command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q zstd time >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q zstd time >/dev/null; }
  else
    echo "realdata setup: apt-get not found; the zstd CLI tests will skip" >&2
  fi
fi
