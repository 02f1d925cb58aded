#!/usr/bin/env bash
# Runs every fuzz target of curate's parsers for the given time each
# (default 5s, CI-sized; 10m for a real hunt). Usage: fuzz.sh [DURATION]
set -uo pipefail
status=0
cd "$(dirname "$0")/../.."
time=${1:-5s}
targets=(
  "./sources/books FuzzParse"
  "./sources/wikipedia FuzzWikitext"
  "./sources/wikipedia FuzzXMLReader"
  "./sources/reddit FuzzLineDecoder"
  "./sources/commoncrawl FuzzWARCReader"
  "./sources/commoncrawl FuzzHTTPAndHTML"
  "./sources/github FuzzArchiveWalker"
  "./sources/github FuzzLicense"
  "./sources/jsonl FuzzReader"
  "./pipeline FuzzConfig"
  "./stages/bpe FuzzSplit"
  "./stages/bpe FuzzRoundTrip"
)
for t in "${targets[@]}"; do
  set -- $t
  echo "== $1 $2 ($time)"
  go test "$1" -run '^$' -fuzz "^$2\$" -fuzztime "$time" -parallel 2 || status=1
done
exit $status
