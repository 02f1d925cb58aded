#!/usr/bin/env bash
# Installs Debian's python3-numpy for the feed's Megatron check
# (shards TestMegatronIndexReadByNumpy reads curate's .idx/.bin the way
# Megatron-LM's indexed_dataset.py does). Idempotent and quiet.
set -euo pipefail
if /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "feed setup: apt-get not found; the numpy Megatron check will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q python3-numpy >/dev/null 2>&1 ||
  { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q python3-numpy >/dev/null; }
