#!/usr/bin/env bash
# Benchmark (issue 13 §3): the matrix's last-commit walk on a repository, beside
# `git log --format=%H --raw --no-renames` (every tree diff of the history) in the same
# run, medians of K rounds; then the same on a copy with a commit-graph with changed-path
# Bloom filters (`git commit-graph write --reachable --changed-paths`), which both use.
# Checks that the matrix's bytes are the same with and without the filters.
# Usage: benches/matrix-walk.sh REPO [--runs K] [--bin PRACTRACE] [--workdir DIR]
set -euo pipefail
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
bench_args matrix-walk.sh 3 "benches/matrix-walk.sh REPO [--runs K] [--bin PRACTRACE] [--workdir DIR]" "$@"
[[ ${#REST[@]} -eq 0 ]] || { echo "matrix-walk.sh: unknown argument ${REST[0]}" >&2; exit 2; }
COPY=$WORKDIR/matrix-walk-bloom-$(basename "$REPO")
if [[ ! -d $COPY ]]; then
  cp -a "$REPO" "$COPY"
  git -C "$COPY" commit-graph write --reachable --changed-paths
fi
# One timed run: prints "seconds peak_kb".
measure() { /usr/bin/time -f "%e %M" -o "$WORKDIR/time.txt" "$@" > "$WORKDIR/out.bin" 2>/dev/null || true; cat "$WORKDIR/time.txt" | tail -1; }
for r in "$REPO" "$COPY"; do
  : > "$WORKDIR/m.txt"; : > "$WORKDIR/g.txt"; : > "$WORKDIR/mk.txt"
  for _ in $(seq "$RUNS"); do
    read -r s k < <(measure "$BIN" matrix --repo "$r" --rev HEAD --format json --no-cache)
    echo "$s" >> "$WORKDIR/m.txt"; echo "$k" >> "$WORKDIR/mk.txt"
    cp "$WORKDIR/out.bin" "$WORKDIR/matrix-$(basename "$r").json"
    read -r s _ < <(measure git -C "$r" log --format=%H --raw --no-renames)
    echo "$s" >> "$WORKDIR/g.txt"
  done
  m=$(median < "$WORKDIR/m.txt"); g=$(median < "$WORKDIR/g.txt"); k=$(median < "$WORKDIR/mk.txt")
  label=$([[ $r == "$COPY" ]] && echo "with Bloom filters" || echo "as is")
  awk -v m="$m" -v g="$g" -v k="$k" -v l="$label" \
    'BEGIN {printf "%-20s matrix %.2f s (peak %d MB)  git log --raw %.2f s  ratio %.2f\n", l, m, k/1024, g, m/g}'
done
# The filters never change a result (the report names its repository: compare the rest).
strip() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["source"]["repo"]=""; print(json.dumps(r, sort_keys=True))' "$1"; }
# (Both sides quoted: unquoted, the right side of == is a glob pattern, and JSON's [ ] are
# pattern characters.)
if [[ "$(strip "$WORKDIR/matrix-$(basename "$REPO").json")" == "$(strip "$WORKDIR/matrix-$(basename "$COPY").json")" ]]; then
  echo "same matrix with and without Bloom filters"
else
  echo "DIFFERENT matrix with Bloom filters" >&2; exit 1
fi
