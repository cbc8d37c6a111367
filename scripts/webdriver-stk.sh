#!/usr/bin/env bash
# Acceptance: the real app, built and run under Xvfb in training mode, completes an M-Pesa STK
# sale driven through WebDriver (tauri-driver + Debian's WebKitWebDriver) and the sale is paid
# in the ledger.
#
# Logs in as Cashier/0000, scans Sugar 2kg (KES 250.00), pays by M-Pesa STK to 0712345678,
# approves the prompt in the training customer-phone window, waits for "Sale complete", then
# reads the SQLite store with `malipo-cli --db … payments` / `attempts` and fails unless there
# is exactly one STK payment of KES 250.00 allocated to the sale and its attempt completed.
#
#   scripts/webdriver-stk.sh            (or: make webdriver)
#
# Installs tauri-driver (cargo install --locked into target/webdriver-tools) if missing; the
# driver itself is tests/webdriver/malipo_wd.py (Python standard library only).
set -euo pipefail
exec "$(dirname "$0")/../tests/webdriver/harness.sh" stk "$@"
