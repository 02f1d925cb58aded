#!/usr/bin/env bash
# End-to-end web figure: `curate run` over the corpus WARCs (extraction,
# normalisation, language id, the web filter preset, dedup, Parquet) with
# each extractor; MB per CPU-second of decompressed WARC input (user+sys of
# the whole run, so the figure holds on a loaded machine), on 1 worker.
# The corpus holds only 3 MB of WARCs, less than the run's fixed start-up
# cost, so the inputs are linked COPIES times under other names (dedup
# then drops the copies, but every copy is read, extracted and filtered).
#
#   bench/extract/e2e.sh [COPIES]
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/curate" ./cmd/curate
copies=${1:-20}
mkdir "$tmp/in"
bytes=0
for f in "$PWD"/../shared/corpus/commoncrawl/*.warc.gz "$PWD"/../shared/corpus/commoncrawl/*.warc; do
  case $f in *.gz) n=$(gzip -dc "$f" | wc -c) ;; *) n=$(wc -c <"$f") ;; esac
  for i in $(seq "$copies"); do ln -s "$f" "$tmp/in/$i-$(basename "$f")"; done
  bytes=$((bytes + n * copies))
done
printf '%-12s %12s %8s %10s %6s\n' extractor warc-bytes cpu-s MB/cpu-s docs
for x in fast trafilatura; do
  sed "s/extractor: fast/extractor: $x/; s#out/bench-extract-web#$tmp/out-$x#; s#inputs: .*#inputs: [$tmp/in/*.warc.gz, $tmp/in/*.warc]#" bench/extract/web.yaml >"$tmp/web-$x.yaml"
  TIMEFORMAT='%U %S'
  cpu=$( { time "$tmp/curate" run "$tmp/web-$x.yaml" --workers 1 >/dev/null 2>"$tmp/log-$x"; } 2>&1 | tail -1)
  docs=$("$tmp/curate" inspect "$tmp/out-$x" 2>/dev/null | awk '$1 == "web" {print $2; exit}')
  awk -v b="$bytes" -v c="$cpu" -v x="$x" -v d="${docs:-?}" 'BEGIN{split(c,t," "); s=t[1]+t[2]; printf "%-12s %12d %8.2f %10.1f %6s\n", x, b, s, b/1e6/s, d}'
done
