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
size() { numfmt --to=iec-i --suffix=B --format='%.1f' "$(stat -c %s "$1")"; }
echo "package:          $deb ($(size "$deb"))"
echo "pixdrop-app:      $(size "$ROOT/target/release/pixdrop-app")"
echo "pixdrop (CLI):    $(size "$ROOT/target/release/pixdrop")"
