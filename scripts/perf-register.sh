#!/usr/bin/env bash
# Acceptance: cold start to an interactive register, and resident memory after 100 sales.
#
# Runs the real app (debug build unless PERF_PROFILE=release) under Xvfb in training mode
# through WebDriver (tauri-driver + WebKitWebDriver) and prints, as JSON:
#   - session_created_s: WebDriver "new session" (tauri-driver starts the app) until the
#     session exists, i.e. the window's web view is up;
#   - login_usable_s: the same start until the login form is in the page (the UI has asked the
#     shell for app_info and rendered);
#   - register_rendered_after_login_s: Cashier/0000 submitted until the register's search
#     field and the status bar's user are shown;
#   - rss_after_login_mb / rss_after_sales_mb: VmRSS summed over the app process and every
#     descendant (WebKit's WebProcess and NetworkProcess), after login and after N cash sales
#     (each: scan Sugar 2kg, F2 cash, tender 300, "Sale complete", next sale).
#
#   scripts/perf-register.sh [--sales N]     (default 100; or: make perf)
#
# The training customer-phone window is off (MALIPO_CUSTOMER_PHONE=off): a shop's till runs the
# register alone; MALIPO_CUSTOMER_PHONE=on measures it with the phone window too.
# The figures go to stdout and to target/perf-register.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export MALIPO_CUSTOMER_PHONE="${MALIPO_CUSTOMER_PHONE:-off}"
exec tests/webdriver/harness.sh perf --json "$(pwd)/target/perf-register.json" "$@"
