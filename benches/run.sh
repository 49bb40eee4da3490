#!/usr/bin/env bash
# Benchmark of practrace on a synthetic repository, against `git log` + `rg` as the baseline.
# Run `benches/run.sh --help` for usage.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: benches/run.sh [--files N] [--commits M] [--runs K] [--workdir DIR]
       benches/run.sh --repo PATH [--runs K] [--bin PRACTRACE]   (a real repository:
                      benches/real-repo.sh, beside git log and rg in the same run)

Benchmarks practrace on a synthetic repository made by ../shared/bench/gen-repo.py
(relative to the practrace repo root), with --bad-rate 0.02.

Options (each also settable through the environment variable shown):
  --files N      files in HEAD's tree          (BENCH_FILES,   default 5000  = W1)
  --commits M    commits in the history        (BENCH_COMMITS, default 20000 = W1)
  --runs K       timed rounds                  (BENCH_RUNS,    default 5)
  --workdir DIR  where repos and reports go    (BENCH_WORKDIR, default ${TMPDIR:-/tmp}/practrace-bench)
  -h, --help     this text

Environment only:
  BENCH_BIN      use this practrace binary instead of building (e.g. to compare two builds)

Steps:
  1. make sure rg (ripgrep) and /usr/bin/time exist (apt-get install when root, else fail);
  2. cargo build --release in the repo root (from wherever the script is invoked);
  3. generate DIR/repo-f<N>-c<M>-bad0.02 (+ .truth.json) unless it already exists;
  4. check both `status --rev HEAD --format json` and the working-tree `status --format json`
     against the truth with scripts/truth-compare.py; stop with status 1 if either is wrong;
  5. warm a cache (in DIR, never in R) with a scan of HEAD, make one new commit on top of
     HEAD that changes one file (on no branch: HEAD and the truth stay as generated), and
     check that its cached scan prints the same bytes as --no-cache, and that
     `check --base HEAD --rev NEW` prints the same bytes as with --full-scan --no-cache;
  6. one untimed warm-up of each command, then K rounds, each running in turn:
       practrace_rev       practrace status --repo R --rev HEAD --format json --no-cache
       practrace_worktree  practrace status --repo R --format json --no-cache
       practrace_rescan    practrace status --repo R --rev NEW --format json
                           (cache warmed at HEAD, restored before each run)
       practrace_check     practrace check --repo R --base HEAD --rev NEW --format json
                           (the pre-merge gate on that one-commit change; same cache)
       git_log             git -C R log --format='%H %(trailers:key=Practice,valueonly)'
       rg                  rg -c '^practices:' .      (in R)
     stdout and stderr to /dev/null, wall time from bash's clock around /usr/bin/time,
     peak RSS from `/usr/bin/time -f %M`;
  7. print per command the median/min/max wall time (s) and peak RSS (KiB, max over runs),
     the ratios practrace_rev / (git_log + rg), practrace_worktree / (git_log + rg) and
     practrace_rescan / practrace_rev and practrace_check / practrace_rev of the medians,
     practrace's peak RSS over git log's,
     and the exact commands. Raw samples are kept in DIR/results-*.tsv.
EOF
}

die() { echo "run.sh: error: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

FILES=${BENCH_FILES:-5000}
COMMITS=${BENCH_COMMITS:-20000}
RUNS=${BENCH_RUNS:-5}
WORKDIR=${BENCH_WORKDIR:-${TMPDIR:-/tmp}/practrace-bench}
BAD_RATE=0.02

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    # A real repository instead of a synthetic one: benches/real-repo.sh (beside git log
    # and rg in the same run; no truth file).
    --repo) [[ $# -ge 2 ]] || die "--repo needs a path"; shift; exec "$(dirname "${BASH_SOURCE[0]}")/real-repo.sh" "$@" ;;
    --files)   [[ $# -ge 2 ]] || die "--files needs a value";   FILES=$2;   shift 2 ;;
    --commits) [[ $# -ge 2 ]] || die "--commits needs a value"; COMMITS=$2; shift 2 ;;
    --runs)    [[ $# -ge 2 ]] || die "--runs needs a value";    RUNS=$2;    shift 2 ;;
    --workdir) [[ $# -ge 2 ]] || die "--workdir needs a value"; WORKDIR=$2; shift 2 ;;
    --files=*)   FILES=${1#*=};   shift ;;
    --commits=*) COMMITS=${1#*=}; shift ;;
    --runs=*)    RUNS=${1#*=};    shift ;;
    --workdir=*) WORKDIR=${1#*=}; shift ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
for v in FILES COMMITS RUNS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--${v,,} must be a positive integer, got '${!v}'"
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GEN=$ROOT/../shared/bench/gen-repo.py
COMPARE=$ROOT/scripts/truth-compare.py
[[ -f $GEN ]] || die "generator not found: $GEN"
[[ -f $COMPARE ]] || die "truth comparison script not found: $COMPARE"
command -v python3 >/dev/null || die "python3 is required"
command -v git >/dev/null || die "git is required"
command -v cargo >/dev/null || die "cargo is required (install a Rust toolchain)"

# ------------------------------------------------------------------ tools
APT_UPDATED=0
apt_install() { # package
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    die "'$1' is missing and cannot be installed here (needs root and apt-get): install the Debian package '$1'"
  fi
  if [[ $APT_UPDATED -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null \
    || die "apt-get install $1 failed: install the Debian package '$1' by hand"
}
if ! command -v rg >/dev/null; then
  log "rg not found, installing ripgrep"
  apt_install ripgrep
  command -v rg >/dev/null || die "ripgrep installed but rg is not on PATH"
fi
if [[ ! -x /usr/bin/time ]]; then
  log "/usr/bin/time not found, installing time"
  apt_install time
  [[ -x /usr/bin/time ]] || die "package time installed but /usr/bin/time is missing"
fi
RG=$(command -v rg)
GIT=$(command -v git)

# ------------------------------------------------------------------ build
if [[ -n ${BENCH_BIN:-} ]]; then
  BIN=$(cd "$(dirname "$BENCH_BIN")" && pwd)/$(basename "$BENCH_BIN")
  log "BENCH_BIN set: using $BIN, no build"
else
  log "cargo build --release (in $ROOT)"
  (cd "$ROOT" && cargo build --release) || die "cargo build --release failed"
  TARGET_DIR=${CARGO_TARGET_DIR:-target}
  [[ $TARGET_DIR = /* ]] || TARGET_DIR=$ROOT/$TARGET_DIR
  BIN=$TARGET_DIR/release/practrace
fi
[[ -x $BIN ]] || die "practrace binary not found or not executable: $BIN"

# ------------------------------------------------------------------ repository
mkdir -p "$WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
NAME=repo-f$FILES-c$COMMITS-bad$BAD_RATE
REPO=$WORKDIR/$NAME
TRUTH=$WORKDIR/$NAME.truth.json
if [[ -d $REPO && -f $TRUTH ]] && git -C "$REPO" rev-parse -q --verify HEAD >/dev/null 2>&1; then
  log "reusing $REPO"
else
  log "generating $REPO (files=$FILES commits=$COMMITS bad-rate=$BAD_RATE)"
  TMPNAME=$NAME.partial.$$
  rm -rf "${REPO:?}" "$TRUTH" "${WORKDIR:?}/$TMPNAME" "$WORKDIR/$TMPNAME.truth.json"
  python3 "$GEN" --out "$WORKDIR/$TMPNAME" --files "$FILES" --commits "$COMMITS" \
      --bad-rate "$BAD_RATE" >&2 \
    || { rm -rf "${WORKDIR:?}/$TMPNAME" "$WORKDIR/$TMPNAME.truth.json"; die "gen-repo.py failed"; }
  # rename only when complete, so an interrupted generation is never reused
  mv "$WORKDIR/$TMPNAME" "$REPO"
  mv "$WORKDIR/$TMPNAME.truth.json" "$TRUTH"
fi
if [[ -n $(git -C "$REPO" status --porcelain --untracked-files=all) ]]; then
  log "warning: $REPO has local changes; the working-tree check may fail (delete it to regenerate)"
fi

# ------------------------------------------------------------------ commands
CMD_NAMES=(practrace_rev practrace_worktree practrace_rescan practrace_check git_log rg)
CMD_DIRS=("$WORKDIR" "$WORKDIR" "$WORKDIR" "$WORKDIR" "$WORKDIR" "$REPO")
# Full scans run without the cache; the re-scan runs with a cache warmed at HEAD, after one
# new commit (made below, on no branch: HEAD and the truth stay as generated).
CACHE_WARM=$WORKDIR/cache-$NAME-warm
CACHE_RUN=$WORKDIR/cache-$NAME-run
NEW_COMMIT=""
# shellcheck disable=SC2034  # read through cmd_of's indirection
CMD_practrace_rev=("$BIN" status --repo "$REPO" --rev HEAD --format json --no-cache)
# shellcheck disable=SC2034
CMD_practrace_worktree=("$BIN" status --repo "$REPO" --format json --no-cache)
# shellcheck disable=SC2034
CMD_git_log=("$GIT" -C "$REPO" log '--format=%H %(trailers:key=Practice,valueonly)')
# shellcheck disable=SC2034
CMD_rg=("$RG" -c '^practices:' .)

cmd_of() { local ref="CMD_$1[@]"; CMD=("${!ref}"); }
shquote() { # one argument, quoted for a POSIX shell only when needed
  if [[ $1 =~ ^[A-Za-z0-9_./=@:,+-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
show_cmd() { # name -> shell-quoted command line
  cmd_of "$1"
  local s="" a
  for a in "${CMD[@]}"; do s+="$(shquote "$a") "; done
  if [[ $1 = rg ]]; then s="cd $(shquote "$REPO") && $s"; fi
  echo "${s% }"
}

# ------------------------------------------------------------------ correctness
declare -A EXPECT_RC
check() { # name rev-label
  local name=$1 out=$WORKDIR/report-$NAME-$1.json err=$WORKDIR/report-$NAME-$1.stderr rc=0
  cmd_of "$name"
  log "checking $name against the truth: $(show_cmd "$name")"
  "${CMD[@]}" >"$out" 2>"$err" || rc=$?
  EXPECT_RC[$name]=$rc
  if [[ $rc -ne 0 ]]; then
    log "note: $name exited with status $rc (stderr in $err)"
  fi
  if ! python3 "$COMPARE" "$REPO" "$TRUTH" "$out"; then
    echo "run.sh: FAIL: $name does not match the truth (report: $out, stderr: $err)" >&2
    return 1
  fi
}
FAILED=0
check practrace_rev || FAILED=1
check practrace_worktree || FAILED=1
[[ $FAILED -eq 0 ]] || die "correctness check failed; not benchmarking"

# ------------------------------------------------------------------ one new commit
log "warming a cache at HEAD, then making one new commit that changes one file"
rm -rf "$CACHE_WARM" "$CACHE_RUN"
XDG_CACHE_HOME=$CACHE_WARM "$BIN" status --repo "$REPO" --rev HEAD --format json >/dev/null 2>&1 || true
# ... and the summary of HEAD that `check --base HEAD` starts from.
XDG_CACHE_HOME=$CACHE_WARM "$BIN" check --repo "$REPO" --base HEAD --rev HEAD --format json >/dev/null 2>&1 || true
INDEX=$WORKDIR/index.$$
TRACKED=$(git -C "$REPO" ls-tree -r --name-only HEAD)
EDITED=$(grep -m 1 '\.md$' <<<"$TRACKED")
GIT_INDEX_FILE=$INDEX git -C "$REPO" read-tree HEAD
BLOB=$(printf -- '---\npractices: [BP.01.01]\n---\nedited for the benchmark\n' | git -C "$REPO" hash-object -w --stdin)
GIT_INDEX_FILE=$INDEX git -C "$REPO" update-index --cacheinfo "100644,$BLOB,$EDITED"
TREE=$(GIT_INDEX_FILE=$INDEX git -C "$REPO" write-tree)
rm -f "$INDEX"
NEW_COMMIT=$(printf 'Edit one file\n\nPractice: BP.01.02\n' | git -C "$REPO" commit-tree "$TREE" -p HEAD)
# shellcheck disable=SC2034
CMD_practrace_rescan=(env "XDG_CACHE_HOME=$CACHE_RUN" "$BIN" status --repo "$REPO" --rev "$NEW_COMMIT" --format json)
# shellcheck disable=SC2034
CMD_practrace_check=(env "XDG_CACHE_HOME=$CACHE_RUN" "$BIN" check --repo "$REPO" --base HEAD --rev "$NEW_COMMIT" --format json)
reset_rescan_cache() { rm -rf "$CACHE_RUN"; cp -r "$CACHE_WARM" "$CACHE_RUN"; }
reset_rescan_cache
cmd_of practrace_rescan
"${CMD[@]}" >"$WORKDIR/rescan-cached.json" 2>/dev/null || EXPECT_RC[practrace_rescan]=$?
"$BIN" status --repo "$REPO" --rev "$NEW_COMMIT" --format json --no-cache >"$WORKDIR/rescan-uncached.json" 2>/dev/null || true
cmp -s "$WORKDIR/rescan-cached.json" "$WORKDIR/rescan-uncached.json" \
  || die "the re-scan with the cache differs from --no-cache ($WORKDIR/rescan-*.json)"
reset_rescan_cache
cmd_of practrace_check
"${CMD[@]}" >"$WORKDIR/check-fast.json" 2>/dev/null || EXPECT_RC[practrace_check]=$?
"$BIN" check --repo "$REPO" --base HEAD --rev "$NEW_COMMIT" --format json --full-scan --no-cache \
  >"$WORKDIR/check-full.json" 2>/dev/null || true
cmp -s "$WORKDIR/check-fast.json" "$WORKDIR/check-full.json" \
  || die "check on the fast path differs from --full-scan ($WORKDIR/check-*.json)"

# ------------------------------------------------------------------ timing
now() { # seconds with microseconds, no fork
  if [[ -n ${EPOCHREALTIME:-} ]]; then local t=$EPOCHREALTIME; echo "${t/,/.}"; else date +%s.%N; fi
}
RSS_FILE=$(mktemp "${TMPDIR:-/tmp}/practrace-bench-rss.XXXXXX")
trap 'rm -f "$RSS_FILE"' EXIT
RESULTS=$WORKDIR/results-$NAME-$(date +%Y%m%d-%H%M%S).tsv
printf 'command\tround\twall_s\tpeak_rss_kib\texit\n' >"$RESULTS"

measure() { # name round
  local name=$1 round=$2 dir rc=0 t0 t1 rss i
  for i in "${!CMD_NAMES[@]}"; do
    if [[ ${CMD_NAMES[$i]} = "$name" ]]; then dir=${CMD_DIRS[$i]}; fi
  done
  cmd_of "$name"
  if [[ $name = practrace_rescan || $name = practrace_check ]]; then reset_rescan_cache; fi
  pushd "$dir" >/dev/null
  t0=$(now)
  /usr/bin/time -f %M -o "$RSS_FILE" "${CMD[@]}" >/dev/null 2>&1 || rc=$?
  t1=$(now)
  popd >/dev/null
  # GNU time writes "Command exited with non-zero status N" before the format line
  rss=$(tail -n 1 "$RSS_FILE")
  [[ $rss =~ ^[0-9]+$ ]] || die "could not read peak RSS of $name: $(cat "$RSS_FILE")"
  local ok=${EXPECT_RC[$name]:-0}
  if [[ $name = rg ]]; then
    [[ $rc -le 1 ]] || die "rg failed with status $rc"   # 1 = no match, still a valid run
  elif [[ $rc -ne $ok ]]; then
    die "$name exited with status $rc (expected $ok) in round $round"
  fi
  if [[ $round -gt 0 ]]; then
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$round" \
      "$(python3 -c 'import sys; print("%.6f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$t0" "$t1")" \
      "$rss" "$rc" >>"$RESULTS"
  fi
}

log "warm-up (untimed)"
for n in "${CMD_NAMES[@]}"; do measure "$n" 0; done
for ((r = 1; r <= RUNS; r++)); do
  log "round $r/$RUNS"
  for n in "${CMD_NAMES[@]}"; do measure "$n" "$r"; done
done

# ------------------------------------------------------------------ report
echo
echo "practrace benchmark: files=$FILES commits=$COMMITS bad-rate=$BAD_RATE runs=$RUNS"
echo "repo:    $REPO"
RG_VERSION=$("$RG" --version 2>/dev/null || true)
BIN_VERSION=$("$BIN" --version 2>/dev/null || true)
echo "machine: $(nproc) CPU(s), $(uname -sr); $("$GIT" --version); ${RG_VERSION%%$'\n'*}"
echo "binary:  $BIN (${BIN_VERSION%%$'\n'*})"
echo
python3 - "$RESULTS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
order, wall, rss = [], {}, {}
for r in rows:
    n = r["command"]
    if n not in wall:
        order.append(n); wall[n] = []; rss[n] = []
    wall[n].append(float(r["wall_s"])); rss[n].append(int(r["peak_rss_kib"]))
med = {n: statistics.median(wall[n]) for n in order}
print("%-20s %10s %10s %10s %14s" % ("command", "median_s", "min_s", "max_s", "peak_rss_KiB"))
for n in order:
    print("%-20s %10.3f %10.3f %10.3f %14d" % (n, med[n], min(wall[n]), max(wall[n]), max(rss[n])))
base = med["git_log"] + med["rg"]
print()
print("baseline git_log + rg (medians): %.3f s" % base)
for n in ("practrace_rev", "practrace_worktree"):
    print("ratio %-19s / (git_log + rg) = %.2f" % (n, med[n] / base if base > 0 else float("inf")))
print("ratio practrace_rescan     / practrace_rev   = %.3f" % (med["practrace_rescan"] / med["practrace_rev"]))
print("ratio practrace_check      / practrace_rev   = %.3f" % (med["practrace_check"] / med["practrace_rev"]))
print("peak RSS practrace_rev / git_log = %.2f" % (max(rss["practrace_rev"]) / max(rss["git_log"])))
PY
echo
echo "practrace_rescan, practrace_check: one new commit ($NEW_COMMIT) on HEAD changing $EDITED, cache warmed at HEAD and restored before each run"
echo "commands (rg runs in the repository; all output to /dev/null; wrapped in /usr/bin/time -f %M):"
for n in "${CMD_NAMES[@]}"; do printf '  %-19s %s\n' "$n" "$(show_cmd "$n")"; done
echo
echo "raw samples: $RESULTS"
