#!/usr/bin/env bash
# Acceptance: cold start to an interactive register, and resident memory after 100 sales.
#
# Runs the real app (debug build unless PERF_PROFILE=release) under Xvfb in training mode
# through WebDriver (tauri-driver + WebKitWebDriver) and prints, as JSON:
#   - process_start_to_login_usable_s: from the app process's start (its /proc start time)
#     until the login form is in the page (the UI has asked the shell for app_info and
#     rendered), for each of N cold starts, and their median;
#   - webdriver_new_session_to_login_usable_s: the same, from the WebDriver request that makes
#     tauri-driver start the app;
#   - login_submit_to_register_rendered_s: Cashier/0000 submitted until the register's search
#     field and the status bar's user are shown;
#   - after_login / after_sales: rss_sum_mb (VmRSS summed over the app process and every
#     descendant: WebKit's WebProcess and NetworkProcess) and pss_sum_mb (the same with shared
#     pages shared out, so libwebkit2gtk is not counted once per process), after login and
#     after N cash sales (each: scan Sugar 2kg, F2 cash, tender 300, "Sale complete", next
#     sale), with the figures per process.
#
#   scripts/perf-register.sh [--sales N] [--starts N]   (defaults 100 and 5; or: make perf)
#   PERF_PROFILE=release scripts/perf-register.sh       (the optimised build a shop would run)
#
# The training customer-phone window is off (MALIPO_CUSTOMER_PHONE=off): a shop's till runs the
# register alone; MALIPO_CUSTOMER_PHONE=on measures it with the phone window too.
# The figures go to stdout and to target/perf-register.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export MALIPO_CUSTOMER_PHONE="${MALIPO_CUSTOMER_PHONE:-off}"
export WEBDRIVER_PROFILE="${PERF_PROFILE:-debug}"
exec tests/webdriver/harness.sh perf --json "$(pwd)/target/perf-register.json" "$@"
