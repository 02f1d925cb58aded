#!/usr/bin/env bash
# Installs the peer Parquet readers (DuckDB's node API, hyparquet) that
# shards/peer_test.go loads curate's shards with. Idempotent and quiet.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v npm >/dev/null 2>&1; then
  echo "shards setup: npm not found; the peer reader test will skip" >&2
  exit 0
fi
if [ ! -f bench/shards/node/node_modules/@duckdb/node-api/package.json ] ||
   [ ! -f bench/shards/node/node_modules/hyparquet-compressors/package.json ]; then
  npm ci --prefix bench/shards/node --no-audit --no-fund --silent
fi
