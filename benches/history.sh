#!/usr/bin/env bash
# Benchmark of `practrace history` (issue 13 §2): P points of capability history against one
# full `status` scan, both with a cold cache, in the same run. Target: history <= 3x status.
# Run `benches/history.sh --help` for usage.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: benches/history.sh [--files N] [--commits M] [--points P] [--runs K] [--workdir DIR]

Options (each also settable through the environment variable shown):
  --files N      files in HEAD's tree        (BENCH_FILES,   default 100000 = W2)
  --commits M    commits in the history      (BENCH_COMMITS, default 200000 = W2)
  --points P     points of the history       (BENCH_POINTS,  default 24)
  --runs K       timed rounds                (BENCH_RUNS,    default 3)
  --workdir DIR  where the repository goes   (BENCH_WORKDIR, default ${TMPDIR:-/tmp}/practrace-bench)
  -h, --help     this text
Environment only:
  BENCH_BIN      use this practrace binary instead of building one

Steps:
  1. cargo build --release (unless BENCH_BIN);
  2. reuse DIR/repo-f<N>-c<M>-bad0.02, or make it with ../shared/bench/gen-repo.py
     --bad-rate 0.02 (the repository benches/run.sh makes);
  3. pick the points: when the tip's first-parent history spans at least P months,
     `--every month` from the first day of the month P-1 months before the tip's (P monthly
     points); otherwise (gen-repo's W2 spans about 4.5 months) `--revs` with P first-parent
     commits evenly spaced from the root to the tip, said so on stderr;
  4. check the history against status: the first, a middle and the last point's
     process_areas must equal `status --rev COMMIT --format json --no-cache`'s;
  5. K rounds, each running in turn, with an empty cache folder and --no-cache (cold):
       status   practrace status --repo R --rev HEAD --format json --no-cache
       history  practrace history --repo R <points> --format json --no-cache
     wall time from bash's clock, peak RSS from `/usr/bin/time -f %M`;
  6. print the median, min and max of each, the ratio of the medians and the peak RSS, and
     exit 1 when history's median is over 3x status's.
Times depend on the machine and on what else runs on it: say which when quoting them.
EOF
}

die() { echo "history.sh: error: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

FILES=${BENCH_FILES:-100000}
COMMITS=${BENCH_COMMITS:-200000}
POINTS=${BENCH_POINTS:-24}
RUNS=${BENCH_RUNS:-3}
WORKDIR=${BENCH_WORKDIR:-${TMPDIR:-/tmp}/practrace-bench}
BAD_RATE=0.02
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --files) [[ $# -ge 2 ]] || die "--files needs a value"; FILES=$2; shift 2 ;;
    --commits) [[ $# -ge 2 ]] || die "--commits needs a value"; COMMITS=$2; shift 2 ;;
    --points) [[ $# -ge 2 ]] || die "--points needs a value"; POINTS=$2; shift 2 ;;
    --runs) [[ $# -ge 2 ]] || die "--runs needs a value"; RUNS=$2; shift 2 ;;
    --workdir) [[ $# -ge 2 ]] || die "--workdir needs a value"; WORKDIR=$2; shift 2 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
for v in FILES COMMITS POINTS RUNS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
[[ $POINTS -ge 2 ]] || die "--points must be at least 2"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GEN=$ROOT/../shared/bench/gen-repo.py
command -v python3 >/dev/null || die "python3 is required"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is required (Debian: apt-get install time)"

# ------------------------------------------------------------------ build
if [[ -n ${BENCH_BIN:-} ]]; then
  BIN=$(cd "$(dirname "$BENCH_BIN")" && pwd)/$(basename "$BENCH_BIN")
else
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release --locked) || die "cargo build --release failed"
  TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
  BIN=$TARGET_DIR/release/practrace
fi
[[ -x $BIN ]] || die "practrace binary not found: $BIN"

# ------------------------------------------------------------------ repository
mkdir -p "$WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
NAME=repo-f$FILES-c$COMMITS-bad$BAD_RATE
REPO=$WORKDIR/$NAME
if git -C "$REPO" rev-parse -q --verify HEAD >/dev/null 2>&1; then
  log "reusing $REPO"
else
  [[ -f $GEN ]] || die "generator not found: $GEN"
  log "generating $REPO (files=$FILES commits=$COMMITS bad-rate=$BAD_RATE)"
  TMPNAME=$NAME.partial.$$
  rm -rf "${WORKDIR:?}/$TMPNAME" "$WORKDIR/$TMPNAME.truth.json"
  python3 "$GEN" --out "$WORKDIR/$TMPNAME" --files "$FILES" --commits "$COMMITS" \
      --bad-rate "$BAD_RATE" >&2 || die "gen-repo.py failed"
  mv "$WORKDIR/$TMPNAME" "$REPO"
  mv "$WORKDIR/$TMPNAME.truth.json" "$WORKDIR/$NAME.truth.json"
fi

# ------------------------------------------------------------------ points
RUN=$(mktemp -d "$WORKDIR/history-run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
git -C "$REPO" rev-list --first-parent --format='%ct' HEAD | paste - - | awk '{print $2, $3}' >"$RUN/chain"
read -r _ TIP_TIME < <(head -1 "$RUN/chain")
read -r _ ROOT_TIME < <(tail -1 "$RUN/chain")
MONTHS=$(( (TIP_TIME - ROOT_TIME) / 2629746 ))
if [[ $MONTHS -ge $POINTS ]]; then
  SINCE=$(date -u -d "@$TIP_TIME" +%Y-%m-01)
  SINCE=$(date -u -d "$SINCE -$((POINTS - 1)) months" +%Y-%m-%d)
  SELECT=(--every month --since "$SINCE")
  log "$POINTS monthly points: --every month --since $SINCE"
else
  N=$(wc -l <"$RUN/chain")
  REVS=$(awk -v n="$N" -v p="$POINTS" '
    { id[NR] = $1 }
    END { for (i = p - 1; i >= 0; i--) { k = 1 + int(i * (n - 1) / (p - 1)); printf "%s%s", id[k], (i ? "," : "\n") } }' "$RUN/chain")
  SELECT=(--revs "$REVS")
  log "the first-parent history spans $MONTHS months, fewer than $POINTS: --revs with $POINTS first-parent commits evenly spaced from the root to the tip"
fi
CMD_status=("$BIN" status --repo "$REPO" --rev HEAD --format json --no-cache)
CMD_history=("$BIN" history --repo "$REPO" "${SELECT[@]}" --format json --no-cache)

# ------------------------------------------------------------------ correctness
log "checking the history against status --rev at three of its points"
XDG_CACHE_HOME=$RUN/cache "${CMD_history[@]}" >"$RUN/history.json" || die "history failed"
python3 - "$RUN/history.json" "$BIN" "$REPO" <<'PY' || die "a history point differs from status --rev"
import json, subprocess, sys
history, binary, repo = sys.argv[1:]
points = json.load(open(history))["points"]
if len(points) < 2:
    sys.exit(f"only {len(points)} points")
for point in (points[0], points[len(points) // 2], points[-1]):
    out = subprocess.run([binary, "status", "--repo", repo, "--rev", point["commit"],
                          "--format", "json", "--no-cache"], capture_output=True)
    status = json.loads(out.stdout)
    if status["process_areas"] != point["process_areas"]:
        sys.exit(f"point {point['label']} ({point['commit']}) differs")
    print(f"   {point['label'][:12]} {point['commit'][:12]} ({point['scan']}): equal", file=sys.stderr)
print(f"   {len(points)} points, scans: " + " ".join(p["scan"][0] for p in points), file=sys.stderr)
PY

# ------------------------------------------------------------------ timing
: >"$RUN/samples"
for round in $(seq 1 "$RUNS"); do
  for name in status history; do
    ref="CMD_${name}[@]"
    rm -rf "$RUN/cache"
    start=$(date +%s.%N)
    XDG_CACHE_HOME=$RUN/cache /usr/bin/time -f %M -o "$RUN/rss" "${!ref}" >/dev/null 2>"$RUN/stderr" || true
    end=$(date +%s.%N)
    echo "$name $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') $(tail -1 "$RUN/rss")" >>"$RUN/samples"
    log "round $round: $name $(tail -1 "$RUN/samples" | cut -d' ' -f2-)"
  done
done
echo "commands:"
echo "  ${CMD_status[*]}"
if [[ ${SELECT[0]} == --revs ]]; then
  echo "  $BIN history --repo $REPO --revs <$POINTS commits> --format json --no-cache"
else
  echo "  ${CMD_history[*]}"
fi
python3 - "$RUN/samples" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
stats = {}
for name in ("status", "history"):
    wall = [float(r[1]) for r in rows if r[0] == name]
    rss = [int(r[2]) for r in rows if r[0] == name]
    stats[name] = statistics.median(wall)
    print(f"{name:8} median {statistics.median(wall):7.2f} s  min {min(wall):7.2f}  max {max(wall):7.2f}  peak RSS {max(rss) / 1024:6.0f} MB")
ratio = stats["history"] / stats["status"]
print(f"history / status: {ratio:.2f}x (target <= 3x)")
sys.exit(0 if ratio <= 3 else 1)
PY
