#!/usr/bin/env bash
# Checks the history page's HTML in a real browser (headless Chromium) and takes the
# README's screenshot. Builds the history fixture (fixtures/repos/history.sh), tags one of
# its commits with a name holding markup (v<b>1), renders
#   practrace history --every week --since 2024-01-01 --format html   (the screenshot)
#   practrace history --revs 'v<b>1,HEAD' --format html                (the hostile label)
# and fails when:
#   - the browser logs anything to the console (a script error, a CSP violation, a
#     blocked fetch: the page must be self-contained and quiet);
#   - the DOM the browser built holds any script, img, link, iframe or object element, or
#     a <b> element (a revision name must stay text);
#   - the charts are not there: an <svg> for the levels and one per evidence chart, with
#     a cell per point and area;
#   - printing to PDF gives nothing.
# Then it writes docs/img/history.png (1400x1130: the levels and the evidence charts).
# Needs chromium (Debian: apt-get install chromium). Not run by CI: run it by hand after
# changing templates/history.html or src/history/html.rs.
#   scripts/history-check.sh [--no-screenshot]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
check=history-check
# shellcheck source=scripts/chromium.sh
source scripts/chromium.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet
bin=$root/target/debug/practrace
mkdir "$work/history"
bash fixtures/repos/history.sh "$work/history"
git -C "$work/history" -c user.name=x -c user.email=x@example.com tag 'v<b>1' HEAD~4
# From the temp folder, so the page (and the screenshot) name the repository the same way.
(cd "$work" && "$bin" history --repo history --every week --since 2024-01-01 -o weekly.html)
(cd "$work" && "$bin" history --repo history --revs 'v<b>1,HEAD' -o revs.html)
fail=0
count() { # count PATTERN FILE
  grep -o "$1" "$2" | wc -l
}
for page in weekly revs; do
  run "file://$work/$page.html" --dump-dom >"$work/$page.dom.html"
  check_console "$page"
  for element in '<script' '<img' '<link' '<iframe' '<object' '<b>'; do
    if [ "$(count "$element" "$work/$page.dom.html")" -ne 0 ]; then
      echo "history-check: FAIL ($page): the DOM has a $element element" >&2
      fail=1
    fi
  done
done
if ! grep -q 'v&lt;b&gt;1' "$work/revs.dom.html"; then
  echo "history-check: FAIL: the revision v<b>1 is not shown as text" >&2
  fail=1
fi
svgs=$(count '<svg' "$work/weekly.dom.html")
# 21 weeks (2024-W02 to 2024-W22) of 22 areas.
cells=$(count '<rect class="l[0-5]\|<rect class="na"' "$work/weekly.dom.html")
if [ "$svgs" -ne 4 ] || [ "$cells" -ne $((21 * 22)) ]; then
  echo "history-check: FAIL: $svgs svg elements (want 4) and $cells cells (want $((21 * 22)))" >&2
  fail=1
fi
run "file://$work/weekly.html" --print-to-pdf="$work/print.pdf" --no-pdf-header-footer >/dev/null
check_console "print"
if [ ! -s "$work/print.pdf" ]; then
  echo "history-check: FAIL: printing to PDF produced nothing" >&2
  fail=1
fi
if [ "${1:-}" != "--no-screenshot" ]; then
  run "file://$work/weekly.html" --screenshot="$root/docs/img/history.png" --window-size=1400,1130 >/dev/null
  check_console "screenshot"
  echo "history-check: wrote docs/img/history.png"
fi
if [ "$fail" -ne 0 ]; then
  exit 1
fi
echo "history-check: ok: no console output; no script, img, link or markup from a revision in the DOM; $svgs charts, $cells cells; printed to PDF"
