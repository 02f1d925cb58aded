#!/bin/sh
# Tools for the wikipedia/reddit tests and bench/wikireddit/compare.sh:
# bzip2 (TestAgainstBzip2CLI checks the Go decoder against it), zstd and
# lbzip2 (decompression baselines). Idempotent and quiet.
set -e
missing=""
for t in bzip2 zstd lbzip2; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q $missing >/dev/null 2>&1 || {
	apt-get update -q >/dev/null 2>&1
	apt-get install -y -q $missing >/dev/null
}
