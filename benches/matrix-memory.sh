#!/usr/bin/env bash
# Benchmark (issue 13 §3): the matrix's peak RSS in every format beside the full status
# scan's, cold (--no-cache), in the same run; medians of K rounds, and the ratio to status
# (target: at most 1.2). Also the time of each.
# Usage: benches/matrix-memory.sh REPO [--runs K] [--bin PRACTRACE] [--workdir DIR]
set -euo pipefail
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
bench_args matrix-memory.sh 3 "benches/matrix-memory.sh REPO [--runs K] [--bin PRACTRACE] [--workdir DIR]" "$@"
[[ ${#REST[@]} -eq 0 ]] || { echo "matrix-memory.sh: unknown argument ${REST[0]}" >&2; exit 2; }
OUT=$WORKDIR/matrix-memory
mkdir -p "$OUT"
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
