#!/usr/bin/env bash
# Tokenize + pack throughput on the real corpus: runs bench/feed/corpus.yaml
# through curate and prints the publish (tokenize) and feed phases' speed
# from run.json and stats.json, then verifies the shards.
#
#   bash bench/feed/run.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-out/bench-feed}
rm -rf "$out"
uptime
go build -o /tmp/curate-bench-feed ./cmd/curate
/usr/bin/time -v /tmp/curate-bench-feed run bench/feed/corpus.yaml --output "$out" --workers 2 2>"$out.time" >/dev/null || { tail -20 "$out.time"; exit 1; }
grep -E "Maximum resident|Elapsed" "$out.time"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
run = json.load(open(f"{out}/run.json"))
stats = json.load(open(f"{out}/stats.json"))["sources"]
man = json.load(open(f"{out}/feed/manifest.json"))
sec = {p["name"]: p["seconds"] for p in run["phases"]}
text = sum(s.get("text_bytes_written", 0) for s in stats.values())
tokens = sum(s.get("tokens", 0) for s in stats.values())
feed = sec["feed-spool"] + sec["feed"] + sec["feed-manifest"]
written = sum(s["tokens"] for s in man["splits"])
print(f"corpus: {text/1e6:.1f} MB of text, {tokens} tokens")
print(f"tokenize (publish): {sec['publish']:.2f} s, {text/1e6/sec['publish']:.2f} MB/s, {tokens/sec['publish']:.0f} tokens/s")
print(f"feed (spool+plan+shards+manifest): {feed:.2f} s, {text/1e6/feed:.2f} MB/s of text, {tokens/feed:.0f} corpus tokens/s, {written/feed:.0f} packed tokens/s written in {len(man['formats'])} formats")
print(f"tokenize+pack: {text/1e6/(sec['publish']+feed):.2f} MB/s, {tokens/(sec['publish']+feed):.0f} tokens/s")
for s in man["mixture"]["sources"] + man["mixture"].get("languages", []):
    print(f"  {s['key']:<10} target {100*s['target']:6.2f}%  achieved {100*s['achieved']:6.2f}%")
for w in man["mixture"].get("warnings", []):
    print("  warning:", w)
PY
/tmp/curate-bench-feed feed verify "$out"
