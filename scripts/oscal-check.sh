#!/usr/bin/env bash
# Loads practrace's OSCAL documents with compliance-trestle's Python model (pydantic
# classes generated from NIST's schemas, with their own checks): for the basic, gate (a
# whole area and one practice not applicable) and hostile-names fixtures, writes
# `matrix --format oscal -o sar.json` (and the plan beside it, sar.plan.json) and reads
# them with trestle.oscal.assessment_results.AssessmentResults.oscal_read and
# trestle.oscal.assessment_plan.AssessmentPlan.oscal_read. Fails when one does not load,
# or when a copy broken on purpose (a practice id that is no OSCAL token) does.
#
# trestle is installed with pip into a venv under target/oscal-check/ (made once per
# trestle version spec). TRESTLE sets the spec; the default, compliance-trestle>=3,<4, is
# the line that targets OSCAL 1.1.x (1.1.3; its oscal-version check accepts 1.1.0-1.1.3).
# trestle 4 and later target OSCAL 1.2.1; 5.2.0 declares ^1\.2\.[0-1]$ but does not enforce
# it (strict_version = False in its validator) and loads these 1.1.2 documents too:
# TRESTLE=compliance-trestle runs the check with the newest.
#
# Needs python3 with venv and the network for pip. Not run by CI (.ci/run): run it by hand
# after changing src/matrix/oscal/.
#   scripts/oscal-check.sh
#   TRESTLE='compliance-trestle' scripts/oscal-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
spec=${TRESTLE:-compliance-trestle>=3,<4}
venv=$root/target/oscal-check/venv-$(printf '%s' "$spec" | tr -c 'A-Za-z0-9.' '_')
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$spec"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet
bin=$root/target/debug/practrace
for fixture in basic gate hostile-names; do
  mkdir "$work/$fixture"
  bash "$root/fixtures/repos/$fixture.sh" "$work/$fixture" >/dev/null
done
write() { # write NAME REPO ARGS...: NAME.json and NAME.plan.json in $work/out
  local name=$1 repo=$2
  shift 2
  mkdir -p "$work/out"
  # Exit 1 is a repository with error diagnostics (the fixtures have some): still written.
  "$bin" matrix --repo "$work/$repo" "$@" --format oscal -o "$work/out/$name.json" || [ $? -eq 1 ]
}
write basic basic
write gate-area-na gate --rev area-not-applicable
write gate-practice-na gate --rev not-applicable
write hostile-names hostile-names

"$venv/bin/python" - "$work/out" <<'PY'
import pathlib
import sys
from importlib.metadata import version

import trestle.oscal
from trestle.oscal.assessment_plan import AssessmentPlan
from trestle.oscal.assessment_results import AssessmentResults

print(f"compliance-trestle {version('compliance-trestle')}, "
      f"OSCAL {trestle.oscal.OSCAL_VERSION} (accepts {trestle.oscal.OSCAL_VERSION_REGEX})")
failed = 0
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    plan = path.name.endswith(".plan.json")
    model = AssessmentPlan if plan else AssessmentResults
    try:
        doc = model.oscal_read(path)
        if doc is None:
            raise ValueError("oscal_read found nothing")
        if plan:
            what = f"{len(doc.reviewed_controls.control_selections[0].include_controls or [])} controls"
        else:
            result = doc.results[0]
            what = (f"{len(result.observations or [])} observations, "
                    f"{len(result.findings or [])} findings")
        # Pydantic root models, maybe nested: __root__ in trestle 3 (pydantic 1), root later.
        oscal_version = doc.metadata.oscal_version
        while not isinstance(oscal_version, str):
            oscal_version = getattr(oscal_version, "root", None) or oscal_version.__root__
        print(f"ok    {path.name}: {model.__name__}, oscal-version {oscal_version}, {what}")
    except Exception as e:  # noqa: BLE001 - report any refusal, whatever its type
        failed += 1
        print(f"FAIL  {path.name}: {model.__name__}: {e}")

# The check has teeth: a copy with a practice id as it is (not a token) must be refused.
broken = pathlib.Path(sys.argv[1]) / "broken" / "raw-id.json"
broken.parent.mkdir()
text = (pathlib.Path(sys.argv[1]) / "gate-area-na.json").read_text()
broken.write_text(text.replace('"target-id": "bp.01.01"', '"target-id": "BP.01.01@PA01"', 1))
try:
    AssessmentResults.oscal_read(broken)
    failed += 1
    print("FAIL  a finding target BP.01.01@PA01 was accepted")
except Exception as e:  # noqa: BLE001
    reason = " ".join(str(e).split())[:160]
    print(f"ok    a finding target BP.01.01@PA01 is refused: {reason}")
sys.exit(1 if failed else 0)
PY
