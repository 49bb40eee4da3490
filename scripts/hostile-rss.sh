#!/usr/bin/env bash
# Peak memory and wall time of practrace on every hostile-input case
# (fixtures/hostile/build.sh), in the working tree and at --rev HEAD, measured with
# /usr/bin/time -v. Usage: scripts/hostile-rss.sh [practrace-binary]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/target/release/practrace}
if [[ ! -x /usr/bin/time ]]; then
  if [[ $(id -u) == 0 ]]; then apt-get update -qq && apt-get install -y -qq time >/dev/null; else
    echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 1; fi
fi
[[ -x $bin ]] || (cd "$root" && cargo build --release -q)
cases=$(grep -oE '^[a-z0-9-]+\)' "$root/fixtures/hostile/build.sh" | tr -d ')')
printf '%-18s %-10s %5s %9s %12s\n' case scan exit wall_s peak_rss_KiB
for c in $cases; do
  dir=$(mktemp -d)
  bash "$root/fixtures/hostile/build.sh" "$c" "$dir" >/dev/null 2>&1
  for mode in worktree rev; do
    args=(status --repo "$dir/repo" --format json)
    [[ $mode == rev ]] && args+=(--rev HEAD)
    set +e
    /usr/bin/time -v "$bin" "${args[@]}" >/dev/null 2>"$dir/time.txt"
    code=$?
    set -e
    wall=$(grep 'Elapsed (wall clock)' "$dir/time.txt" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$dir/time.txt" | awk '{print $NF}')
    printf '%-18s %-10s %5s %9s %12s\n' "$c" "$mode" "$code" "$wall" "$rss"
  done
  rm -rf "$dir"
done
