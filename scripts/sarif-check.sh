#!/usr/bin/env bash
# Validates `practrace check --format sarif` with Microsoft's SARIF validator (the npm
# package @microsoft/sarif-multitool, `validate --rule-kind "Gh;Sarif"`): the SARIF rules
# and GitHub code scanning's ingestion rules (GHxxxx: every rule with a full description
# and help, every result with a location). Fails on any error or warning; notes are
# listed and allowed.
#
# The SARIF comes from the gate fixture (every branch, checked against `base` and alone),
# the basic fixture (plain, --deny warnings, and under a baseline that accepts its
# findings) and a shallow clone of the gate fixture (a shallow-history note).
#
# The validator is installed with npm into target/tmp/sarif-multitool-VERSION/ (once; the
# test in tests/sarif.rs uses the same folder). The package ships a self-contained .NET
# program per platform (no dotnet needed); it is run directly, not through the package's
# bin.js, which passes its arguments through a shell that would split `Gh;Sarif` at `;`.
#
# Needs node and npm, and the npm registry for the first run. Not run by CI (.ci/run has
# no npm; `cargo test` runs tests/sarif.rs, which skips without npm): run it by hand after
# changing the SARIF output (src/check/output.rs, src/diag/rules.rs).
#   scripts/sarif-check.sh            # KEEP=DIR keeps the SARIF files and the validator's log
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=5.7.0
command -v npm >/dev/null && command -v node >/dev/null || {
  echo "sarif-check: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 2
}
tool=$root/target/tmp/sarif-multitool-$version
case "$(node -p process.platform)" in
  linux) exe=$tool/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool ;;
  darwin) exe=$tool/node_modules/@microsoft/sarif-multitool-darwin/Sarif.Multitool ;;
  *) echo "sarif-check: no validator build for this platform" >&2; exit 2 ;;
esac
if [ ! -x "$exe" ]; then
  mkdir -p "$tool"
  echo "sarif-check: npm install @microsoft/sarif-multitool@$version (into $tool)" >&2
  # --ignore-scripts: the platform package's only script is a chmod, done below.
  npm install --prefix "$tool" --no-audit --no-fund --ignore-scripts --silent \
    "@microsoft/sarif-multitool@$version" >/dev/null
  chmod u+x "$exe"
fi
# The validator needs no ICU for this; without the setting .NET aborts where libicu is missing.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
"$exe" --version | head -1

work=${KEEP:-$(mktemp -d)}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sarif"
cargo build --quiet --locked
bin=$root/target/debug/practrace
export XDG_CACHE_HOME=$work/cache GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
for fixture in gate basic; do
  mkdir "$work/$fixture"
  (cd "$work/$fixture" && HOME=$work/$fixture bash "$root/fixtures/repos/$fixture.sh" "$work/$fixture" >/dev/null)
done
sarif() { # sarif NAME ARGS...: writes $work/sarif/NAME.sarif; exit 0 or 1 (findings) only
  local name=$1
  shift
  "$bin" check "$@" --format sarif >"$work/sarif/$name.sarif" || [ $? -eq 1 ]
}
for branch in $(git -C "$work/gate" for-each-ref --format='%(refname:short)' refs/heads); do
  [ "$branch" = bad-key ] && continue # a bad configuration: exit 2, no SARIF
  sarif "gate-$branch-vs-base" --repo "$work/gate" --base base --rev "$branch"
  sarif "gate-$branch" --repo "$work/gate" --rev "$branch"
done
sarif basic --repo "$work/basic"
sarif basic-deny-warnings --repo "$work/basic" --deny warnings
"$bin" baseline write --repo "$work/basic" -o "$work/baseline.json"
sarif basic-baselined --repo "$work/basic" --baseline "$work/baseline.json"
git clone -q --depth 1 --branch good "file://$work/gate" "$work/shallow"
sarif gate-shallow --repo "$work/shallow"

files=("$work"/sarif/*.sarif)
"$exe" validate --rule-kind "Gh;Sarif" --level "Error;Warning;Note" "${files[@]}" >"$work/validate.log" || {
  cat "$work/validate.log" >&2
  echo "sarif-check: the validator did not run to the end" >&2
  exit 1
}
grep -q "^Done\. ${#files[@]} files scanned\.$" "$work/validate.log" || {
  cat "$work/validate.log" >&2
  echo "sarif-check: expected ${#files[@]} files scanned" >&2
  exit 1
}
# Lines are `FILE(LINE,COL): LEVEL RULE: message`.
count() { grep -cE "\): $1 [A-Z]+[0-9]+: " "$work/validate.log" || true; }
errors=$(count error) warnings=$(count warning) notes=$(count note)
grep -E '\): (error|warning) ' "$work/validate.log" | sed "s|$work/sarif/||" >&2 || true
echo "notes by rule (allowed):"
grep -oE '\): note [A-Z]+[0-9]+' "$work/validate.log" | sed 's/.*note //' | sort | uniq -c || true
echo "sarif-check: ${#files[@]} SARIF files: $errors error(s), $warnings warning(s), $notes note(s)"
[ "$errors" -eq 0 ] && [ "$warnings" -eq 0 ]
