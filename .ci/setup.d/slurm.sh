#!/usr/bin/env bash
# Installs Debian's slurm-wlm and munge for bench/slurm/ci.sh, the check
# that curate's phases run as real Slurm job arrays to the bytes of a local
# run. Idempotent and quiet; without apt-get the check skips.
set -euo pipefail
if command -v slurmctld >/dev/null 2>&1 && command -v munged >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "slurm setup: apt-get not found; bench/slurm/ci.sh will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null 2>&1 ||
  { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null; }
