#!/usr/bin/env bash
# Peak RSS and wall time of `curate run` over all of ../shared/corpus/books,
# at 1x and 4x the input (the 4x set is the same books copied four times
# under other names), to show memory does not grow with input size.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${CURATE_CORPUS:-../shared/corpus}/books
[ -d "$corpus" ] || { echo "no corpus at $corpus"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/curate" ./cmd/curate
factors=${FACTORS:-1 4}
for k in $factors; do
  mkdir -p "$work/x$k"
  for i in $(seq 1 "$k"); do for f in "$corpus"/*.txt; do cp "$f" "$work/x$k/$i-$(basename "$f")"; done; done
done
for k in $factors; do
  n=x$k
  cat > "$work/$n.yaml" <<YAML
output: $work/out-$n
sources:
  - name: books
    inputs: [$work/$n/*.txt]
    books: {}
YAML
  bytes=$(du -sb "$work/$n" | cut -f1)
  /usr/bin/time -f "%e %M" -o "$work/time" "$work/curate" run "$work/$n.yaml" --workers "${WORKERS:-2}" >/dev/null 2>&1
  read -r secs kb < "$work/time"
  echo "$n: input $((bytes/1000000)) MB, wall ${secs}s, $(awk "BEGIN{printf \"%.1f\", $bytes/1e6/$secs}") MB/s, peak RSS $((kb/1024)) MiB"
done
