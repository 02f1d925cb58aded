#!/usr/bin/env bash
# Peak RSS of `curate extract` over the Scrapinghub pages read 1 and 10
# times in one process: flat when nothing of a page outlives it.
#
#   bench/extract/memory.sh [HTML_EVAL_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-${CURATE_CORPUS:-../shared/corpus}/html-eval}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/curate" ./cmd/curate
go build -o "$tmp/score" ./bench/extract/score
"$tmp/score" -html-eval "$dir" -bench scrapinghub-aeb -files >"$tmp/files"
printf '%-12s %6s %6s %12s\n' extractor passes pages peak-RSS-MB
for x in fast trafilatura; do
  for passes in 1 10; do
    for i in $(seq "$passes"); do cat "$tmp/files"; done >"$tmp/files.rep"
    kb=$( { /usr/bin/time -f '%M' xargs -s 2000000 -d '\n' "$tmp/curate" extract --extractor "$x" <"$tmp/files.rep" >/dev/null; } 2>&1 | tail -1)
    printf '%-12s %6d %6d %12.1f\n' "$x" "$passes" "$(wc -l <"$tmp/files.rep")" "$(echo "$kb / 1024" | bc -l)"
  done
done
