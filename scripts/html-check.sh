#!/usr/bin/env bash
# Checks the evidence matrix's HTML in a real browser (headless Chromium) and takes the
# README's screenshot. Builds the hostile-names fixture (paths and commit subjects with
# <script>alert(1)</script> and =HYPERLINK(...)), renders `practrace matrix --format html`,
# and fails when:
#   - the browser logs anything to the console (a script error, a CSP violation, a
#     blocked fetch: the page must be self-contained and quiet);
#   - the DOM the browser built holds any script element but the page's own two (the
#     packed data, base64url only, and the script), or any <img> (repository text must
#     stay text), in any view: plain, #PA05, ?q=HYPERLINK, ?q=alert;
#   - the hostile commit subject, rendered by the script from the packed data, is not in
#     the DOM as text (escaped when dumped);
#   - the page's script did not run or say it is ready (<body data-ready="true">): `#PA05`
#     must open that area with its practices, `?q=HYPERLINK` must filter the practices
#     down to the matching ones and hide the areas without any;
#   - printing does not render every area: the PDF must have more pages than the same
#     page printed without its script.
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
check=html-check
# shellcheck source=scripts/chromium.sh
source scripts/chromium.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet
bin=$root/target/debug/practrace
mkdir "$work/hostile-names"
bash fixtures/repos/hostile-names.sh "$work/hostile-names"
# From the temp folder, so the page (and the screenshot) name the repository the same way.
(cd "$work" && "$bin" matrix --repo hostile-names --format html -o matrix.html)
# The browser's own profile and crash folders stay in the temp folder.
fail=0
page="file://$work/matrix.html"

check_dom() { # check_dom WHAT FILE : only the page's own script elements, no img, ready
  local what=$1 dom=$2 scripts own imgs
  scripts=$(grep -o '<script[^>]*>' "$dom" | wc -l)
  own=$(grep -o '<script type="application/octet-stream" id="matrix-data">[A-Za-z0-9_-]*</script>' "$dom" | wc -l || true)
  own=$((own + $(grep -c "^// The evidence matrix's script" "$dom" || true)))
  imgs=$(grep -o '<img' "$dom" | wc -l || true)
  if [ "$scripts" -ne 2 ] || [ "$own" -ne 2 ] || [ "$imgs" -ne 0 ]; then
    echo "html-check: FAIL ($what): the DOM has $scripts script elements ($own the page's own; want 2 and 2) and $imgs img (want 0)" >&2
    fail=1
  fi
  if ! grep -q '<body data-ready="true">' "$dom"; then
    echo "html-check: FAIL ($what): the page's script did not say it is ready" >&2
    fail=1
  fi
}

run "$page" --dump-dom >"$work/dom.html"
check_console "load"
check_dom "load" "$work/dom.html"

run "$page#PA05" --dump-dom >"$work/dom-anchor.html"
check_console "#PA05"
check_dom "#PA05" "$work/dom-anchor.html"
pa05=$(perl -0ne 'print $1 if m{(<details class="area" id="PA05" open="">.*?</details>)}s' "$work/dom-anchor.html")
if [ "$(grep -o '<tbody class="practice' <<<"$pa05" | wc -l)" -lt 5 ]; then
  echo "html-check: FAIL: #PA05 did not open its area with its practices (did the script run?)" >&2
  fail=1
fi

run "$page?q=HYPERLINK" --dump-dom >"$work/dom-filter.html"
check_console "?q=HYPERLINK"
check_dom "?q=HYPERLINK" "$work/dom-filter.html"
shown=$(grep -o '<tbody class="practice[^"]*">' "$work/dom-filter.html" | wc -l || true)
hidden=$(grep -o '<tbody class="practice[^"]*" hidden="">' "$work/dom-filter.html" | wc -l || true)
areas_hidden=$(grep -o '<details class="area" id="PA[0-9]*" hidden="">' "$work/dom-filter.html" | wc -l || true)
if [ "$shown" -lt 1 ] || [ "$hidden" -lt 10 ] || [ "$areas_hidden" -lt 10 ] ||
  ! grep -q "$shown practice(s) match" "$work/dom-filter.html"; then
  echo "html-check: FAIL: the filter did not apply ($shown shown, $hidden hidden, $areas_hidden areas hidden)" >&2
  fail=1
fi

run "$page?q=alert" --dump-dom >"$work/dom-alert.html"
check_console "?q=alert"
check_dom "?q=alert" "$work/dom-alert.html"
for text in '&lt;script&gt;alert(1)&lt;/script&gt; add the assessment' \
  'docs/&lt;img src=x onerror=alert(1)&gt;.md' 'Note: &lt;script&gt;alert(1)&lt;/script&gt;'; do
  if ! grep -qF "$text" "$work/dom-alert.html"; then
    echo "html-check: FAIL: the hostile text $text is not shown as text" >&2
    fail=1
  fi
done

run "$page" --print-to-pdf="$work/print.pdf" --no-pdf-header-footer >/dev/null
check_console "print"
# The same page without its script: closed, empty areas.
perl -0pe "s{<script>\n// The evidence matrix's script.*?</script>}{}s" "$work/matrix.html" >"$work/inert.html"
run "file://$work/inert.html" --print-to-pdf="$work/inert.pdf" --no-pdf-header-footer >/dev/null
pages() { grep -ac '/Type /Page\b' "$1" || true; }
if [ ! -s "$work/print.pdf" ] || [ "$(pages "$work/print.pdf")" -le "$(($(pages "$work/inert.pdf") + 10))" ]; then
  echo "html-check: FAIL: printing did not render the areas ($(pages "$work/print.pdf") pages, $(pages "$work/inert.pdf") without the script)" >&2
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
echo "html-check: ok: no console output; only the page's 2 script elements, 0 img in the DOM; hostile text shown as text; anchor and filter work; printed every area to PDF ($(pages "$work/print.pdf") pages, $size bytes)"
if [ -n "${KEEP_PDF:-}" ]; then cp "$work/print.pdf" "$KEEP_PDF"; fi
