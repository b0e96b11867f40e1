#!/usr/bin/env bash
# Install the .deb that scripts/package.sh built, as a user would (apt-get resolves its declared
# dependencies), use what it installed, and remove it again:
#   - `pixdrop --version` from PATH;
#   - the desktop entry: the image types, and an Exec line taking files (%F);
#   - the installed app in a window of its own (on the display scripts/headless.sh provides);
#   - an image opened with the desktop entry's command while the app runs uploads there.
# Needs root (or sudo) for apt-get, and the stand-in host from the test build.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
deb="$(ls "$ROOT"/target/release/bundle/deb/*.deb)"
work="$(mktemp -d /tmp/pixdrop-deb-XXXXXX)"
app_pid=""
standin_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$standin_pid" ] && kill "$standin_pid" 2>/dev/null || true
  if dpkg -s pixdrop >/dev/null 2>&1; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get remove -y pixdrop >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-package: $*" >&2; exit 1; }
# Wait (bounded) until a command succeeds: a condition, never a fixed sleep.
until_true() {
  local what="$1" deadline=$((SECONDS + 60))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$what did not happen within 60 s"
    sleep 0.2
  done
}

echo "==> installing $(basename "$deb")"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$deb"
for f in /usr/bin/pixdrop /usr/bin/pixdrop-app; do
  [ -x "$f" ] || fail "$f is not installed"
done
version="$(pixdrop --version)"
echo "installed: $version"
[[ "$version" == "pixdrop "* ]] || fail "pixdrop --version said: $version"

entry="$(dpkg -L pixdrop | grep '^/usr/share/applications/.*\.desktop$')"
grep -qx 'MimeType=image/png;image/jpeg;image/gif;image/webp;image/avif;image/bmp;image/tiff;image/svg+xml;image/heic;' "$entry" \
  || fail "$entry does not list the image types"
exec_line="$(sed -n 's/^Exec=//p' "$entry")"
[[ "$exec_line" == *" %F" ]] || fail "$entry's Exec does not take files: $exec_line"
dpkg -L pixdrop | grep -q '^/usr/share/icons/hicolor/.*/apps/' || fail "no icon installed"
for f in /usr/share/bash-completion/completions/pixdrop /usr/share/zsh/vendor-completions/_pixdrop \
  /usr/share/fish/vendor_completions.d/pixdrop.fish /usr/share/man/man1/pixdrop.1.gz; do
  [ -s "$f" ] || fail "$f is not installed"
done
bash -c 'source /usr/share/bash-completion/completions/pixdrop && complete -p pixdrop' >/dev/null \
  || fail "the bash completion does not load"
man -P cat -l /usr/share/man/man1/pixdrop.1.gz | grep -q 'completions' || fail "the manual page does not render"

echo "==> the installed app in a window, and an image opened with it"
export PIXDROP_HOME="$work/home"
mkfifo "$work/standin-in"
"$ROOT/target/e2e/pixdrop-standin" --token deb-token < "$work/standin-in" > "$work/standin-out" &
standin_pid=$!
exec 3>"$work/standin-in"
until_true "the stand-in host's start" test -s "$work/standin-out"
url="$(head -1 "$work/standin-out")"
pixdrop hosts add smms standin --set token=deb-token --set "server=$url" --set api=see >/dev/null
for kv in "notify off" "server_enabled off" "language en"; do
  # shellcheck disable=SC2086
  pixdrop settings set $kv >/dev/null
done
/usr/bin/pixdrop-app > "$work/app.log" 2>&1 &
app_pid=$!
window_shown() { [ "$(/usr/bin/python3 "$ROOT/tests/gui/wm.py" visible Pixdrop)" -ge 1 ]; }
until_true "the installed app's window" window_shown
convert -size 40x30 xc:'#2a7' "$work/opened.png"
# As a file manager does: the desktop entry's command, %F replaced by the file.
(cd "$work" && ${exec_line% %F} "$work/opened.png")
uploaded() { pixdrop album list --json | grep -q '"file_name": *"opened.png"'; }
until_true "the opened image's upload" uploaded
echo "the installed app uploaded an image opened with its desktop entry"
kill "$app_pid"
app_pid=""
echo "==> removing the package"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get remove -y pixdrop >/dev/null
[ ! -e /usr/bin/pixdrop ] || fail "/usr/bin/pixdrop is still there after removal"
echo "package check passed"
