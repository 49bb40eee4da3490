#!/usr/bin/env bash
# Checks the organisation roll-up's HTML (`practrace merge`) in a real browser (headless
# Chromium), as scripts/html-check.sh does for the matrix, and takes the README's
# screenshot. Builds the fleet fixture (five repositories), makes each one's
# `status --format json` report, adds a copy of one whose repository is named
# <script>alert(1)</script>, merges them, and fails when:
#   - the browser logs anything to the console (a CSP violation, a blocked fetch: the page
#     must be self-contained and quiet);
#   - the DOM the browser built holds any script or img element (the page has no script of
#     its own; report text must stay text), or the hostile name is not shown as text;
#   - a row's link does not lead to its repository's section (#r3 must be an element).
# Then it writes docs/img/merge.png (1600x900: the heat map of the fleet alone).
#
# Needs chromium (Debian: apt-get install chromium). Not run by CI (.ci/run): run it by
# hand after changing templates/merge.html.
#   scripts/merge-check.sh [--no-screenshot]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
check=merge-check
# shellcheck source=scripts/chromium.sh
source scripts/chromium.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet
bin=$root/target/debug/practrace
mkdir -p "$work/fleet" "$work/reports"
bash fixtures/repos/fleet.sh "$work/fleet"
# From the fleet's folder, so each report names its repository by its folder's name.
for repo in "$work"/fleet/*/; do
  name=$(basename "$repo")
  (cd "$work/fleet" && XDG_CACHE_HOME="$work/cache" "$bin" status --repo "$name" --format json \
    >"$work/reports/$name.json") || [ $? -eq 1 ]
done
(cd "$work" && "$bin" merge reports -o fleet.html)
sed 's|"repo": "web-portal"|"repo": "<script>alert(1)</script>"|' "$work/reports/web-portal.json" \
  >"$work/hostile.json"
(cd "$work" && "$bin" merge reports hostile.json -o hostile.html)

fail=0

run "file://$work/hostile.html" --dump-dom >"$work/dom.html"
check_console "load"
scripts=$(grep -o '<script' "$work/dom.html" | wc -l || true)
imgs=$(grep -o '<img' "$work/dom.html" | wc -l || true)
if [ "$scripts" -ne 0 ] || [ "$imgs" -ne 0 ]; then
  echo "merge-check: FAIL: the DOM has $scripts script and $imgs img elements (want 0 and 0)" >&2
  fail=1
fi
if ! grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$work/dom.html"; then
  echo "merge-check: FAIL: the hostile repository name is not shown as text" >&2
  fail=1
fi
rows=$(grep -c '<section class="repo" id="r[0-9]*">' "$work/dom.html" || true)
if [ "$rows" -ne 6 ] || ! grep -q '<a href="#r3">' "$work/dom.html"; then
  echo "merge-check: FAIL: want 6 repository sections with links to them, found $rows" >&2
  fail=1
fi

run "file://$work/fleet.html#r3" --dump-dom >/dev/null
check_console "#r3"
run "file://$work/fleet.html" --print-to-pdf="$work/print.pdf" --no-pdf-header-footer >/dev/null
check_console "print"
if [ ! -s "$work/print.pdf" ]; then
  echo "merge-check: FAIL: printing to PDF produced nothing" >&2
  fail=1
fi

if [ "${1:-}" != "--no-screenshot" ]; then
  mkdir -p docs/img
  run "file://$work/fleet.html" --screenshot="$root/docs/img/merge.png" --window-size=1600,900 >/dev/null
  check_console "screenshot"
  echo "merge-check: wrote docs/img/merge.png"
fi
if [ "$fail" -ne 0 ]; then
  exit 1
fi
echo "merge-check: ok: no console output; no script or img in the DOM; 6 sections linked; printed to PDF ($(wc -c <"$work/print.pdf") bytes)"
