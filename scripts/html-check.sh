#!/usr/bin/env bash
# Checks the evidence matrix's HTML in a real browser (headless Chromium) and takes the
# README's screenshot. Builds the hostile-names fixture (paths and commit subjects with
# <script>alert(1)</script> and =HYPERLINK(...)), renders `practrace matrix --format html`,
# and fails when:
#   - the browser logs anything to the console (a script error, a CSP violation, a
#     blocked fetch: the page must be self-contained and quiet);
#   - the DOM the browser built holds any script element but the page's own, or any <img>
#     (repository text must stay text);
#   - the page's script did not run: `#PA05` must open that area, `?q=HYPERLINK` must
#     filter the practices down to the matching ones.
# Then it writes the README's screenshots: docs/matrix.png (1400x1000: the stamp and the
# heat map) and docs/matrix-drilldown.png (filtered with ?q=alert). KEEP_PDF=FILE keeps
# the printed PDF.
#
# Needs chromium (Debian: apt-get install chromium). Not run by CI (.ci/run): run it by
# hand after changing templates/matrix.html.
#   scripts/html-check.sh [--no-screenshot]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "html-check: no chromium found (apt-get install chromium)" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet
bin=$root/target/debug/practrace
mkdir "$work/hostile-names"
bash fixtures/repos/hostile-names.sh "$work/hostile-names"
# From the temp folder, so the page (and the screenshot) name the repository the same way.
(cd "$work" && "$bin" matrix --repo hostile-names --format html -o matrix.html)
# The browser's own profile and crash folders stay in the temp folder.
run() { # run URL ARGS... : the dumped DOM on stdout, the browser's log in $work/log
  local url=$1
  shift
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
    --virtual-time-budget=5000 "$@" "$url" 2>"$work/log"
}
fail=0
check_console() { # check_console WHAT
  if grep -E 'CONSOLE' "$work/log" >"$work/console"; then
    echo "html-check: FAIL ($1): the page logged to the console:" >&2
    cat "$work/console" >&2
    fail=1
  fi
}
page="file://$work/matrix.html"

run "$page" --dump-dom >"$work/dom.html"
check_console "load"
scripts=$(grep -o '<script' "$work/dom.html" | wc -l)
imgs=$(grep -o '<img' "$work/dom.html" | wc -l || true)
if [ "$scripts" -ne 1 ] || [ "$imgs" -ne 0 ]; then
  echo "html-check: FAIL: the DOM has $scripts script and $imgs img elements (want 1 and 0)" >&2
  fail=1
fi
if ! grep -q '&lt;script&gt;alert(1)&lt;/script&gt; add the assessment' "$work/dom.html"; then
  echo "html-check: FAIL: the hostile commit subject is not shown as text" >&2
  fail=1
fi

run "$page#PA05" --dump-dom >"$work/dom-anchor.html"
check_console "#PA05"
if ! grep -q '<details class="area" id="PA05" open="">' "$work/dom-anchor.html"; then
  echo "html-check: FAIL: #PA05 did not open its area (did the script run?)" >&2
  fail=1
fi

run "$page?q=HYPERLINK" --dump-dom >"$work/dom-filter.html"
check_console "?q=HYPERLINK"
shown=$(grep -c '<tbody class="practice[^"]*">' "$work/dom-filter.html" || true)
hidden=$(grep -c '<tbody class="practice[^"]*" hidden="">' "$work/dom-filter.html" || true)
if [ "$shown" -lt 1 ] || [ "$hidden" -lt 100 ] || ! grep -q 'practice(s) match' "$work/dom-filter.html"; then
  echo "html-check: FAIL: the filter did not apply ($shown shown, $hidden hidden)" >&2
  fail=1
fi

run "$page" --print-to-pdf="$work/print.pdf" --no-pdf-header-footer >/dev/null
check_console "print"
if [ ! -s "$work/print.pdf" ]; then
  echo "html-check: FAIL: printing to PDF produced nothing" >&2
  fail=1
fi

if [ "${1:-}" != "--no-screenshot" ]; then
  run "$page" --screenshot="$root/docs/matrix.png" --window-size=1400,1000 >/dev/null
  check_console "screenshot"
  # The drill-down, filtered to the hostile names, shown as text.
  run "$page?q=alert" --screenshot="$root/docs/matrix-drilldown.png" --window-size=1400,2000 >/dev/null
  check_console "screenshot"
  echo "html-check: wrote docs/matrix.png and docs/matrix-drilldown.png"
fi
if [ "$fail" -ne 0 ]; then
  exit 1
fi
size=$(wc -c <"$work/print.pdf")
echo "html-check: ok: no console output; 1 script, 0 img in the DOM; anchor and filter work; printed to PDF ($size bytes)"
if [ -n "${KEEP_PDF:-}" ]; then cp "$work/print.pdf" "$KEEP_PDF"; fi
