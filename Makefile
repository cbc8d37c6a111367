# Malipo — the two commands that matter: `make run` and `make test`.
#
#   make run         install what is missing, build the UI, run the till (training mode)
#   make test        install what is missing, build the UI, run every test, fmt and clippy
#   make fmt         format the Rust code
#   make clippy      lint the Rust code (warnings are errors)
#   make screenshot  run the app under Xvfb and save docs/screenshots/foundation.png

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
test: ui fmt-check test-rust clippy

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
