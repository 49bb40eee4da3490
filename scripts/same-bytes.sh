#!/usr/bin/env bash
# Compares two practrace binaries byte for byte (stdout, stderr, exit code, files written)
# over a matrix of commands on the fixture repositories and a synthetic W1-sized one: the
# check that a behaviour-preserving refactor prints the same bytes as before.
# Run `scripts/same-bytes.sh --help` for usage.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/same-bytes.sh [OPTIONS] OLD_BIN NEW_BIN [WORKDIR]

Runs OLD_BIN and NEW_BIN over the same commands on the same repositories and compares
stdout, stderr, the exit code and every file a command writes (-o), byte for byte.
Prints one line per case (`same` or `DIFF`), the first lines of a diff for each
difference, and a summary. Exit 0: every case the same; 1: some case differs;
2: could not run.

Repositories (built in WORKDIR/repos):
  - one per fixture script fixtures/repos/*.sh, rebuilt on every run as the tests build
    them (the script run in a new folder under a pinned, empty git configuration);
  - a synthetic one from ../shared/bench/gen-repo.py (paths relative to the practrace
    repository root that holds this script) with --bad-rate 0.02 and, by default, W1's
    size (--files 5000 --commits 20000, as in benches/run.sh). It is generated once into
    WORKDIR/repos/synth-f<N>-c<M>-bad0.02 and reused by later runs with the same WORKDIR.

Per repository, the working tree and `--rev HEAD` each: status, gaps (also --level,
--pa), trace (practices, files and commits with evidence, found in a JSON report), check
(every format, --deny warnings, --baseline, --base HEAD~1 with and without --full-scan),
baseline write (stdout and -o), matrix in every format (stdout and -o), with a shared
cache, with --no-cache, and a cold then warm cache; then verify of status and matrix JSON
reports (also a tampered one), the cache paths (report derived from a remembered one,
check's fast path), `check --base HEAD --rev B` for every other
branch, and error cases. Once: --help of every command, --version, schema
report|model|config, usage errors.

Arguments:
  OLD_BIN   the reference binary ("before")
  NEW_BIN   the binary to check ("after"); may be the same file as OLD_BIN, which then
            checks that the outputs are deterministic
  WORKDIR   where repositories, caches and outputs go (created if missing; default: a new
            folder from mktemp, deleted at the end when every case is the same). Results of
            the last run stay in WORKDIR/results/<repo>/{old,new}/<case>.{out,err,rc,...}

Options:
  --small             a small synthetic repository (--files 300 --commits 1000) instead
                      of W1, for quick runs (same as SAME_BYTES_SYNTH=small)
  --no-synthetic      fixtures only (same as SAME_BYTES_SYNTH=none)
  --fixtures DIR      fixture scripts folder (default: fixtures/repos of this repository)
  --generator FILE    gen-repo.py to use (default: ../shared/bench/gen-repo.py)
  --context N         lines of diff shown per difference (default 12)
  -h, --help          this text

Environment:
  SAME_BYTES_SYNTH    w1 (default), small or none: size of the synthetic repository

Each binary runs with `env -i`: PATH, HOME (an empty folder in WORKDIR), TZ=UTC,
LC_ALL=C.UTF-8, NO_COLOR=1, an empty git configuration, and XDG_CACHE_HOME in WORKDIR
(never in the repository), stdin from /dev/null, in an empty folder. The two binaries get
the same cache path but never share content: the cache folder is emptied before each
binary's turn on each repository, and both run the same cases in the same order, so each
case finds the cache in the same state for both.
EOF
}

die() { echo "same-bytes.sh: error: $*" >&2; exit 2; }
log() { echo "== [${SECONDS}s] $*" >&2; }

SYNTH=${SAME_BYTES_SYNTH:-w1}
FIXTURES=""
GEN=""
CONTEXT=12
POS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --small) SYNTH=small; shift ;;
    --no-synthetic) SYNTH=none; shift ;;
    --fixtures) [[ $# -ge 2 ]] || die "--fixtures needs a value"; FIXTURES=$2; shift 2 ;;
    --generator) [[ $# -ge 2 ]] || die "--generator needs a value"; GEN=$2; shift 2 ;;
    --context) [[ $# -ge 2 ]] || die "--context needs a value"; CONTEXT=$2; shift 2 ;;
    --fixtures=*) FIXTURES=${1#*=}; shift ;;
    --generator=*) GEN=${1#*=}; shift ;;
    --context=*) CONTEXT=${1#*=}; shift ;;
    --) shift; POS+=("$@"); break ;;
    -*) usage >&2; die "unknown option: $1" ;;
    *) POS+=("$1"); shift ;;
  esac
done
[[ ${#POS[@]} -ge 2 && ${#POS[@]} -le 3 ]] || { usage >&2; die "expected OLD_BIN NEW_BIN [WORKDIR]"; }
[[ $CONTEXT =~ ^[0-9]+$ ]] || die "--context must be a number, got '$CONTEXT'"
case "$SYNTH" in
  w1) SYNTH_FILES=5000; SYNTH_COMMITS=20000 ;;
  small) SYNTH_FILES=300; SYNTH_COMMITS=1000 ;;
  none) ;;
  *) die "SAME_BYTES_SYNTH must be w1, small or none, got '$SYNTH'" ;;
esac

abs() { # a path whose folder exists, made absolute (symlinks kept)
  local d; d=$(cd "$(dirname "$1")" && pwd) || return 1
  echo "${d%/}/$(basename "$1")"
}
OLD_BIN=$(abs "${POS[0]}") || die "OLD_BIN: no such folder: ${POS[0]}"
NEW_BIN=$(abs "${POS[1]}") || die "NEW_BIN: no such folder: ${POS[1]}"
for b in "$OLD_BIN" "$NEW_BIN"; do
  [[ -f $b && -x $b ]] || die "not an executable file: $b"
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ -n $FIXTURES ]] || FIXTURES=$ROOT/fixtures/repos
[[ -n $GEN ]] || GEN=$ROOT/../shared/bench/gen-repo.py
[[ -d $FIXTURES ]] || die "fixture scripts folder not found: $FIXTURES"
FIXTURES=$(cd "$FIXTURES" && pwd)
if [[ $SYNTH != none ]]; then
  [[ -f $GEN ]] || die "generator not found: $GEN (use --generator FILE, or --no-synthetic)"
  GEN=$(abs "$GEN")
fi
for tool in git python3 diff cmp; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

TEMP_WORKDIR=0
if [[ ${#POS[@]} -eq 3 ]]; then
  mkdir -p "${POS[2]}"
  WORKDIR=$(cd "${POS[2]}" && pwd)
else
  WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/same-bytes.XXXXXX")
  TEMP_WORKDIR=1
fi
log "old: $OLD_BIN"
log "new: $NEW_BIN"
log "workdir: $WORKDIR"

REPOS_DIR=$WORKDIR/repos
RESULTS=$WORKDIR/results
CACHE_ROOT=$WORKDIR/cache     # XDG_CACHE_HOME of the binaries (one sub-folder per scenario)
RUN_HOME=$WORKDIR/home        # HOME of the binaries: empty
RUN_CWD=$WORKDIR/cwd          # their current folder: empty, not a repository
SCRATCH=$WORKDIR/scratch      # where -o files are written, then moved to the results
rm -rf "$RESULTS" "$CACHE_ROOT" "$RUN_HOME" "$RUN_CWD" "$SCRATCH"
mkdir -p "$REPOS_DIR" "$RESULTS" "$CACHE_ROOT" "$RUN_HOME" "$RUN_CWD" "$SCRATCH"

# The pinned environment of every practrace run. Both binaries get exactly the same one, so
# no output needs normalising: the repository, cache, -o and report paths are the same for
# both (the cache path too, see --help), and nothing else of the machine enters.
BASE_ENV=(
  "PATH=$PATH" "HOME=$RUN_HOME" TZ=UTC LC_ALL=C.UTF-8 NO_COLOR=1
  GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null "GIT_CEILING_DIRECTORIES=$WORKDIR"
)

# ------------------------------------------------------------------ repositories
pinned_git_env=(
  GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
  "GIT_AUTHOR_NAME=A U Thor" GIT_AUTHOR_EMAIL=author@example.com
  "GIT_COMMITTER_NAME=C O Mitter" GIT_COMMITTER_EMAIL=committer@example.com
  GIT_AUTHOR_DATE=2024-01-02T03:04:05Z GIT_COMMITTER_DATE=2024-01-02T03:04:05Z
)
REPO_NAMES=()
build_fixture() { # script -> WORKDIR/repos/<name>, as tests/common/mod.rs fixture_repo does
  local script=$1 name dir
  name=$(basename "$script" .sh)
  dir=$REPOS_DIR/$name
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$dir" && env "${pinned_git_env[@]}" "HOME=$dir" bash "$script" "$dir" </dev/null >/dev/null) \
    || die "fixture script failed: $script"
  REPO_NAMES+=("$name")
}
shopt -s nullglob
fixture_scripts=("$FIXTURES"/*.sh)
shopt -u nullglob
[[ ${#fixture_scripts[@]} -gt 0 ]] || die "no fixture scripts in $FIXTURES"
for s in "${fixture_scripts[@]}"; do
  log "building fixture $(basename "$s" .sh)"
  build_fixture "$s"
done

if [[ $SYNTH != none ]]; then
  name=synth-f$SYNTH_FILES-c$SYNTH_COMMITS-bad0.02
  dir=$REPOS_DIR/$name
  if [[ -d $dir ]] && git -C "$dir" rev-parse -q --verify HEAD >/dev/null 2>&1; then
    log "reusing $dir"
  else
    log "generating $dir (files=$SYNTH_FILES commits=$SYNTH_COMMITS bad-rate=0.02)"
    partial=$REPOS_DIR/$name.partial.$$
    rm -rf "$dir" "$partial" "$partial.truth.json"
    env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
      python3 "$GEN" --out "$partial" --files "$SYNTH_FILES" --commits "$SYNTH_COMMITS" \
      --bad-rate 0.02 >&2 || { rm -rf "$partial" "$partial.truth.json"; die "gen-repo.py failed"; }
    rm -f "$partial.truth.json"
    mv "$partial" "$dir"   # only when complete: an interrupted generation is never reused
  fi
  if [[ -n $(git -C "$dir" status --porcelain --untracked-files=all) ]]; then
    log "warning: $dir has local changes (same for both binaries; delete it to regenerate)"
  fi
  REPO_NAMES+=("$name")
fi

# ------------------------------------------------------------------ running one case
BIN=""      # the binary of the current turn
OUT=""      # its results folder
XDG=""      # XDG_CACHE_HOME of the next case
EXTRA_ENV=()
declare -A SEEN=()

use_cache() { XDG=$CACHE_ROOT/$1; mkdir -p "$XDG"; }
fresh_cache() { rm -rf "${CACHE_ROOT:?}/$1"; use_cache "$1"; }

# run NAME ARGS...: runs "$BIN" ARGS and keeps stdout, stderr and the exit code.
# run_o NAME FILE ARGS...: the same, for a command that writes FILE (a path in $SCRATCH
# given in ARGS): keeps the file and its mode too (and notes when it was not written).
run() { run_o "$1" "" "${@:2}"; }
run_o() {
  local name=$1 file=$2 rc=0 t0 left
  shift 2
  [[ -z ${SEEN[$name]:-} ]] || die "duplicate case name: $name"
  SEEN[$name]=1
  local base=$OUT/$name
  {
    printf 'env'
    printf ' %q' "${EXTRA_ENV[@]}" "XDG_CACHE_HOME=$XDG" practrace "$@"
    echo
  } >"$base.cmd"
  t0=${EPOCHREALTIME/[.,]/}
  (cd "$RUN_CWD" && exec env -i "${BASE_ENV[@]}" "XDG_CACHE_HOME=$XDG" "${EXTRA_ENV[@]}" \
    "$BIN" "$@" </dev/null >"$base.out" 2>"$base.err") || rc=$?
  printf '%s\t%s\n' "$name" "$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))" >>"$OUT/times-ms"
  echo "$rc" >"$base.rc"
  if [[ -n $file ]]; then
    if [[ -e $file ]]; then
      stat -c '%a %F' "$file" >"$base.mode"
      mv "$file" "$base.file"
    else
      echo "not written" >"$base.mode"
    fi
  fi
  # Anything else left in the scratch folder (say, the temporary file of an atomic write)
  # or in the current folder is part of the result too.
  shopt -s nullglob dotglob
  left=("$SCRATCH"/* "$RUN_CWD"/*)
  shopt -u nullglob dotglob
  if [[ ${#left[@]} -gt 0 ]]; then
    printf '%s\n' "${left[@]}" >"$base.left"
    rm -rf "${left[@]}"
  fi
  echo "$name" >>"$OUT/cases"
}

# ------------------------------------------------------------------ inputs (from OLD_BIN)
# Trace targets, verify's reports and the baseline come from the old binary, made once per
# repository before either binary's turn, and both binaries are given the same files.
derive_inputs() { # IN scope: from IN/report-<scope>.json, the trace targets and a tampered copy
  python3 - "$@" <<'PY'
import json, os, sys
folder, scope = sys.argv[1], sys.argv[2]
r = json.load(open(os.path.join(folder, "report-%s.json" % scope)))
def uniq(xs):
    seen, out = set(), []
    for x in xs:
        if x is not None and x not in seen:
            seen.add(x); out.append(x)
    return out
def put(name, lines):
    with open(os.path.join(folder, "%s-%s" % (name, scope)), "w") as f:
        f.writelines(x + "\n" for x in lines)
ps = r["practices"]
ev = [(p["id"], e) for p in ps for e in p["evidence"]]
# practices with evidence: first those with both a file and a commit, then the others
both = [p["id"] for p in ps if {e["kind"] for e in p["evidence"]} >= {"file", "commit"}]
put("practices", uniq(both + [i for i, _ in ev]))
put("bare-practice", [p["id"] for p in ps if p["in_scope"] and not p["evidence"]][:1])
put("files", uniq(e["path"] for _, e in ev if e["kind"] == "file"))
put("commits", uniq(e["commit"] for _, e in ev if e["kind"] == "commit"))
# the first process area below its target, else the first one
pas = r["process_areas"]
put("gap-area", [next((a["id"] for a in pas if a["achieved_level"] < a["target_level"]), pas[0]["id"])])
# a copy of the report with the first file's blob and the first commit changed: verify
# must then report both
done = set()
for p in ps:
    for e in p["evidence"]:
        if e["kind"] not in done:
            if e["kind"] == "file":
                e["blob"] = "0" * 40
            else:
                e["commit"] = "1" * 40
            done.add(e["kind"])
with open(os.path.join(folder, "tampered-%s.json" % scope), "w") as f:
    json.dump(r, f, indent=2)
    f.write("\n")
PY
}

prepare_inputs() { # repo name -> $IN/...
  local repo=$1 scope rc
  local old_env=(env -i "${BASE_ENV[@]}" "XDG_CACHE_HOME=$IN/cache")
  for scope in wt rev; do
    local S=(--repo "$repo")
    [[ $scope = rev ]] && S+=(--rev HEAD)
    rc=0; (cd "$RUN_CWD" && "${old_env[@]}" "$OLD_BIN" status "${S[@]}" --format json --no-cache \
      >"$IN/report-$scope.json" 2>/dev/null) || rc=$?
    [[ $rc -le 1 ]] || die "old binary: status --format json failed on $repo ($scope, exit $rc)"
    derive_inputs "$IN" "$scope" || die "could not read the old binary's JSON report of $repo ($scope)"
    (cd "$RUN_CWD" && "${old_env[@]}" "$OLD_BIN" matrix "${S[@]}" --format json --no-cache \
      -o "$IN/matrix-$scope.json" >/dev/null 2>&1) || true
    [[ -f $IN/matrix-$scope.json ]] || die "old binary: matrix --format json failed on $repo ($scope)"
    (cd "$RUN_CWD" && "${old_env[@]}" "$OLD_BIN" baseline write "${S[@]}" --no-cache \
      -o "$IN/baseline-$scope.json" >/dev/null 2>&1) || true
    [[ -f $IN/baseline-$scope.json ]] || die "old binary: baseline write failed on $repo ($scope)"
  done
  echo '{"hello": "not a report"}' >"$IN/not-a-report.json"
  printf 'not json at all\n' >"$IN/not-json.json"
  git -C "$repo" for-each-ref --format='%(refname:short)' refs/heads \
    | grep -vxF "$(git -C "$repo" symbolic-ref -q --short HEAD || echo)" >"$IN/branches" || true
  if git -C "$repo" rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
    echo 'HEAD~1' >"$IN/base"
  else
    : >"$IN/base"
  fi
  rm -rf "$IN/cache"
}

# ------------------------------------------------------------------ the cases
# Case names are the same for both binaries; the lists they iterate over come from $IN.
# MAX_TARGETS caps trace targets of each kind (all formats for the first, json for others);
# FULL_TRACE=0 (the synthetic repository) keeps only the cheap ones, see below.
repo_cases() { # repo
  local repo=$1 scope f i t base
  base=$(cat "$IN/base")
  for scope in wt rev; do
    local p=$scope S=(--repo "$repo")
    [[ $scope = rev ]] && S+=(--rev HEAD)

    use_cache shared
    for f in table json markdown; do run "$p.status.$f" status "${S[@]}" --format "$f"; done
    for f in table json; do run "$p.status.$f.no-cache" status "${S[@]}" --format "$f" --no-cache; done

    for f in table json markdown; do run "$p.gaps.$f" gaps "${S[@]}" --format "$f"; done
    run "$p.gaps.level2.table" gaps "${S[@]}" --level 2
    run "$p.gaps.level5.json" gaps "${S[@]}" --level 5 --format json
    local pa; pa=$(cat "$IN/gap-area-$scope")
    for f in table json markdown; do run "$p.gaps.pa.$f" gaps "${S[@]}" --pa "$pa" --format "$f"; done
    run "$p.gaps.pa-lowercase.table" gaps "${S[@]}" --pa "${pa,,}"
    run "$p.gaps.pa-level3.json" gaps "${S[@]}" --pa "$pa" --level 3 --format json
    run "$p.gaps.pa-unknown.table" gaps "${S[@]}" --pa PA99
    run "$p.gaps.level-too-high.table" gaps "${S[@]}" --level 9
    run "$p.gaps.no-cache.json" gaps "${S[@]}" --format json --no-cache

    # `trace PATH|COMMIT` (and an unknown target) diff the tree of every evidence commit:
    # seconds each on W1, so the synthetic repository gets one of each, in JSON only.
    local kind max formats
    for kind in practices files commits; do
      i=0 max=$MAX_TARGETS formats="table json markdown"
      if [[ $FULL_TRACE -eq 0 && $kind != practices ]]; then max=1 formats=json; fi
      while IFS= read -r t && [[ $i -lt $max ]]; do
        i=$((i + 1))
        if [[ $i -eq 1 ]]; then
          for f in $formats; do run "$p.trace.$kind$i.$f" trace "${S[@]}" --format "$f" -- "$t"; done
        else
          run "$p.trace.$kind$i.json" trace "${S[@]}" --format json -- "$t"
        fi
        if [[ $i -eq 1 && $kind = practices ]]; then
          run "$p.trace.practice-lowercase.table" trace "${S[@]}" -- "${t,,}"
        fi
        if [[ $i -eq 1 && $kind = commits && $FULL_TRACE -eq 1 ]]; then
          run "$p.trace.commit-short.table" trace "${S[@]}" -- "${t:0:12}"
        fi
      done <"$IN/$kind-$scope"
    done
    t=$(cat "$IN/bare-practice-$scope")
    [[ -z $t ]] || run "$p.trace.bare-practice.table" trace "${S[@]}" -- "$t"
    [[ $FULL_TRACE -eq 0 ]] || run "$p.trace.unknown.table" trace "${S[@]}" -- NO.SUCH.THING
    t=$(head -n 1 "$IN/practices-$scope")
    [[ -n $t ]] || t=BP.01.01
    run "$p.trace.no-cache.json" trace "${S[@]}" --format json --no-cache -- "$t"

    for f in text github sarif json; do run "$p.check.$f" check "${S[@]}" --format "$f"; done
    for f in text json; do run "$p.check.deny-warnings.$f" check "${S[@]}" --deny warnings --format "$f"; done
    for f in text json; do run "$p.check.baseline.$f" check "${S[@]}" --baseline "$IN/baseline-$scope.json" --format "$f"; done
    run "$p.check.no-cache.text" check "${S[@]}" --no-cache
    if [[ -n $base ]]; then
      for f in text github sarif json; do run "$p.check.base.$f" check "${S[@]}" --base "$base" --format "$f"; done
      run "$p.check.base.deny-warnings.text" check "${S[@]}" --base "$base" --deny warnings
      run "$p.check.base.baseline.text" check "${S[@]}" --base "$base" --baseline "$IN/baseline-$scope.json"
      run "$p.check.base.full-scan.json" check "${S[@]}" --base "$base" --full-scan --format json
      run "$p.check.base.no-cache.json" check "${S[@]}" --base "$base" --no-cache --format json
    fi
    run "$p.check.base-missing.text" check "${S[@]}" --base no-such-revision

    run "$p.baseline.stdout" baseline write "${S[@]}"
    run_o "$p.baseline.o" "$SCRATCH/baseline.json" baseline write "${S[@]}" -o "$SCRATCH/baseline.json"
    [[ -z $base ]] || run "$p.baseline.base.stdout" baseline write "${S[@]}" --base "$base"

    # (--timestamp is left out: it stamps the wall clock, on purpose different every run)
    for f in html csv markdown json xlsx; do
      run "$p.matrix.$f.stdout" matrix "${S[@]}" --format "$f"
      run_o "$p.matrix.$f.o" "$SCRATCH/matrix.$f" matrix "${S[@]}" --format "$f" -o "$SCRATCH/matrix.$f"
    done
    run "$p.matrix.json.no-cache" matrix "${S[@]}" --format json --no-cache

    # A cold cache, then the same commands again on the warm one: no byte may change.
    fresh_cache "cold-$scope"
    run "$p.cold.status.json" status "${S[@]}" --format json
    run "$p.warm.status.json" status "${S[@]}" --format json
    run "$p.warm.status.table" status "${S[@]}"
    run "$p.warm.gaps.table" gaps "${S[@]}"
    fresh_cache "cold-check-$scope"
    run "$p.cold.check.text" check "${S[@]}"
    run "$p.warm.check.text" check "${S[@]}"
    run "$p.warm.check.json" check "${S[@]}" --format json
    run "$p.warm.status.json-after-check" status "${S[@]}" --format json
    run_o "$p.warm.matrix.json.o" "$SCRATCH/m.json" matrix "${S[@]}" --format json -o "$SCRATCH/m.json"
  done

  # verify: each report against the working tree and against HEAD, text and json
  use_cache shared
  local r v
  for r in report-wt report-rev matrix-wt matrix-rev tampered-wt tampered-rev; do
    for v in wt rev; do
      local V=(--repo "$repo")
      [[ $v = rev ]] && V+=(--rev HEAD)
      for f in text json; do run "verify.$r.at-$v.$f" verify "$IN/$r.json" "${V[@]}" --format "$f"; done
    done
  done
  run "verify.not-a-report.text" verify "$IN/not-a-report.json" --repo "$repo"
  run "verify.not-json.text" verify "$IN/not-json.json" --repo "$repo"
  run "verify.missing-file.text" verify "$IN/no-such-file.json" --repo "$repo"
  run "verify.bad-rev.text" verify "$IN/report-rev.json" --repo "$repo" --rev no-such-revision

  # The cache's shortcuts (what they read is a library value, pinned by tests/cache.rs and
  # tests/check.rs; here their output must match).
  if [[ -n $base ]]; then
    fresh_cache derived
    run "cache.derived.status.base.json" status --repo "$repo" --rev "$base" --format json
    run "cache.derived.status.head.json" status --repo "$repo" --rev HEAD --format json
    run "cache.derived.status.head-again.json" status --repo "$repo" --rev HEAD --format json
    fresh_cache fast-path
    run "cache.fast-path.check.cold.json" check --repo "$repo" --rev HEAD --base "$base" --format json
    run "cache.fast-path.check.warm.json" check --repo "$repo" --rev HEAD --base "$base" --format json
    run "cache.fast-path.check.warm.sarif" check --repo "$repo" --rev HEAD --base "$base" --format sarif
    run "cache.fast-path.check.worktree-head.text" check --repo "$repo" --base "$base"
    run "cache.fast-path.check.full-scan.json" check --repo "$repo" --rev HEAD --base "$base" --full-scan --format json
    EXTRA_ENV=()
  fi

  # Every other branch judged against HEAD (the gate fixture: one branch per change).
  use_cache shared
  local b n=0
  while IFS= read -r b; do
    n=$((n + 1))
    for f in text github sarif json; do
      run "branch$n.check.$f" check --repo "$repo" --base HEAD --rev "$b" --format "$f"
    done
    run "branch$n.status.json" status --repo "$repo" --rev "$b" --format json
  done <"$IN/branches"

  run "error.bad-rev.status" status --repo "$repo" --rev no-such-revision
  run "error.bad-format.status" status --repo "$repo" --format nope
}

cli_cases() { # no repository needed
  use_cache shared
  local c
  run "version" --version
  run "help" --help
  run "help-subcommand" help
  run "no-arguments"
  for c in status gaps trace check baseline matrix verify schema; do run "help.$c" "$c" --help; done
  run "help.baseline-write" baseline write --help
  run "help.check-short" check -h
  for c in report model config; do run "schema.$c" schema "$c"; done
  run "schema.unknown" schema nope
  run "unknown-subcommand" frobnicate
  run "not-a-repository.status" status --repo "$RUN_CWD"
  run "no-such-folder.status" status --repo "$WORKDIR/no-such-folder"
  run "not-a-repository.check" check --repo "$RUN_CWD" --format json
  run "not-a-repository.matrix" matrix --repo "$RUN_CWD"
}

# ------------------------------------------------------------------ both turns, then compare
snapshot() { # a digest of every entry below the repository (names, kinds, sizes, modes, mtimes)
  (cd "$1" && find . -printf '%P\t%y\t%s\t%m\t%T@\t%l\n' | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
}

TOTAL=0; SAME=0; DIFFS=0
declare -A REPO_TOTAL=() REPO_DIFFS=() TURN_SECONDS=()
DIFF_LIST=()

# XLSX files are compared as raw bytes like every other output, not member by member:
# practrace writes every zip entry with the same fixed date (1980-01-01) and no wall-clock
# time, so two runs give identical bytes (checked). When they differ, the members that
# differ are named and the first one is diffed.
show_diff() { # old new what
  local a=$1 b=$2 what=$3
  if [[ $what = file ]] && python3 -c 'import sys, zipfile; sys.exit(0 if zipfile.is_zipfile(sys.argv[1]) else 1)' "$a" 2>/dev/null; then
    # A zip (XLSX): raw bytes differ; tell which members do, and diff the first of them.
    python3 - "$a" "$b" "$CONTEXT" <<'PY' || true
import difflib, sys, zipfile
a, b, n = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2]), int(sys.argv[3])
ia = [(i.filename, i.date_time, i.compress_type, i.external_attr) for i in a.infolist()]
ib = [(i.filename, i.date_time, i.compress_type, i.external_attr) for i in b.infolist()]
if ia != ib:
    print("    zip entries differ (name, date, compression, attributes):")
    for line in list(difflib.unified_diff([str(x) for x in ia], [str(x) for x in ib], lineterm=""))[:n]:
        print("    " + line)
names = [i.filename for i in a.infolist() if i.filename in b.namelist()]
changed = [m for m in names if a.read(m) != b.read(m)]
print("    members with different content: %s" % (", ".join(changed) or "none (only the zip container differs)"))
for m in changed[:1]:
    la = a.read(m).decode("utf-8", "replace").replace(">", ">\n").splitlines()
    lb = b.read(m).decode("utf-8", "replace").replace(">", ">\n").splitlines()
    for line in list(difflib.unified_diff(la, lb, "old/" + m, "new/" + m, lineterm=""))[:n]:
        print("    " + line[:300])
PY
  else
    diff -u -a --label "old $what" --label "new $what" "$a" "$b" | head -n "$CONTEXT" | cut -c1-300 | sed 's/^/    /' || true
  fi
}

ext_label() { # result file extension -> what it holds
  case $1 in rc) echo "exit code" ;; out) echo stdout ;; err) echo stderr ;; mode) echo "file mode" ;;
    file) echo file ;; left) echo "files left in the scratch or current folder" ;; *) echo "$1" ;; esac
}

compare_repo() { # label
  local label=$1 name parts ext before=${REPO_TOTAL[$1]:-0}
  local oldd=$RESULTS/$label/old newd=$RESULTS/$label/new
  if ! cmp -s "$oldd/cases" "$newd/cases"; then
    echo "DIFF  $label  (the two turns ran different case lists: a bug of this script)"
    DIFFS=$((DIFFS + 1)); TOTAL=$((TOTAL + 1))
  fi
  # One pass over every result file (one process, not one cmp per file): per case, the
  # extensions whose bytes differ, or whose file exists on one side only.
  while IFS=$'\t' read -r name parts; do
    TOTAL=$((TOTAL + 1)); REPO_TOTAL[$label]=$(( ${REPO_TOTAL[$label]:-0} + 1 ))
    if [[ -z $parts ]]; then
      SAME=$((SAME + 1))
      echo "same  $label  $name"
      continue
    fi
    DIFFS=$((DIFFS + 1)); REPO_DIFFS[$label]=$(( ${REPO_DIFFS[$label]:-0} + 1 ))
    DIFF_LIST+=("$label $name")
    local labels=()
    for ext in $parts; do labels+=("$(ext_label "$ext")"); done
    echo "DIFF  $label  $name  ($(IFS=,; echo "${labels[*]}"))"
    echo "    command: $(cat "$oldd/$name.cmd")"
    for ext in $parts; do
      if [[ ! -e $oldd/$name.$ext ]]; then
        echo "    $(ext_label "$ext"): only new has it:"; head -n "$CONTEXT" "$newd/$name.$ext" | cut -c1-300 | sed 's/^/    + /'
      elif [[ ! -e $newd/$name.$ext ]]; then
        echo "    $(ext_label "$ext"): only old has it:"; head -n "$CONTEXT" "$oldd/$name.$ext" | cut -c1-300 | sed 's/^/    - /'
      else
        show_diff "$oldd/$name.$ext" "$newd/$name.$ext" "$(ext_label "$ext")"
      fi
    done
  done < <(python3 - "$oldd" "$newd" <<'PY'
import os, sys
old, new = sys.argv[1], sys.argv[2]
def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None
for name in open(os.path.join(old, "cases")).read().splitlines():
    parts = []
    for ext in ("rc", "out", "err", "mode", "file", "left"):
        a, b = read(os.path.join(old, name + "." + ext)), read(os.path.join(new, name + "." + ext))
        if a != b:
            parts.append(ext)
    print(name + "\t" + " ".join(parts))
PY
)
  [[ $(( ${REPO_TOTAL[$label]:-0} - before )) -eq $(wc -l <"$oldd/cases") ]] \
    || die "the comparison of $label's results failed"
}

turn() { # label which(old|new) binary [repo]: the cli cases, or the cases of that repo
  local label=$1 which=$2
  BIN=$3
  OUT=$RESULTS/$label/$which
  mkdir -p "$OUT"
  : >"$OUT/cases"
  SEEN=()
  EXTRA_ENV=()
  rm -rf "${CACHE_ROOT:?}"/*   # each binary's turn starts with an empty cache
  local t0=$SECONDS
  if [[ $# -ge 4 ]]; then repo_cases "$4"; else cli_cases; fi
  TURN_SECONDS[$label.$which]=$((SECONDS - t0))
}

START=$SECONDS
IN=""
log "cli"
turn cli old "$OLD_BIN"
turn cli new "$NEW_BIN"
compare_repo cli
for name in "${REPO_NAMES[@]}"; do
  repo=$REPOS_DIR/$name
  IN=$RESULTS/$name/inputs
  mkdir -p "$IN"
  if [[ $name = synth-* ]]; then MAX_TARGETS=2 FULL_TRACE=0; else MAX_TARGETS=5 FULL_TRACE=1; fi
  log "$name: inputs (old binary)"
  prepare_inputs "$repo"
  before=$(snapshot "$repo")
  log "$name: old binary"
  turn "$name" old "$OLD_BIN" "$repo"
  after_old=$(snapshot "$repo")
  log "$name: new binary"
  turn "$name" new "$NEW_BIN" "$repo"
  after_new=$(snapshot "$repo")
  compare_repo "$name"
  # Not a comparison of the binaries, but what makes the comparison sound: neither binary
  # may change the repository (else the second turn saw another input).
  TOTAL=$((TOTAL + 1)); REPO_TOTAL[$name]=$(( ${REPO_TOTAL[$name]:-0} + 1 ))
  if [[ $before = "$after_old" && $after_old = "$after_new" ]]; then
    SAME=$((SAME + 1)); echo "same  $name  repository-untouched"
  else
    DIFFS=$((DIFFS + 1)); REPO_DIFFS[$name]=$(( ${REPO_DIFFS[$name]:-0} + 1 ))
    DIFF_LIST+=("$name repository-untouched")
    echo "DIFF  $name  repository-untouched  (the repository changed during the old turn: $([[ $before = "$after_old" ]] && echo no || echo yes), the new turn: $([[ $after_old = "$after_new" ]] && echo no || echo yes))"
  fi
done

echo
echo "summary: $TOTAL cases, $SAME same, $DIFFS DIFF ($((SECONDS - START)) s)"
for label in cli "${REPO_NAMES[@]}"; do
  printf '  %-28s %4d cases, %3d DIFF, old %4ss, new %4ss\n' "$label" "${REPO_TOTAL[$label]:-0}" \
    "${REPO_DIFFS[$label]:-0}" "${TURN_SECONDS[$label.old]:-?}" "${TURN_SECONDS[$label.new]:-?}"
done
if [[ $DIFFS -gt 0 ]]; then
  echo "differences:"
  printf '  %s\n' "${DIFF_LIST[@]}"
  echo "outputs kept in $RESULTS/<repo>/{old,new}/<case>.{out,err,rc,file,mode,cmd}"
  exit 1
fi
if [[ $TEMP_WORKDIR -eq 1 ]]; then
  rm -rf "$WORKDIR"
fi
exit 0
