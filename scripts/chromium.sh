# The headless Chromium the page checks share (scripts/html-check.sh, history-check.sh,
# merge-check.sh, html-scale-check.sh): sourced, not run. The sourcing script sets `check`
# (its name, for messages) first, and `work` (its temporary folder) before `run`.

# Sets `browser`, or exits 2 saying how to get one.
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "$check: no chromium found (apt-get install chromium)" >&2
  exit 2
fi

run() { # run URL ARGS... : the dumped DOM on stdout, the browser's log in $work/log
  local url=$1
  shift
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
    --virtual-time-budget=5000 "$@" "$url" 2>"$work/log"
}

check_console() { # check_console WHAT : fail=1 when the page logged to the console
  if grep -E 'CONSOLE' "$work/log" >"$work/console"; then
    echo "$check: FAIL ($1): the page logged to the console:" >&2
    cat "$work/console" >&2
    fail=1
  fi
}
