#!/usr/bin/env bash
# Screenshots of the real app under Xvfb (training mode), reached through WebDriver: the login
# screen with the TRAINING banner, the register with a cart, each tender state, the customer
# phone, settings. Written to docs/screenshots/ (1280×800 PNG), shown in README.md.
#
#   tests/webdriver/screenshots.sh [--out DIR]      (or: make screenshots)
set -euo pipefail
cd "$(dirname "$0")/../.."
exec tests/webdriver/harness.sh screens --out "$(pwd)/docs/screenshots" "$@"
