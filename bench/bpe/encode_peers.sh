#!/usr/bin/env bash
# Encoding side by side on all book text with cl100k_base: curate's encoder
# vs github.com/pkoukk/tiktoken-go (same ranks, loaded from the npm tiktoken
# package's file), both as Go benchmarks in one process, best of 3. Prints
# MB/s (wall) and MB per CPU-second (steadier on a shared machine) and the
# ratio. Usage: bench/bpe/encode_peers.sh   (run from the repo root)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=$(go test ./stages/bpe -run '^$' -bench 'Encode$/cl100k|TiktokenGo|EncodeParallel' -benchtime 2x -count 3 -cpu 1,2)
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk '
  /^Benchmark/ {
    name=$1; sub(/-[0-9]+$/, "", name)
    for (i = 1; i <= NF; i++) { if ($(i+1) == "MB/s" && $i > wall[name]) wall[name] = $i; if ($(i+1) == "MB/cpu-s" && $i > cpu[name]) cpu[name] = $i }
  }
  END {
    o = "BenchmarkEncode/cl100k_base"; p = "BenchmarkTiktokenGo"
    printf "curate %.1f MB/s (%.1f MB/cpu-s), tiktoken-go %.1f MB/s (%.1f MB/cpu-s): ratio %.1fx wall, %.1fx cpu (goal >= 4x, >= 20 MB/s per core)\n",
      wall[o], cpu[o], wall[p], cpu[p], wall[o]/wall[p], cpu[o]/cpu[p]
  }'
