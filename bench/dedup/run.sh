#!/usr/bin/env bash
# Reproduces bench/dedup/RESULTS.md: signature and exact-hash throughput,
# the peer side by side, buckets+clustering at 1M (and with FULL=1 10M)
# synthetic documents, and the dedup phases on the corpus config.
set -euo pipefail
cd "$(dirname "$0")/../.."
uptime
go test -run '^$' -bench . -benchtime 40x ./stages/dedup/
(cd bench/dedup/peer && go test -run '^$' -bench . -benchtime 20x)
go build -o /tmp/dedupscale ./bench/dedup/dedupscale
/usr/bin/time -f "wall %e s, peak RSS %M KB" /tmp/dedupscale -docs 1000000 -parts 64
if [ "${FULL:-}" = 1 ]; then
  /usr/bin/time -f "wall %e s, peak RSS %M KB" /tmp/dedupscale -docs 10000000 -parts 256
fi
# The dedup phases alone on the corpus config: a full run, then the dedup
# markers removed so only the dedup phases run again.
go build -o /tmp/curate ./cmd/curate
/usr/bin/time -f "corpus run: wall %e s, peak RSS %M KB" /tmp/curate run configs/corpus.yaml --force >/dev/null
rm -rf out/corpus/.curate/markers/dedup-*
/usr/bin/time -f "dedup phases only: wall %e s, peak RSS %M KB" /tmp/curate run configs/corpus.yaml >/dev/null
