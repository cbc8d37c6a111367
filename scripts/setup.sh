#!/usr/bin/env bash
# Installs what Malipo needs to build, run and test, and nothing that is already there.
# Safe to run again and again: `make run` and `make test` call it every time.
#
#   - Debian/Ubuntu system packages (WebKitGTK for the window, Xvfb and gnome-keyring for
#     headless tests, imagemagick for screenshots): only the missing ones, with sudo only
#     when not already root.
#   - The UI's npm packages, exactly as package-lock.json says (npm ci), only when the lock
#     file changed since the last install.
set -euo pipefail

cd "$(dirname "$0")/.."

# Known to work on Debian 12 (see docs in the project's stack notes). libappindicator3-dev
# does not exist on Debian 12: the ayatana package replaces it.
APT_PACKAGES=(
  build-essential pkg-config libssl-dev
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libgtk-3-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  xvfb xauth x11-utils dbus-x11 imagemagick jq
  gnome-keyring libsecret-tools keyutils libdbus-1-dev
  webkit2gtk-driver chromium poppler-utils
)

say() { printf '[setup] %s\n' "$*"; }

install_apt_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "not a Debian-like system: install the equivalents of these yourself: ${APT_PACKAGES[*]}"
    return 0
  fi
  local missing=()
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "system packages: all present"
    return 0
  fi
  say "installing system packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

check_tools() {
  local tool
  for tool in cargo rustc node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      say "missing $tool: install Rust (https://rustup.rs) and Node.js 20.19+ first"
      exit 1
    fi
  done
}

install_ui_packages() {
  local lock=ui/package-lock.json
  local stamp=ui/node_modules/.malipo-lock.sha256
  local want
  want="$(sha256sum "$lock" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "UI packages: up to date"
    return 0
  fi
  say "installing UI packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund)
  printf '%s\n' "$want" >"$stamp"
}

install_apt_packages
check_tools
install_ui_packages
