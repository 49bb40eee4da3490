#!/usr/bin/env bash
# Runs each practrace fuzz target for a fixed time, one after the other, and reports for
# each the number of executions and whether it crashed.
#
# Usage:   fuzz/run.sh [SECONDS [TARGET...]]
#   SECONDS  time per target (default: $FUZZ_SECONDS, else 600)
#   TARGET   which targets (default: $FUZZ_TARGETS, else every target in fuzz/Cargo.toml)
# Environment:
#   FUZZ_TIMEOUT  seconds one input may take before libFuzzer calls it a hang (default 10)
#   FUZZ_ARGS     extra libFuzzer flags, e.g. FUZZ_ARGS="-max_len=16384"
#
# Exit status: 0 when no target crashed, 1 when one did (the other targets still run),
# 2 on a usage or build error.
#
# Stable toolchain: with `--sanitizer none`, cargo-fuzz passes only stable `-C` flags
# (`-Cpasses=sancov-module`, `-Cllvm-args=-sanitizer-coverage-*`) and `--cfg fuzzing`, so
# no nightly and no RUSTC_BOOTSTRAP are needed. The address sanitizer (cargo-fuzz's
# default) needs `-Zsanitizer`, i.e. nightly; practrace's own `unsafe` is three lines (libgit2
# settings, read-only mappings of pack indexes and cache files),
# so a panic, an abort, an out-of-memory or a hang is what these targets look for.
#
# The working corpus is fuzz/corpus/<target>/ (the committed seeds in fuzz/seeds/<target>/
# are copied into it first), crashing inputs land in fuzz/artifacts/<target>/, and each
# run's libFuzzer log in fuzz/target/run-logs/<target>.log; none of these is committed.
# `cargo fuzz run` rebuilds a target whenever the library changed since the last build, so
# if ../src changes while this script runs, later targets fuzz the newer code: the script
# prints the library revision at the start and flags each target that was rebuilt. For one
# fixed revision, fuzz a snapshot, e.g. `git archive HEAD | tar -x -C /tmp/snap` and a copy
# of fuzz/ in /tmp/snap/fuzz.
#
# Minimise a crash with
#   cargo fuzz tmin <target> --sanitizer none fuzz/artifacts/<target>/crash-...
# and keep it, for good, under fuzz/regressions/<target>-<short-name>.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here" || exit 2

seconds="${1:-${FUZZ_SECONDS:-600}}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS [TARGET...]]  (SECONDS must be a positive integer)" >&2
    exit 2
fi
shift $(($# > 0 ? 1 : 0))
if (($# > 0)); then
    targets=("$@")
elif [[ -n "${FUZZ_TARGETS:-}" ]]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    mapfile -t targets < <(cargo fuzz list)
fi
if ((${#targets[@]} == 0)); then
    echo "no fuzz targets" >&2
    exit 2
fi
timeout_s="${FUZZ_TIMEOUT:-10}"
read -r -a extra <<<"${FUZZ_ARGS:-}"

rev="$(git -C .. rev-parse --short HEAD 2>/dev/null || echo "no git")"
if [[ "$rev" != "no git" ]] && [[ -n "$(git -C .. status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
    rev="$rev + uncommitted changes in src/ or Cargo.*"
fi
echo "== library: $(cd .. && pwd) ($rev)"
echo "== building ${targets[*]} (--sanitizer none)"
if ! cargo fuzz build --sanitizer none; then
    echo "build failed" >&2
    exit 2
fi

logs="$here/target/run-logs"
mkdir -p "$logs"
summary=()
crashed=0

for t in "${targets[@]}"; do
    corpus="$here/corpus/$t"
    mkdir -p "$corpus" "$here/artifacts/$t"
    if [[ -d "$here/seeds/$t" ]]; then
        cp -n "$here/seeds/$t"/* "$corpus"/ 2>/dev/null || true
        # Seeds kept base64-encoded (front matter that practrace would otherwise read as this
        # repository's own evidence) are decoded into the corpus.
        for b in "$here/seeds/$t"/*.b64; do
            [[ -e $b ]] || continue
            rm -f "$corpus/$(basename "$b")"
            base64 -d "$b" > "$corpus/$(basename "${b%.b64}")"
        done
    fi
    log="$logs/$t.log"
    echo "== $t: ${seconds}s, corpus $corpus ($(find "$corpus" -type f | wc -l) inputs), log $log"
    start=$(date +%s)
    cargo fuzz run "$t" --sanitizer none "$corpus" -- \
        -max_total_time="$seconds" -timeout="$timeout_s" -print_final_stats=1 \
        "${extra[@]}" 2>&1 | tee "$log" | grep --line-buffered -E \
        '^#[0-9]+[[:space:]]+(INITED|DONE|pulse)|^Done |panicked at|^==[0-9]+== ERROR|deadly signal|SUMMARY|Test unit written|Failing input|ALARM|out-of-memory'
    status=${PIPESTATUS[0]}
    elapsed=$(($(date +%s) - start))

    # libFuzzer's last words on a clean run: "Done N runs in S second(s)". On a crash it
    # prints no such line, but -print_final_stats=1 still gives the executions count.
    runs="" secs=""
    if done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1); then
        runs=$(awk '{print $2}' <<<"$done_line")
        secs=$(awk '{print $5}' <<<"$done_line")
    fi
    if [[ -z "$runs" ]]; then
        runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+$')
    fi
    artifact=$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -n 1 | sed 's/^Test unit written to //')
    if grep -q '^ *Compiling practrace v' "$log"; then
        echo "== note: practrace was rebuilt before $t: the library changed during this script"
        result_note=" [library rebuilt before this target]"
    else
        result_note=""
    fi
    if ((status == 0)) && [[ -n "$secs" ]]; then
        result="ok"
    else
        result="CRASH (exit $status)${artifact:+: $artifact}"
        crashed=1
        grep -A2 -E 'panicked at' "$log" | head -n 6 | sed 's/^/== | /'
        [[ -n "$artifact" ]] && echo "== minimise: cargo fuzz tmin $t --sanitizer none $artifact"
    fi
    line=$(printf '%-14s %12s executions in %5ss (wall %5ss)  %s' \
        "$t" "${runs:-?}" "${secs:-?}" "$elapsed" "$result$result_note")
    echo "== $line"
    summary+=("$line")
done

echo
echo "== summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit "$crashed"
