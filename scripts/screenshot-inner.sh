#!/usr/bin/env bash
# The part of scripts/screenshot.sh that runs inside Xvfb and a private D-Bus session:
# starts the app, waits for its window, captures the screen, stops the app.
#
#   scripts/screenshot-inner.sh APP_BINARY OUTPUT.png
set -euo pipefail

bin="$1"
out="$2"
timeout="${SCREENSHOT_TIMEOUT:-60}"
settle="${SCREENSHOT_SETTLE:-4}"
log="$(mktemp -t malipo-app-log.XXXXXX)"

"$bin" >"$log" 2>&1 &
app_pid=$!

stop_app() {
  if kill -0 "$app_pid" 2>/dev/null; then
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
}
trap stop_app EXIT

waited=0
until xwininfo -root -tree 2>/dev/null | grep -q '"Malipo"'; do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "the app exited before its window appeared; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  if [ "$waited" -ge "$timeout" ]; then
    echo "no window titled Malipo after ${timeout}s; the app's log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done

sleep "$settle"
import -window root "$out"
echo "--- app log ---"
cat "$log"
rm -f "$log"
