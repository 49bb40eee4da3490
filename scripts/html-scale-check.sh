#!/usr/bin/env bash
# The evidence matrix's HTML at scale: renders `practrace matrix --format html` of a given
# repository with the release build, prints the page's size, its wall time and peak RSS
# beside those of `status` and of `matrix --format json` (/usr/bin/time -v; pass
# --no-cache to compare scans, not cache reads), and times headless Chromium opening
# the page until its script says it is ready (<body data-ready="true">, read back with
# --dump-dom): the wall time of the whole chromium process, median of 3, plain and with
# #PA05 (which must open that area with its evidence rendered), beside the same for an
# empty page (the browser's own start) and for the page without its script (`inert`:
# reading the page and writing its DOM back out, which --dump-dom does for the packed
# data too). Fails when the page is not ready, logs to the console, or #PA05 shows no
# evidence.
#
# The repository is only read; the page and the browser's profile go to a temp folder.
# The figures depend on the machine and its load: the script prints the load average.
#   scripts/html-scale-check.sh REPO [SCAN-ARGS...]    e.g. REPO --rev HEAD --no-cache
# PRACTRACE=BIN uses that binary instead of building target/release/practrace.
set -euo pipefail
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: scripts/html-scale-check.sh REPO [SCAN-ARGS...]" >&2
  exit 2
fi
repo=$(cd "$1" && pwd)
shift
cd "$(dirname "$0")/.."
check=html-scale-check
# shellcheck source=scripts/chromium.sh
source scripts/chromium.sh
if [ ! -x /usr/bin/time ]; then
  echo "html-scale-check: needs /usr/bin/time (Debian package 'time')" >&2
  exit 2
fi
bin=${PRACTRACE:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=$PWD/target/release/practrace
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # measure NAME ARGS... : the command's wall time and peak RSS, from time -v
  local name=$1
  shift
  set +e
  /usr/bin/time -v "$bin" "$@" --repo "$repo" >"$work/$name.out" 2>"$work/$name.time"
  local code=$?
  set -e
  if [ "$code" -gt 1 ]; then
    echo "html-scale-check: practrace $* failed ($code):" >&2
    tail -5 "$work/$name.time" >&2
    exit 1
  fi
  local wall rss
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$work/$name.time")
  rss=$(awk '/Maximum resident set size/ {print $NF}' "$work/$name.time")
  printf '%-8s wall %s, peak RSS %s MiB\n' "$name" "$wall" "$((rss / 1024))"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
measure status status --format json "$@"
measure json matrix --format json "$@"
measure html matrix --format html "$@"
mv "$work/html.out" "$work/matrix.html"
bytes=$(wc -c <"$work/matrix.html")
echo "page: $bytes bytes ($(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}') MiB)"
echo '<!DOCTYPE html><html><body data-ready="true"></body></html>' >"$work/empty.html"
perl -0pe "s{<script>\n// The evidence matrix's script.*?</script>}{}s; s{<body>}{<body data-ready=\"true\">}" \
  "$work/matrix.html" >"$work/inert.html"

fail=0
open_page() { # open_page URL : the wall time in seconds; the DOM in $work/dom, the log in $work/log
  local start end
  start=$(date +%s.%N)
  timeout 300 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
    --virtual-time-budget=60000 --dump-dom "$1" >"$work/dom" 2>"$work/log" || true
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN {printf "%.2f", e - s}'
}
pa05() { # the area PA05 as the browser left it, from $work/dom
  perl -0ne 'print $1 if m{(<details class="area" id="PA05" open="">.*?</details>)}s' "$work/dom"
}
median() { tr ' ' '\n' | sort -n | sed -n 2p; }
for what in empty inert plain anchor; do
  case $what in
    empty) url="file://$work/empty.html" ;;
    inert) url="file://$work/inert.html" ;;
    plain) url="file://$work/matrix.html" ;;
    anchor) url="file://$work/matrix.html#PA05" ;;
  esac
  times=""
  for _ in 1 2 3; do
    times="$times $(open_page "$url")"
    if ! grep -q '<body[^>]*data-ready="true"' "$work/dom"; then
      echo "html-scale-check: FAIL ($what): the page did not say it is ready" >&2
      fail=1
    fi
    if grep -q CONSOLE "$work/log"; then
      echo "html-scale-check: FAIL ($what): the page logged to the console:" >&2
      grep CONSOLE "$work/log" >&2
      fail=1
    fi
    if [ "$what" = anchor ]; then
      pa05 >"$work/pa05"
      rows=$(grep -o '<td class="kind">\(file\|commit\)</td>' "$work/pa05" | wc -l || true)
      if [ "$rows" -eq 0 ]; then
        echo "html-scale-check: FAIL: #PA05 did not show its evidence" >&2
        fail=1
      fi
    fi
  done
  printf 'chromium %-6s %s s (median of%s)\n' "$what" "$(echo $times | median)" "$times"
done
practices=$(grep -o '<tbody class="practice' "$work/pa05" | wc -l || true)
echo "#PA05: $practices practices, $rows evidence rows rendered"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$fail"
