# Shared set-up for run-app.sh and test.sh (sourced, not run). Installs only what is missing.
# Works as root on a fresh Debian 12; as another user it asks sudo for the apt step.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

# What building the app needs, and what its tests add (a display, WebDriver, clipboard tools).
APP_PACKAGES=(build-essential pkg-config curl wget file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev)
TEST_PACKAGES=(webkit2gtk-driver xvfb xauth dbus-x11 xdotool imagemagick xclip python3-xlib)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    say "installing Rust with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

ensure_node() {
  local v
  v="$(node --version 2>/dev/null || echo none)"
  case "$v" in
    v2[0-9].*|v[3-9][0-9].*) ;;
    *) echo "Pixdrop's UI needs Node.js 20.19 or newer (found: $v). Install it (e.g. from nodejs.org or NodeSource) and run this again." >&2
       exit 1 ;;
  esac
}

build_ui() {
  ensure_node
  cd "$ROOT/ui"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing the UI's npm packages"
    npm ci --no-audit --no-fund
  fi
  say "building the UI (type check + Vite)"
  npm run build
  cd "$ROOT"
}

# The app binary, optimised but quick to build (profile `e2e`); tests and run-app use the same one.
build_app() {
  say "building the Pixdrop app and CLI"
  cd "$ROOT"
  cargo build --profile e2e -p pixdrop-app -p pixdrop -p pixdrop-standin
}
