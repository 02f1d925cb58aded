#!/usr/bin/env bash
# Compares the throughput of the wikipedia and reddit sources with plain
# decompression of the same files (bzip2 -dc, lbzip2 -dc, zstd -dc --long=31),
# side by side on this machine, and prints source time / decompression time.
# Goal: within 1.3x of decompression alone.
#
# usage: bench/wikireddit/compare.sh [CORPUS_DIR]   (default ../shared/corpus)
# The machine is shared: each figure is the best of 3 runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${1:-../shared/corpus}
runs=3

best() { # best wall time in seconds of "$@" over $runs runs, output discarded
	local b=""
	for _ in $(seq $runs); do
		local s e
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		e=$(date +%s.%N)
		b=$(echo "$s $e ${b:-999999}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
	done
	echo "$b"
}

gobench() { # best seconds per op of a Go benchmark
	go test -run XXX -bench "$2" -benchtime 3x -count $runs "$1" 2>/dev/null |
		awk -v b="$2" '$1 ~ "^Benchmark" {for (i=1;i<=NF;i++) if ($(i+1)=="ns/op") print $i/1e9}' | sort -g | head -1
}

row() { # name, source seconds, baseline name, baseline seconds, uncompressed bytes
	awk -v n="$1" -v s="$2" -v bn="$3" -v b="$4" -v u="$5" 'BEGIN {
		printf "%-44s source %7.3fs %7.1f MB/s | %-16s %7.3fs %7.1f MB/s | ratio %.2fx\n", n, s, u/s/1e6, bn, b, u/b/1e6, s/b }'
}

echo "machine: $(nproc) cores, $(date -u +%FT%TZ); best of $runs"
w=$corpus/wikipedia
for spec in \
	"enwiki-bz2:enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2" \
	"ltgwiki-bz2:ltgwiki-smallwiki-latest-pages-articles.xml.bz2" \
	"ltgwiki-multistream-1worker:DERIVED-ltgwiki-pages-articles-multistream.xml.bz2" \
	"ltgwiki-multistream-2workers:DERIVED-ltgwiki-pages-articles-multistream.xml.bz2"; do
	name=${spec%%:*} file=$w/${spec#*:}
	u=$(bzip2 -dc "$file" | wc -c)
	src=$(gobench ./sources/wikipedia/ "BenchmarkSource/$name\$")
	row "wikipedia $name" "$src" "bzip2 -dc" "$(best bzip2 -dc "$file")" "$u"
	if command -v lbzip2 >/dev/null; then
		row "wikipedia $name" "$src" "lbzip2 -dc" "$(best lbzip2 -dc "$file")" "$u"
	fi
done
file=$w/jawiki-truncated-100k.xml.xz
row "wikipedia jawiki-xz" "$(gobench ./sources/wikipedia/ 'BenchmarkSource/jawiki-xz$')" "xz -dc" "$(best xz -dc "$file")" "$(xz -dc "$file" | wc -c)"

r=$corpus/reddit
for f in RS_2019-10.zst RC_2006-01.zst; do
	u=$(zstd -dc --long=31 "$r/$f" | wc -c)
	row "reddit $f" "$(gobench ./sources/reddit/ "BenchmarkSource/$f\$")" "zstd -dc --long=31" "$(best zstd -dc --long=31 "$r/$f")" "$u"
done
