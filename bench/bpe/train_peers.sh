#!/usr/bin/env bash
# Training side by side: curate's BPE trainer vs HF tokenizers' native Rust
# trainer (npm "tokenizers") vs sentencepiece's spm_train --model_type=bpe, on
# all book text of the corpus (CRLF -> LF, invalid UTF-8 replaced), vocab
# 30,000, GPT-2's split pattern (what HF's byte-level pre-tokenizer uses).
# Prints wall time and peak RSS of each and the ratios; then curate's time at
# 1x..4x the input to show it grows linearly.
# Usage: bench/bpe/train_peers.sh [CORPUS_DIR]   (run from the repo root)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${1:-$root/../shared/corpus}
node_dir=$root/bench/bpe/node
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)"; exit 1; }

(cd "$root" && go build -o "$tmp/curate" ./cmd/curate)
node "$node_dir/prepare_books.cjs" "$corpus" "$tmp/books.txt" 1

measure() { # name cmd... -> "name secs rss_kb"
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/$name.log" 2>&1 || { cat "$tmp/$name.log"; exit 1; }
  read -r secs rss <"$tmp/time"
  echo "$name $secs $rss"
}

curate=$(measure curate "$tmp/curate" bpe train --input "$tmp/books.txt" --out "$tmp/curate-tok" \
  --vocab-size 30000 --pattern gpt2 --min-frequency 1 --sample-bytes 0)
hf=$(measure hf node "$node_dir/train_hf.cjs" "$tmp/books.txt")
echo "$curate"; echo "$hf"
if command -v spm_train >/dev/null; then
  spm=$(measure spm spm_train --input="$tmp/books.txt" --model_prefix="$tmp/spm" --vocab_size=30000 --model_type=bpe)
  echo "$spm"
fi
awk -v c="$curate" -v h="$hf" -v s="${spm:-}" 'BEGIN {
  split(c, a, " "); split(h, b, " ");
  printf "curate/hf wall %.2f (goal <= 0.67), peak RSS curate %.0f MB vs hf %.0f MB\n", a[2]/b[2], a[3]/1024, b[3]/1024;
  if (s != "") { split(s, d, " "); printf "curate/spm wall %.2f, spm peak RSS %.0f MB\n", a[2]/d[2], d[3]/1024 }
}'
for k in 1 2 4; do
  node "$node_dir/prepare_books.cjs" "$corpus" "$tmp/books$k.txt" "$k" 2>/dev/null
  measure "curate-${k}x" "$tmp/curate" bpe train --input "$tmp/books$k.txt" --out "$tmp/tok$k" \
    --vocab-size 30000 --pattern gpt2 --min-frequency 1 --sample-bytes 0
done
