#!/usr/bin/env bash
# Benchmark (issue 13 §3): `matrix --format json` after one new commit, with a warm cache
# (one JSON matrix and one status at HEAD), beside `status` after the same commit with the
# same cache, in the same run; medians of K rounds, the cache restored before each. Checks
# that the matrix has the bytes of one made without the cache.
# The new commit (one evidence file edited) is written into REPO's objects, on no branch:
# HEAD and the refs stay as they are (as benches/run.sh does). Use a benchmark repository.
# With --freshness, HEAD is first given a commit that configures `freshness:` (so status
# walks for last commits too, from the walk the cache remembers): the cache is warmed
# there, and the new commit goes on top of it.
# Usage: benches/matrix-warm.sh REPO [--runs K] [--freshness] [--bin PRACTRACE] [--workdir DIR]
set -euo pipefail
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
bench_args matrix-warm.sh 5 "benches/matrix-warm.sh REPO [--runs K] [--freshness] [--bin PRACTRACE] [--workdir DIR]" "$@"
FRESHNESS=no
for flag in "${REST[@]}"; do
  case $flag in
    --freshness) FRESHNESS=yes ;;
    *) echo "matrix-warm.sh: unknown argument $flag" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d "$WORKDIR/matrix-warm.XXXXXX")
trap 'rm -rf "$work"' EXIT
warm=$work/cache-warm run=$work/cache-run
index=$work/index
# Commits dated now (a minute apart): after the history's, as the cache's shortcut needs
# (a new commit dated no later than the one remembered makes it walk in full).
now=$(date +%s)
base=$(git -C "$REPO" rev-parse HEAD)
GIT_INDEX_FILE=$index git -C "$REPO" read-tree "$base"
if [[ $FRESHNESS == yes ]]; then
  config=$(printf 'freshness:\n  max_age: 3650d\n' | git -C "$REPO" hash-object -w --stdin)
  GIT_INDEX_FILE=$index git -C "$REPO" update-index --add --cacheinfo "100644,$config,.practrace.yaml"
  tree=$(GIT_INDEX_FILE=$index git -C "$REPO" write-tree)
  base=$(printf 'Configure freshness\n' | GIT_COMMITTER_DATE="$((now - 60)) +0000" git -C "$REPO" commit-tree "$tree" -p "$base")
fi
XDG_CACHE_HOME=$warm "$BIN" matrix --repo "$REPO" --rev "$base" --format json >/dev/null 2>&1 || true
XDG_CACHE_HOME=$warm "$BIN" status --repo "$REPO" --rev "$base" --format json >/dev/null 2>&1 || true
# One new commit on it that edits one evidence file (a temporary index; no ref moves).
git -C "$REPO" ls-tree -r --name-only "$base" >"$work/files"
edited=$(grep -m 1 '\.md$' "$work/files")
blob=$(printf -- '---\npractices: [BP.01.01]\n---\nedited for the benchmark\n' | git -C "$REPO" hash-object -w --stdin)
GIT_INDEX_FILE=$index git -C "$REPO" update-index --cacheinfo "100644,$blob,$edited"
tree=$(GIT_INDEX_FILE=$index git -C "$REPO" write-tree)
new=$(printf 'Edit one file\n\nPractice: BP.01.02\n' | GIT_COMMITTER_DATE="$now +0000" git -C "$REPO" commit-tree "$tree" -p "$base")
# One timed run with the warm cache restored: appends "seconds peak_kb" to $work/NAME.
timed() { # timed NAME CMD...
  local name=$1
  shift
  rm -rf "$run"
  cp -r "$warm" "$run"
  XDG_CACHE_HOME=$run /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out-$name" 2>/dev/null || true
  tail -1 "$work/time" >>"$work/$name"
}
for _ in $(seq "$RUNS"); do
  timed matrix "$BIN" matrix --repo "$REPO" --rev "$new" --format json
  timed status "$BIN" status --repo "$REPO" --rev "$new" --format json
done
"$BIN" matrix --repo "$REPO" --rev "$new" --format json --no-cache >"$work/full" 2>/dev/null || true
"$BIN" status --repo "$REPO" --rev "$new" --format json --no-cache >"$work/full-status" 2>/dev/null || true
same=no
cmp -s "$work/out-matrix" "$work/full" && cmp -s "$work/out-status" "$work/full-status" && same=yes
median() { cut -d' ' -f"$2" "$work/$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "repository: $REPO, one new commit $new editing $edited, freshness: $FRESHNESS, $RUNS rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'matrix --format json (warm)  %6.3f s  %7d KiB\n' "$(median matrix 1)" "$(median matrix 2)"
printf 'status --format json (warm)  %6.3f s  %7d KiB\n' "$(median status 1)" "$(median status 2)"
echo "matrix and status bytes equal to --no-cache: $same"
[[ $same == yes ]]
