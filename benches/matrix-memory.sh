#!/usr/bin/env bash
# Benchmark (issue 13 §3): the matrix's peak RSS in every format beside the full status
# scan's, cold (--no-cache), in the same run; medians of K rounds, and the ratio to status
# (target: at most 1.2). Also the time of each.
# Usage: benches/matrix-memory.sh REPO [--runs K] [--bin PRACTRACE] [--workdir DIR]
set -euo pipefail
REPO=${1:?usage: benches/matrix-memory.sh REPO [--runs K] [--bin PRACTRACE] [--workdir DIR]}
shift
RUNS=3 BIN="" WORKDIR=${TMPDIR:-/tmp}/practrace-bench
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --workdir) WORKDIR=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z $BIN ]]; then (cd "$ROOT" && cargo build --release -q); BIN=$ROOT/target/release/practrace; fi
mkdir -p "$WORKDIR"
OUT=$WORKDIR/matrix-memory
mkdir -p "$OUT"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# One timed run of the command after the label: appends "seconds peak_kb" to $OUT/LABEL.
measure() {
  local label=$1; shift
  # Exit 1 (error findings in the repository) is a report like any other.
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > /dev/null 2>&1 || [[ $? -eq 1 ]]
  tail -1 "$OUT/time.txt" >> "$OUT/$label"
}
labels=(status html xlsx csv markdown json oscal)
for l in "${labels[@]}"; do : > "$OUT/$l"; done
for _ in $(seq "$RUNS"); do
  measure status "$BIN" status --repo "$REPO" --rev HEAD --format json --no-cache
  for f in html csv markdown json oscal; do
    measure "$f" "$BIN" matrix --repo "$REPO" --rev HEAD --format "$f" --no-cache
  done
  measure xlsx "$BIN" matrix --repo "$REPO" --rev HEAD --no-cache -o "$OUT/matrix.xlsx"
done
base=$(awk '{print $2}' "$OUT/status" | median)
for l in "${labels[@]}"; do
  s=$(awk '{print $1}' "$OUT/$l" | median); k=$(awk '{print $2}' "$OUT/$l" | median)
  awk -v l="$l" -v s="$s" -v k="$k" -v b="$base" \
    'BEGIN {printf "%-9s %6.2f s  peak %4d MB  %.2f x status\n", l, s, k/1024, k/b}'
done
