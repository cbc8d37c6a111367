#!/usr/bin/env bash
# Shared by scripts/webdriver-stk.sh, scripts/perf-register.sh and the screenshots run:
# installs what WebDriver needs, builds the app, then runs one job of malipo_wd.py against the
# real app under Xvfb, in a private D-Bus session with an unlocked gnome-keyring, with a
# throwaway data directory (training mode: simulators, relay, sync client, engine, no
# credentials).
#
#   tests/webdriver/harness.sh JOB [malipo_wd.py options…]
#
# Environment: WEBDRIVER_TOOLS (where tauri-driver is installed; default target/webdriver-tools),
# WEBDRIVER_NO_BUILD=1 (use the binaries as built), WEBDRIVER_KEEP_DATA=1 (keep the data dir),
# WEBDRIVER_PROFILE=release (drive target/release/malipo-app; malipo-cli stays debug).
set -euo pipefail

cd "$(dirname "$0")/../.."
root="$(pwd)"
job="$1"
shift

if [ -z "${MALIPO_WD_INNER:-}" ]; then
  say() { printf '[webdriver] %s\n' "$*"; }

  # WebKitWebDriver (Debian: webkit2gtk-driver), Xvfb, gnome-keyring, imagemagick: setup.sh.
  if ! command -v WebKitWebDriver >/dev/null || ! command -v xvfb-run >/dev/null \
    || ! command -v gnome-keyring-daemon >/dev/null || ! command -v import >/dev/null; then
    ./scripts/setup.sh
  fi
  command -v python3 >/dev/null || { say "python3 is needed (the driver uses only its standard library)"; exit 1; }

  target_dir="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)"
  tools="${WEBDRIVER_TOOLS:-$target_dir/webdriver-tools}"
  if [ ! -x "$tools/bin/tauri-driver" ]; then
    say "installing tauri-driver into $tools"
    cargo install tauri-driver --locked --version '^2' --root "$tools"
  fi

  if [ -z "${WEBDRIVER_NO_BUILD:-}" ]; then
    [ -d ui/node_modules ] || ./scripts/setup.sh
    (cd ui && npm run build --silent)
    cargo build -p malipo-app -p malipo-cli
    if [ "${WEBDRIVER_PROFILE:-debug}" = release ]; then
      cargo build --release -p malipo-app
    fi
  fi

  data_dir="$(mktemp -d -t malipo-webdriver.XXXXXX)"
  if [ -z "${WEBDRIVER_KEEP_DATA:-}" ]; then
    trap 'rm -rf "$data_dir"' EXIT
  else
    say "data dir kept: $data_dir"
  fi

  export MALIPO_WD_INNER=1 MALIPO_DATA_DIR="$data_dir" MALIPO_WD_TOOLS="$tools" \
    MALIPO_WD_APP="$target_dir/${WEBDRIVER_PROFILE:-debug}/malipo-app" MALIPO_WD_CLI="$target_dir/debug/malipo-cli"
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$job" "$@"
  exit $?
fi

# --- inside Xvfb and the private D-Bus session ---------------------------------------------
echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null

# Free ports below the kernel's ephemeral range (so no outgoing connection of the app, the
# relay or another test holds them), chosen afresh if tauri-driver still cannot listen.
pick_ports() {
  python3 - <<'PY'
import random, socket
ports = []
while len(ports) < 2:
    p = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        ports.append(p)
    except OSError:
        pass
    finally:
        s.close()
print(*ports)
PY
}

driver_log="$MALIPO_DATA_DIR/tauri-driver.log"
driver_pid=""
stop_driver() {
  [ -n "$driver_pid" ] || return 0
  # tauri-driver runs in a session of its own (setsid): stopping that process group stops the
  # WebKitWebDriver it started, and any app left behind, even when tauri-driver died first.
  kill -TERM -- "-$driver_pid" 2>/dev/null || true
  wait "$driver_pid" 2>/dev/null || true
}
trap stop_driver EXIT

listening=""
for try in 1 2 3 4 5; do
  read -r port native_port < <(pick_ports)
  echo "[webdriver] tauri-driver on 127.0.0.1:$port, WebKitWebDriver on $native_port"
  setsid "$MALIPO_WD_TOOLS/bin/tauri-driver" --port "$port" --native-port "$native_port" \
    --native-driver "$(command -v WebKitWebDriver)" >"$driver_log" 2>&1 &
  driver_pid=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$driver_pid" 2>/dev/null; then
      break
    fi
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
      listening=1
      break
    fi
    sleep 0.1
  done
  [ -n "$listening" ] && break
  echo "[webdriver] tauri-driver did not start (try $try): $(tail -n 1 "$driver_log")"
  stop_driver
  driver_pid=""
done
[ -n "$listening" ] || { echo "[webdriver] tauri-driver would not listen" >&2; exit 1; }

status=0
WD_URL="http://127.0.0.1:$port" python3 "$root/tests/webdriver/malipo_wd.py" "$job" \
  --app "$MALIPO_WD_APP" --cli "$MALIPO_WD_CLI" --db "$MALIPO_DATA_DIR/malipo.db" "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- tauri-driver / app log ---" >&2
  tail -n 80 "$driver_log" >&2 || true
fi
exit "$status"
