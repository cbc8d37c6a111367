# Malipo — the two commands that matter: `make run` and `make test`.
#
#   make run         install what is missing, build the UI, run the till (training mode)
#   make test        install what is missing, build the UI, run every test (UI unit +
#                    browser tests, every crate), fmt and clippy
#   make fmt         format the Rust code
#   make clippy      lint the Rust code (warnings are errors)
#   make screenshot  run the app under Xvfb and save docs/screenshots/foundation.png
#   make webdriver   the real app under Xvfb: an STK sale through WebDriver, checked in the ledger
#   make perf        cold start and memory after 100 sales (scripts/perf-register.sh)
#   make screenshots retake docs/screenshots/ from the real app (README "Screenshots")

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run

CARGO ?= cargo
NPM ?= npm

.PHONY: run test setup ui test-rust fmt fmt-check clippy screenshot

setup:
	./scripts/setup.sh

ui: setup
	cd ui && $(NPM) run build

# The till in training mode (the default, and the only mode for now): no real money moves.
run: ui
	$(CARGO) run -p malipo-app

# Every test of every crate, including the Tauri shell (which embeds ui/dist, hence `ui`).
# The keyring tests need a real Secret Service: they get a private D-Bus session with an
# unlocked gnome-keyring, and MALIPO_KEYRING_TESTS=required makes them fail, not skip,
# when it is missing.
test: ui fmt-check ui-test test-rust clippy webdriver

test-rust: ui
	MALIPO_KEYRING_TESTS=required ./scripts/with-keyring.sh $(CARGO) test --workspace

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

clippy: ui
	$(CARGO) clippy --workspace --all-targets -- -D warnings

screenshot: setup
	./scripts/screenshot.sh docs/screenshots/foundation.png

# The register's own tests (ui/): npm ci when package-lock.json changed, the Svelte/TypeScript
# check, Vitest unit tests, the production build (ui/dist), then Playwright against that
# build in Debian's Chromium (/usr/bin/chromium; CHROMIUM=… overrides) with Tauri's IPC faked.
.PHONY: ui-deps ui-typecheck ui-unit ui-build ui-e2e ui-test

ui-deps:
	@want="$$(sha256sum ui/package-lock.json | cut -d' ' -f1)"; \
	if [ ! -f ui/node_modules/.malipo-lock.sha256 ] || [ "$$(cat ui/node_modules/.malipo-lock.sha256)" != "$$want" ]; then \
		(cd ui && $(NPM) ci --no-audit --no-fund) && printf '%s\n' "$$want" > ui/node_modules/.malipo-lock.sha256; \
	fi

ui-typecheck: ui-deps
	cd ui && $(NPM) run typecheck

ui-unit: ui-deps
	cd ui && npx vitest run

ui-build: ui-deps
	cd ui && npx vite build

ui-e2e: ui-build
	cd ui && npx playwright test

ui-test: ui-typecheck ui-unit ui-e2e

# The real app under Xvfb, driven through WebDriver (tauri-driver + WebKitWebDriver; the driver
# is tests/webdriver/malipo_wd.py, Python standard library only): an M-Pesa STK sale approved
# on the training customer phone, then the ledger read back with malipo-cli; and a late STK
# payment that lands in unmatched receipts and is attached by the manager (ledger + audit log).
# `perf` prints cold start and resident memory after 100 cash sales; `screenshots` refreshes
# docs/screenshots/ (README "Screenshots").
.PHONY: webdriver perf screenshots

webdriver: ui
	./scripts/webdriver-stk.sh
	WEBDRIVER_NO_BUILD=1 ./scripts/webdriver-late-attach.sh

perf: ui
	./scripts/perf-register.sh

screenshots: ui
	./tests/webdriver/screenshots.sh
