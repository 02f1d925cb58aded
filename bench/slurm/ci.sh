#!/usr/bin/env bash
# The Slurm check of issue 13: on a one-node Slurm cluster started here
# (bench/slurm/cluster.sh), the sample config run as chained job arrays by
# `curate run --executor slurm` gives every output byte of a local
# --workers 1 run; then a run whose array task is cancelled midway
# (scancel), resubmitted, gives the same bytes again, and the resubmission
# runs only what was not complete. Needs root and Debian's slurm-wlm and
# munge (.ci/setup.d/slurm.sh); skips without them. A few minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
  echo "slurm check: SKIP (needs root, slurm-wlm and munge: bash .ci/setup.d/slurm.sh)"
  exit 0
fi
work=${SLURM_CHECK_DIR:-$(mktemp -d /tmp/curate-slurm-check.XXXXXX)}
export SLURM_DIR=$work/cluster
eval "export $(bash bench/slurm/cluster.sh)"
trap 'bash bench/slurm/cluster.sh stop' EXIT

# The sample config without language tagging (its model load would be
# most of each short task's time) and with one hash range per dedup
# section: every phase of the sample still runs (10 phases, 73 tasks).
cfg=$work/sample.yaml
awk '/^langid:/ {skip=1; next} skip && /^[a-z]/ {skip=0} !skip' configs/mix.yaml |
  sed 's/^  ranges: 4$/  ranges: 1/' > "$cfg"
go build -o "$work/curate" ./cmd/curate
curate=$work/curate

"$curate" run "$cfg" --output "$work/local" --workers 1 >/dev/null 2>"$work/local.log"

# wait_queue waits until no job of ours is left in the queue.
wait_queue() {
  for _ in $(seq 600); do
    if [ -z "$(squeue -h -o %i)" ]; then return 0; fi
    sleep 1
  done
  echo "slurm check: jobs still queued after 10 minutes" >&2
  squeue >&2
  return 1
}

same_bytes() {
  if ! diff -r -q --exclude=.curate --exclude=run.json --exclude='report.*' "$work/local" "$1"; then
    echo "slurm check: FAIL: $1 differs from the local run" >&2
    exit 1
  fi
  local n
  n=$(find "$1" -path "$1/.curate" -prune -o -type f -print | wc -l)
  echo "slurm check: $1: $n files, byte-identical to the local --workers 1 run"
}

echo "== slurm: whole run as job arrays"
"$curate" run --executor slurm "$cfg" --output "$work/slurm" 2>"$work/submit.log"
wait_queue
"$curate" status "$work/slurm"
[ -f "$work/slurm/manifest.json" ] || { echo "slurm check: FAIL: not finalized; logs in $work/slurm/.curate/slurm/logs" >&2; exit 1; }
same_bytes "$work/slurm"

echo "== slurm: cancel one array task midway, resubmit"
out=$work/cancel
"$curate" run --executor slurm "$cfg" --output "$out" 2>>"$work/submit.log"
# Wait for the dedup-buckets array (16 tasks, 2 at a time here) to have
# finished some tasks and be running others; cancel one that is running.
victim=
for _ in $(seq 300); do
  done_n=$( (find "$out/.curate/markers/dedup-buckets" -name '*.json' 2>/dev/null || true) | wc -l)
  # The one that started last is the likeliest to be still inside its task.
  running=$( (squeue -h -t R -n curate-dedup-buckets -o %i --sort=-S || true) | head -1)
  if [ "$done_n" -ge 2 ] && [ -n "$running" ]; then victim=$running; break; fi
  sleep 0.5
done
[ -n "$victim" ] || { echo "slurm check: FAIL: never saw dedup-buckets running" >&2; exit 1; }
scancel "$victim"
echo "cancelled array task $victim"
wait_queue
"$curate" status "$out"
[ ! -f "$out/manifest.json" ] || { echo "slurm check: FAIL: finalized although a task was cancelled" >&2; exit 1; }
# The first phase with tasks not done (the cancelled task may have written
# its marker just before the signal: then dedup-buckets is complete and the
# resubmission starts at the next phase) and how many are not done.
read -r first missing < <("$curate" status "$out" | awk 'NR > 1 && $2 ~ /^[0-9]+$/ && $3 < $2 {print $1, $2 - $3; exit}') || true
before=$(wc -l < "$out/.curate/slurm/jobs.tsv")
"$curate" run --executor slurm "$cfg" --output "$out" 2>>"$work/submit.log"
resub=$(sed -n "$((before + 1))p" "$out/.curate/slurm/jobs.tsv")
echo "resubmitted: $resub (first phase not done: ${first:-none}, ${missing:-0} tasks)"
phase=$(cut -f2 <<<"$resub")
spec=$(cut -f4 <<<"$resub")
spec=${spec%%\%*}
# Indices in the array spec ("2", "0-3,7"): only the tasks not done.
count=$(tr ',' '\n' <<<"$spec" | awk -F- '{n += (NF == 2 ? $2 - $1 + 1 : 1)} END {print n}')
if [ -n "${first:-}" ]; then
  if [ "$phase" != "$first" ] || [ "$count" != "$missing" ]; then
    echo "slurm check: FAIL: resubmitted $phase array $spec; want the $missing tasks of $first not done" >&2
    exit 1
  fi
elif [ "$phase" = ingest ] || [ "$phase" = dedup-buckets ]; then
  echo "slurm check: FAIL: resubmitted the complete phase $phase" >&2
  exit 1
fi
wait_queue
"$curate" status "$out"
[ -f "$out/manifest.json" ] || { echo "slurm check: FAIL: resubmitted run not finalized" >&2; exit 1; }
same_bytes "$out"
echo "slurm check: 2 passed, 0 failed"
