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
# The shell completions and the manual page, made by the packaged CLI from its own definitions,
# where Debian's shells and man look.
share="$unpacked/root/usr/share"
mkdir -p "$share/bash-completion/completions" "$share/zsh/vendor-completions" \
  "$share/fish/vendor_completions.d" "$share/man/man1"
cli="$ROOT/target/release/pixdrop"
"$cli" completions bash >"$share/bash-completion/completions/pixdrop"
"$cli" completions zsh >"$share/zsh/vendor-completions/_pixdrop"
"$cli" completions fish >"$share/fish/vendor_completions.d/pixdrop.fish"
"$cli" man | gzip -9n >"$share/man/man1/pixdrop.1.gz"
chmod 0644 "$share/bash-completion/completions/pixdrop" "$share/zsh/vendor-completions/_pixdrop" \
  "$share/fish/vendor_completions.d/pixdrop.fish" "$share/man/man1/pixdrop.1.gz"
dpkg-deb --root-owner-group -Zxz -z9 --build "$unpacked/root" "$deb" >/dev/null
rm -rf "$unpacked"
size() { numfmt --to=iec-i --suffix=B --format='%.1f' "$(stat -c %s "$1")"; }
echo "package:          $deb ($(size "$deb"))"
echo "pixdrop-app:      $(size "$ROOT/target/release/pixdrop-app")"
echo "pixdrop (CLI):    $(size "$ROOT/target/release/pixdrop")"
