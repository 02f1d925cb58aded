#!/usr/bin/env bash
# Peak RSS and wall time of `curate run configs/corpus.yaml` (every real
# dump of the shared corpus through every phase), with GNU time.
# Usage: bench/realdata/rss.sh [memory_mb]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/curate" ./cmd/curate
cfg=configs/corpus.yaml
if [ -n "${1:-}" ]; then
  cfg=$out/corpus.yaml
  { echo "memory_mb: $1"; grep -v '^memory_mb:' configs/corpus.yaml; } >"$cfg"
  sed -i "s|\.\./shared/corpus|$(pwd)/../shared/corpus|g" "$cfg"
fi
echo "machine: $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
/usr/bin/time -v "$out/curate" run "$cfg" --output "$out/run" >"$out/log" 2>"$out/time" || { cat "$out/log" "$out/time"; exit 1; }
grep -E 'Maximum resident set size|Elapsed \(wall clock\)' "$out/time"
