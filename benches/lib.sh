# Sourced by the benchmark scripts that take a repository: what they share.

# bench_args NAME DEFAULT_RUNS USAGE ARGS...: the repository (first), then --runs K,
# --bin PRACTRACE and --workdir DIR; sets REPO, RUNS, BIN, WORKDIR, ROOT, and REST (the
# flags the script handles itself, in order). Builds practrace when --bin is not given.
bench_args() {
  local name=$1 usage=$3
  RUNS=$2
  shift 3
  if [[ $# -eq 0 || $1 == -* ]]; then echo "usage: $usage" >&2; exit 2; fi
  REPO=$1
  shift
  BIN="" WORKDIR=${TMPDIR:-/tmp}/practrace-bench REST=()
  while [[ $# -gt 0 ]]; do
    case $1 in
      --runs) RUNS=$2; shift 2 ;;
      --bin) BIN=$2; shift 2 ;;
      --workdir) WORKDIR=$2; shift 2 ;;
      --*) REST+=("$1"); shift ;;
      *) echo "$name: unknown argument $1" >&2; exit 2 ;;
    esac
  done
  ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [[ -z $BIN ]]; then (cd "$ROOT" && cargo build --release --locked -q); BIN=$ROOT/target/release/practrace; fi
  mkdir -p "$WORKDIR"
}

# The median of the numbers on standard input, one a line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
