#!/usr/bin/env bash
# Runs a command inside its own D-Bus session with an unlocked gnome-keyring, so tests of
# the OS keyring talk to a real Secret Service, even headless. The session (and the keyring
# daemon with it) ends when the command does.
#
#   scripts/with-keyring.sh cargo test --workspace
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

if [ -z "${MALIPO_KEYRING_SESSION:-}" ]; then
  exec env MALIPO_KEYRING_SESSION=1 dbus-run-session -- "$0" "$@"
fi

# An empty line (not zero bytes) creates an unlocked login keyring.
echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
exec "$@"
