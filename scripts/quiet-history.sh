#!/usr/bin/env bash
# Checks that practrace stays quiet on a repository that does not use it: its history's
# commit messages (and files) give no `trailer-outside-block` and no `misspelt-key`
# warning. Issue 10: on git/git's history (82,000 commits) prose that wraps at
# "practice:" gave false `trailer-outside-block` warnings.
#
# Usage: scripts/quiet-history.sh REPO [REV] [PRACTRACE]
#   REPO       a git repository (bare or not), e.g. a clone or mirror of git/git
#   REV        the revision to scan (default HEAD): its tree and every commit reachable
#   PRACTRACE  the binary (default target/release/practrace beside this script)
# Prints the count of each diagnostic code, and the noisy ones with their places.
# Exit 0: none of the two codes; 1: some; 2: could not run.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
repo=$1
rev=${2:-HEAD}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${3:-$here/target/release/practrace}
[ -x "$bin" ] || { echo "no practrace binary at $bin (cargo build --release)" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
set +e
"$bin" status --repo "$repo" --rev "$rev" --format json --no-cache >"$out"
code=$?
set -e
[ "$code" -le 1 ] || { echo "practrace exited $code" >&2; exit 2; }
python3 - "$out" <<'PY'
import collections, json, sys
report = json.load(open(sys.argv[1]))
diags = report["diagnostics"]
print("commits read:", report["source"]["commits_scanned"])
for (sev, code), n in sorted(collections.Counter((d["severity"], d["code"]) for d in diags).items()):
    print(f"{n:8} {sev}[{code}]")
noisy = [d for d in diags if d["code"] in ("trailer-outside-block", "misspelt-key")]
for d in noisy[:50]:
    place = d["path"] or (d["commit"] or "")[:12]
    print(f"  {place}:{d['line']}: {d['code']}: {d['message']}")
print(f"trailer-outside-block + misspelt-key: {len(noisy)}")
sys.exit(1 if noisy else 0)
PY
