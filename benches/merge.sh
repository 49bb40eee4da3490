#!/usr/bin/env bash
# Benchmark of `practrace merge` (the organisation roll-up) at the sizes of issue 14:
#   1. 1,000 reports of a real project's size (about 0.4 MB each) merge in <= 10 s;
#   2. 100 W1-sized reports (about 4.3 MB each) merge in <= 1 GB peak memory.
# Run `benches/merge.sh --help` for usage.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: benches/merge.sh [--reports N] [--w1-reports M] [--runs K] [--workdir DIR]

Options (each also settable through the environment variable shown):
  --reports N     copies of the project-sized report  (BENCH_REPORTS,    default 1000)
  --w1-reports M  copies of the W1-sized report       (BENCH_W1_REPORTS, default 100)
  --runs K        timed runs of each merge            (BENCH_RUNS,       default 3)
  --workdir DIR   where repositories and reports go   (BENCH_WORKDIR, default ${TMPDIR:-/tmp}/practrace-bench)
  -h, --help      this text
Environment only:
  BENCH_BIN       use this practrace binary instead of building one

Steps:
  1. cargo build --release (unless BENCH_BIN);
  2. make two synthetic repositories with ../shared/bench/gen-repo.py (kept in DIR and
     reused): "project" (--files 1000 --commits 2500 --trailer-rate 0.06: about 190
     evidence files, 160 evidence commits of 2,500, a 0.45 MB status report) and W1
     (--files 5000 --commits 20000 --bad-rate 0.02, as benches/run.sh makes it: a 4.4 MB
     report), and one real `status --rev HEAD --format json` report of each;
  3. copy each report N (M) times into a folder, each copy with its own repository name
     (team-NNNN/service-NNNN) and commit id (a small text edit of the first "repo" and
     "commit" fields: the rest of the report is the real one);
  4. time `practrace merge FOLDER -o FILE` K times per format (html, xlsx, json, csv,
     markdown) on the N copies, with peak RSS from /usr/bin/time -v; then the same with
     html on the M W1 copies;
  5. print the median wall time and the largest peak RSS of each, and exit 1 when the
     html merge of the N copies takes over 10 s or the W1 merge peaks over 1 GiB.
Times depend on the machine and on what else runs on it: say which when quoting them.
EOF
}

die() { echo "merge.sh: error: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

REPORTS=${BENCH_REPORTS:-1000}
W1_REPORTS=${BENCH_W1_REPORTS:-100}
RUNS=${BENCH_RUNS:-3}
WORKDIR=${BENCH_WORKDIR:-${TMPDIR:-/tmp}/practrace-bench}
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --reports) [[ $# -ge 2 ]] || die "--reports needs a value"; REPORTS=$2; shift 2 ;;
    --w1-reports) [[ $# -ge 2 ]] || die "--w1-reports needs a value"; W1_REPORTS=$2; shift 2 ;;
    --runs) [[ $# -ge 2 ]] || die "--runs needs a value"; RUNS=$2; shift 2 ;;
    --workdir) [[ $# -ge 2 ]] || die "--workdir needs a value"; WORKDIR=$2; shift 2 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
for v in REPORTS W1_REPORTS RUNS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GEN=$ROOT/../shared/bench/gen-repo.py
[[ -f $GEN ]] || die "generator not found: $GEN"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian: apt-get install time)"

if [[ -n ${BENCH_BIN:-} ]]; then
  BIN=$BENCH_BIN
else
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release --quiet) || die "cargo build --release failed"
  BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/practrace
fi
[[ -x $BIN ]] || die "practrace binary not found: $BIN"
mkdir -p "$WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
export XDG_CACHE_HOME=$WORKDIR/cache

# report NAME GEN-ARGS...: a real status report of a generated repository, in $WORKDIR.
report() {
  local name=$1 repo=$WORKDIR/$1
  shift
  if ! git -C "$repo" rev-parse -q --verify HEAD >/dev/null 2>&1; then
    log "generating $repo ($*)"
    rm -rf "$repo" "$repo.truth.json"
    python3 "$GEN" --out "$repo" "$@" >&2 || die "gen-repo.py failed"
  fi
  if [[ ! -s $WORKDIR/$name.json ]]; then
    "$BIN" status --repo "$repo" --rev HEAD --format json --no-cache >"$WORKDIR/$name.json" \
      || [[ $? -eq 1 ]] || die "status of $repo failed"
  fi
}
report merge-project --files 1000 --commits 2500 --trailer-rate 0.06
# The W1 repository of benches/run.sh, shared with it.
report repo-f5000-c20000-bad0.02 --files 5000 --commits 20000 --bad-rate 0.02

# copies SOURCE N FOLDER: N copies of a report, each of its own repository and commit.
copies() {
  rm -rf "$3"
  mkdir -p "$3"
  python3 - "$1" "$2" "$3" <<'PY'
import hashlib, re, sys
source, count, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
text = open(source, encoding="utf-8").read()
for i in range(count):
    name = f"team-{i % 37:04d}/service-{i:04d}"
    commit = hashlib.sha1(name.encode()).hexdigest()
    copy = re.sub(r'"repo": "[^"]*"', f'"repo": "{name}"', text, count=1)
    copy = re.sub(r'"commit": "[0-9a-f]{40}"', f'"commit": "{commit}"', copy, count=1)
    with open(f"{folder}/report-{i:04d}.json", "w", encoding="utf-8") as out:
        out.write(copy)
PY
}
log "copying the reports ($REPORTS and $W1_REPORTS)"
copies "$WORKDIR/merge-project.json" "$REPORTS" "$WORKDIR/merge-project-reports"
copies "$WORKDIR/repo-f5000-c20000-bad0.02.json" "$W1_REPORTS" "$WORKDIR/merge-w1-reports"

# measure FOLDER FORMAT: K runs; prints "median-seconds max-rss-kib".
measure() {
  local folder=$1 format=$2 i start times=() rss=0 r
  for ((i = 0; i < RUNS; i++)); do
    start=$EPOCHREALTIME
    /usr/bin/time -v -o "$WORKDIR/time.txt" "$BIN" merge "$folder" --format "$format" \
      -o "$WORKDIR/merged.$format" || die "merge of $folder failed"
    times+=("$(awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN {printf "%.2f", e - s}')")
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORKDIR/time.txt")
    ((r > rss)) && rss=$r
  done
  printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$rss"
}

size() { du -sh "$1" | cut -f1; }
echo "project-sized report: $(wc -c <"$WORKDIR/merge-project.json") bytes; W1 report: $(wc -c <"$WORKDIR/repo-f5000-c20000-bad0.02.json") bytes"
echo "merge of $REPORTS project-sized reports ($(size "$WORKDIR/merge-project-reports")), $RUNS runs:"
fail=0
for format in html xlsx json csv markdown; do
  read -r secs rss < <(measure "$WORKDIR/merge-project-reports" "$format")
  printf '  %-9s median %6.2f s   peak RSS %7d KiB   output %s\n' "$format" "$secs" "$rss" "$(size "$WORKDIR/merged.$format")"
  if [[ $format == html ]] && awk -v s="$secs" 'BEGIN {exit !(s > 10)}'; then
    echo "  OVER THE LIMIT: $secs s > 10 s" >&2
    fail=1
  fi
done
echo "merge of $W1_REPORTS W1-sized reports ($(size "$WORKDIR/merge-w1-reports")), $RUNS runs:"
read -r secs rss < <(measure "$WORKDIR/merge-w1-reports" html)
printf '  %-9s median %6.2f s   peak RSS %7d KiB\n' html "$secs" "$rss"
if ((rss > 1024 * 1024)); then
  echo "  OVER THE LIMIT: peak RSS $rss KiB > 1 GiB" >&2
  fail=1
fi
echo "commands: $BIN merge FOLDER --format FORMAT -o FILE  (FOLDER: $WORKDIR/merge-{project,w1}-reports)"
exit $fail
