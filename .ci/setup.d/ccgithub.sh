#!/usr/bin/env bash
# Installs warcio.js for the Common Crawl peer check
# (sources/commoncrawl TestPeerWarcio, bench/ccgithub/peer.sh). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v npm >/dev/null 2>&1; then
  echo "ccgithub setup: npm not found; the warcio.js peer check will skip" >&2
  exit 0
fi
if [ ! -f bench/ccgithub/node/node_modules/warcio/package.json ]; then
  npm ci --prefix bench/ccgithub/node --no-audit --no-fund --silent
fi
