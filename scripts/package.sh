#!/usr/bin/env bash
# Build Pixdrop's Debian package: the app and the `pixdrop` CLI from the release profile,
# bundled by Tauri's bundler (src-tauri/tauri.conf.json: the desktop entry with the image types,
# the icons, the Debian dependencies). Prints the package's path and the sizes.
source "$(dirname "$0")/setup.sh"
apt_install "${APP_PACKAGES[@]}"
ensure_rust
build_ui
say "building the app and the CLI (release profile)"
cd "$ROOT"
cargo build --release -p pixdrop-app -p pixdrop
say "bundling the .deb"
rm -rf "$ROOT/target/release/bundle/deb"
(cd "$ROOT/src-tauri" && "$ROOT/ui/node_modules/.bin/tauri" bundle --bundles deb)
deb="$(ls "$ROOT"/target/release/bundle/deb/*.deb)"
# Tauri's bundler compresses with gzip; Debian's own packages use xz, which apt reads too and
# which makes this one less than half the size.
say "recompressing the .deb with xz"
unpacked="$(mktemp -d)"
dpkg-deb -R "$deb" "$unpacked/root"
dpkg-deb -Zxz -z9 --build "$unpacked/root" "$deb" >/dev/null
rm -rf "$unpacked"
size() { numfmt --to=iec-i --suffix=B --format='%.1f' "$(stat -c %s "$1")"; }
echo "package:          $deb ($(size "$deb"))"
echo "pixdrop-app:      $(size "$ROOT/target/release/pixdrop-app")"
echo "pixdrop (CLI):    $(size "$ROOT/target/release/pixdrop")"
