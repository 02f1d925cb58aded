#!/usr/bin/env bash
# The full corpus sweep: every corpus test over the whole shared corpus
# instead of its bounded sample (CURATE_CORPUS_FULL=1 is what -corpus.full
# sets, for all packages at once), with the slowest-test table at the end.
# Takes tens of minutes on 2 cores; not part of .ci/run.
#
#	bench/ci/full.sh [packages...]   # default ./...
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- ./...
CURATE_CORPUS_FULL=1 go test -count=1 -timeout 60m -json "$@" 2>&1 | go run ./internal/ci/slowtests -n 15
