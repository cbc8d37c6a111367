#!/usr/bin/env bash
# Acceptance (manager views): in the real app under Xvfb (training mode), a late STK payment
# lands in unmatched receipts and the manager attaches it to its sale, checked in the ledger
# and the audit log.
#
# Logs in as Cashier/0000, sends an STK prompt for Sugar 2kg (KES 250.00), stops waiting and
# voids the sale (Esc); the training customer then pays on the phone after all, so the money
# arrives with no open sale and waits as an unmatched receipt ("arrived after its sale was
# voided"). The goods are rung up again as a new sale; the manager opens Manager → Unmatched
# (PIN 1234), attaches the receipt to the new sale with their PIN, and the register shows it
# complete. Then `malipo-cli payments` / `unmatched` / `audit` must show the payment placed in
# full on the new sale by Manager, nothing left unmatched, and the audit line of the attach.
#
#   scripts/webdriver-late-attach.sh        (part of: make webdriver)
set -euo pipefail
exec "$(dirname "$0")/../tests/webdriver/harness.sh" late-attach "$@"
