#!/usr/bin/env bash
# Set up what is missing, build, and start Pixdrop. Arguments go to the app (e.g. --data-dir DIR).
source "$(dirname "$0")/setup.sh"
apt_install "${APP_PACKAGES[@]}"
ensure_rust
build_ui
build_app
say "starting Pixdrop (the CLI is at target/e2e/pixdrop)"
exec "$ROOT/target/e2e/pixdrop-app" "$@"
