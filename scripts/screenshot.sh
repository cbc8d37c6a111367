#!/usr/bin/env bash
# Builds the app, runs it headless under Xvfb with a throwaway data directory, waits for the
# window and the catalogue to appear, and saves a screenshot of the screen.
#
#   scripts/screenshot.sh [OUTPUT.png]      (default: docs/screenshots/foundation.png)
#
# Environment: SCREENSHOT_TIMEOUT (seconds to wait for the window, default 60),
# SCREENSHOT_SETTLE (seconds to let the page render once the window is up, default 4).
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-docs/screenshots/foundation.png}"
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

(cd ui && npm run build --silent)
cargo build -p malipo-app

target_dir="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)"
bin="$target_dir/debug/malipo-app"

data_dir="$(mktemp -d -t malipo-screenshot.XXXXXX)"
trap 'rm -rf "$data_dir"' EXIT

MALIPO_DATA_DIR="$data_dir" \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- scripts/screenshot-inner.sh "$bin" "$out"

echo "screenshot: $out"
