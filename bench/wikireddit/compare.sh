#!/usr/bin/env bash
# Compares the throughput of the wikipedia and reddit sources with plain
# decompression of the same files (bzip2 -dc, lbzip2 -dc, zstd -dc --long=31),
# side by side on this machine, and prints source time / decompression time.
# Goal: within 1.3x of decompression alone.
#
# usage: bench/wikireddit/compare.sh [CORPUS_DIR]   (default ../shared/corpus)
# The machine is shared: each figure is the best of 3 runs, and both wall
# time and CPU time (user+sys, which the neighbours disturb much less) are
# compared.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${1:-../shared/corpus}
runs=3

best() { # best "wall cpu" seconds of "$@" over $runs runs, output discarded
	local bw=999999 bc=999999
	for _ in $(seq $runs); do
		local t
		t=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>&1 )
		read -r bw bc <<<"$(echo "$t $bw $bc" | awk '{c=$2+$3; print ($1<$4?$1:$4), (c<$5?c:$5)}')"
	done
	echo "$bw $bc"
}

gobench() { # best "wall cpu" seconds per op of a Go benchmark
	go test -run XXX -bench "$2" -benchtime 3x -count $runs "$1" 2>/dev/null |
		awk '$1 ~ "^Benchmark" {w=""; c=""; for (i=1;i<=NF;i++) { if ($(i+1)=="ns/op") w=$i/1e9; if ($(i+1)=="cpu-ms/op") c=$i/1e3 }
			if (bw=="" || w<bw) bw=w; if (bc=="" || c<bc) bc=c } END {print bw, bc}'
}

row() { # name, "source wall cpu", baseline name, "baseline wall cpu", uncompressed bytes
	awk -v n="$1" -v s="$2" -v bn="$3" -v b="$4" -v u="$5" 'BEGIN {
		split(s, S, " "); split(b, B, " ")
		printf "%-36s source %6.3fs %6.1f MB/s cpu %6.3fs | %-18s %6.3fs %6.1f MB/s cpu %6.3fs | wall ratio %.2fx, cpu ratio %.2fx\n",
			n, S[1], u/S[1]/1e6, S[2], bn, B[1], u/B[1]/1e6, B[2], S[1]/B[1], S[2]/B[2] }'
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
	row "reddit $f" "$(gobench ./sources/reddit/ "BenchmarkSource/$f/workers=2\$")" "zstd -dc --long=31" "$(best zstd -dc --long=31 "$r/$f")" "$u"
done
