#!/usr/bin/env bash
# Side by side: F1 / precision / recall of curate's extractors (fast and
# go-trafilatura) on the three html-eval benchmarks, each with its own
# metric, and MB/s per core (HTML bytes / CPU seconds of `curate extract`,
# gunzip and charset detection included; each benchmark's pages are read
# over and over to about 40 MB, and the process's start-up cost, a run on
# one tiny page, is subtracted). Scores come from the first pass (every
# pass gives the same text).
#
#   bench/extract/compare.sh [HTML_EVAL_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-${CURATE_CORPUS:-../shared/corpus}/html-eval}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/curate" ./cmd/curate
go build -o "$tmp/score" ./bench/extract/score
TIMEFORMAT='%U %S'
echo '<p>x</p>' >"$tmp/tiny.html"
declare -A startup
for x in fast trafilatura; do
  best=999
  for i in 1 2 3; do
    c=$( { time "$tmp/curate" extract --extractor "$x" "$tmp/tiny.html" >/dev/null; } 2>&1 | tail -1)
    best=$(awk -v c="$c" -v b="$best" 'BEGIN{split(c,t," "); s=t[1]+t[2]; print (s < b ? s : b)}')
  done
  startup[$x]=$best
done
printf '%-16s %-12s %6s %6s %6s %6s %9s\n' benchmark extractor F1 P R docs MB/s/core
for bench in scrapinghub-aeb cleanportaleval l3s-gn1; do
  "$tmp/score" -html-eval "$dir" -bench "$bench" -files >"$tmp/files"
  # HTML bytes after gunzip, what the extractor reads.
  bytes=0
  while read -r f; do
    case $f in *.gz) n=$(gzip -dc "$f" | wc -c) ;; *) n=$(wc -c <"$f") ;; esac
    bytes=$((bytes + n))
  done <"$tmp/files"
  # The pages are read several times over in one process (about 40 MB in
  # all), so the extraction, not the start-up, is what the CPU time counts.
  passes=$(( (40000000 + bytes - 1) / bytes ))
  for i in $(seq "$passes"); do cat "$tmp/files"; done >"$tmp/files.rep"
  for x in fast trafilatura; do
    cpu=$( { time xargs -s 2000000 -d '\n' "$tmp/curate" extract --extractor "$x" <"$tmp/files.rep" >"$tmp/$bench.$x.jsonl"; } 2>&1 | tail -1)
    read -r f1 p r n < <("$tmp/score" -html-eval "$dir" -bench "$bench" "$tmp/$bench.$x.jsonl")
    mbs=$(awk -v b="$((bytes * passes))" -v c="$cpu" -v s0="${startup[$x]}" 'BEGIN{split(c,t," "); s=t[1]+t[2]-s0; printf "%.1f", b/1e6/s}')
    printf '%-16s %-12s %6s %6s %6s %6s %9s\n' "$bench" "$x" "$f1" "$p" "$r" "$n" "$mbs"
  done
done
