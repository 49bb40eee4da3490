#!/usr/bin/env bash
# Benchmark (issue 11 item 6) of practrace on a real repository (a clone or a bare mirror:
# git/git, DPDK/dpdk, linux-test-project/ltp; see DEVELOPERS.md for getting them), beside
# git itself in the same run:
#   practrace_rev  practrace status --repo R --rev HEAD --format json --no-cache
#   git_log        git -C R log --format='%H %(trailers:key=Practice,valueonly)' HEAD
#   rg             rg -c '^practices:' in HEAD's files (exported once to a temp folder:
#                  a bare mirror has no working tree)
# K rounds in turn, after one untimed warm-up of each; prints the median wall time and the
# peak RSS of each, and the ratios practrace_rev / git_log, practrace_rev / (git_log + rg)
# and practrace's peak RSS / git log's. The repository is only read.
# Usage: benches/real-repo.sh REPO [--runs K] [--bin PRACTRACE]   (also: run.sh --repo REPO)
set -euo pipefail
REPO=${1:?usage: benches/real-repo.sh REPO [--runs K] [--bin PRACTRACE]}
shift
RUNS=5 BIN=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    *) echo "real-repo.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
command -v rg >/dev/null || { echo "real-repo.sh: needs rg (apt-get install ripgrep)" >&2; exit 2; }
if [[ -z $BIN ]]; then (cd "$ROOT" && cargo build --release --locked -q); BIN=$ROOT/target/release/practrace; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tree"
git --git-dir="$(git -C "$REPO" rev-parse --absolute-git-dir)" archive HEAD | tar -x -C "$work/tree"
# One run: wall seconds (bash's clock) and peak KiB, appended to $work/NAME.
run() { # run NAME CMD...
  local name=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}') $(tail -1 "$work/rss")" >>"$work/$name"
}
practrace_rev() { run practrace_rev "$BIN" status --repo "$REPO" --rev HEAD --format json --no-cache; }
git_log() { run git_log git -C "$REPO" log --format='%H %(trailers:key=Practice,valueonly)' HEAD; }
rg_count() { run rg bash -c "cd '$work/tree' && rg -c '^practices:' . || true"; }
for f in practrace_rev git_log rg_count; do $f; done
rm -f "$work/practrace_rev" "$work/git_log" "$work/rg"
for _ in $(seq "$RUNS"); do
  for f in practrace_rev git_log rg_count; do $f; done
done
median() { cut -d' ' -f"$2" "$work/$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
peak() { cut -d' ' -f2 "$work/$1" | sort -n | tail -1; }
p=$(median practrace_rev 1) g=$(median git_log 1) r=$(median rg 1)
pk=$(peak practrace_rev) gk=$(peak git_log)
echo "repository: $REPO (HEAD $(git -C "$REPO" rev-parse --short HEAD), $(git -C "$REPO" rev-list --count HEAD) commits reachable), $RUNS rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %7.3f s  %7d KiB\n' practrace_rev "$p" "$pk" git_log "$g" "$gk" rg "$r" "$(peak rg)"
awk -v p="$p" -v g="$g" -v r="$r" -v pk="$pk" -v gk="$gk" 'BEGIN {
  printf "practrace_rev / git_log        %.2f\n", p / g
  printf "practrace_rev / (git_log + rg) %.2f\n", p / (g + r)
  printf "peak RSS practrace / git log   %.2f\n", pk / gk }'
