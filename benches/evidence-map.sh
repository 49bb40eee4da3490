#!/usr/bin/env bash
# Benchmark: status on a repository of N files in one folder with an evidence_map of R
# rules (issue 16 item 8: one glob set per rule made 14,000 rules on 20,000 files take
# 29-64 s). Prints the median wall time of `status --rev HEAD --format json --no-cache`
# and, beside it, `git ls-files` in the same run.
# Usage: benches/evidence-map.sh [--files N] [--rules R] [--runs K] [--bin PRACTRACE] [--workdir DIR]
set -euo pipefail
FILES=20000 RULES=14000 RUNS=5 BIN="" WORKDIR=${TMPDIR:-/tmp}/practrace-bench
while [[ $# -gt 0 ]]; do
  case $1 in
    --files) FILES=$2; shift 2 ;;
    --rules) RULES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --workdir) WORKDIR=$2; shift 2 ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z $BIN ]]; then (cd "$ROOT" && cargo build --release -q); BIN=$ROOT/target/release/practrace; fi
REPO=$WORKDIR/map-f$FILES-r$RULES
if [[ ! -d $REPO/.git ]]; then
  rm -rf "$REPO"; mkdir -p "$REPO/docs"
  git -C "$REPO" init -q -b main
  for ((i = 0; i < FILES; i++)); do printf 'file %d\n' "$i" > "$REPO/docs/f$i.txt"; done
  {
    echo "evidence_map:"
    for ((r = 0; r < RULES; r++)); do
      printf '  - paths: ["docs/f%d.txt"]\n    practices: [BP.05.01]\n' "$r"
    done
  } > "$REPO/.practrace.yaml"
  git -C "$REPO" add -A
  GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@b GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@b \
    git -C "$REPO" commit -q -m "$FILES files, $RULES rules"
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_it() { local s=$EPOCHREALTIME; "$@" > /dev/null 2>&1 || true; awk -v s="$s" -v e="$EPOCHREALTIME" 'BEGIN {printf "%.3f\n", e - s}'; }
p=$(for ((k = 0; k < RUNS; k++)); do time_it "$BIN" status --repo "$REPO" --rev HEAD --format json --no-cache; done | median)
g=$(for ((k = 0; k < RUNS; k++)); do time_it git -C "$REPO" ls-files; done | median)
echo "files=$FILES rules=$RULES runs=$RUNS"
echo "practrace status (median s): $p"
echo "git ls-files    (median s): $g"
