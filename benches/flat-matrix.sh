#!/usr/bin/env bash
# Benchmark: `matrix --rev HEAD --format csv` on one folder of N evidence files, each added
# by its own commit (issue 16 item 8: the last-commit walk was N² log N, 15 s at 10,000),
# beside `git log --raw` (which diffs the same trees) in the same run.
# Usage: benches/flat-matrix.sh [--files N] [--bin PRACTRACE] [--workdir DIR]
set -euo pipefail
FILES=10000 BIN="" WORKDIR=${TMPDIR:-/tmp}/practrace-bench
while [[ $# -gt 0 ]]; do
  case $1 in
    --files) FILES=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --workdir) WORKDIR=$2; shift 2 ;;
    -h|--help) sed -n 2,5p "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z $BIN ]]; then (cd "$ROOT" && cargo build --release -q); BIN=$ROOT/target/release/practrace; fi
REPO=$WORKDIR/flat-f$FILES
if [[ ! -d $REPO/.git ]]; then
  rm -rf "$REPO"; mkdir -p "$REPO"; git -C "$REPO" init -q -b main
  python3 - "$FILES" "$REPO" <<'PY'
import subprocess, sys
n, repo = int(sys.argv[1]), sys.argv[2]
data = b"---\npractices: [BP.05.01]\n---\n"
stream = b"".join(
    b"commit refs/heads/main\ncommitter A <a@b> %d +0000\ndata 3\nadd\nM 100644 inline docs/f%06d.md\ndata %d\n%s\n"
    % (1700000000 + i, i, len(data), data)
    for i in range(n)
)
subprocess.run(["git", "-C", repo, "fast-import", "--quiet"], input=stream, check=True)
PY
fi
time_it() { local s=$EPOCHREALTIME; "$@" > /dev/null 2>&1 || true; awk -v s="$s" -v e="$EPOCHREALTIME" 'BEGIN {printf "%.2f", e - s}'; }
echo "files=$FILES"
echo "practrace matrix (s): $(time_it "$BIN" matrix --repo "$REPO" --rev HEAD --format csv --no-cache)"
echo "git log --raw    (s): $(time_it git -C "$REPO" log --raw --format=%H)"
