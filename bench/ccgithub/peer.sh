#!/usr/bin/env bash
# Peer comparison for the WARC record reader of sources/commoncrawl against
# Webrecorder's warcio.js: both read every record of the corpus WARCs in
# full (gunzip, headers, blocks). Prints best-of-N times and the ratio.
# Needs node and `bash .ci/setup.d/ccgithub.sh` first.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${CURATE_CORPUS:-../shared/corpus}
runs=${RUNS:-5}
best_node=""
for _ in $(seq "$runs"); do
  ms=$(PASSES=5 node bench/ccgithub/node/counts.mjs "$corpus"/commoncrawl/* 2>/dev/null | sed 's/.*"_ms":\([0-9.]*\).*/\1/')
  if [ -z "$best_node" ] || awk "BEGIN{exit !($ms < $best_node)}"; then best_node=$ms; fi
done
go_ns=$(go test ./sources/commoncrawl -run '^$' -bench 'BenchmarkWarcRecords$' -benchtime 20x -count "$runs" \
  | awk '/BenchmarkWarcRecords/ {print $3}' | sort -n | head -1)
go_ms=$(awk "BEGIN{printf \"%.1f\", $go_ns/1e6}")
echo "warcio.js (node $(node --version)): ${best_node} ms per pass over the corpus WARCs (best of $runs processes x 5 passes)"
echo "curate warcReader (Go):             ${go_ms} ms per pass (best of $runs)"
awk "BEGIN{printf \"ratio warcio.js / curate: %.1fx\n\", $best_node/$go_ms}"
