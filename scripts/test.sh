#!/usr/bin/env bash
# Set up what is missing and run every test: UI unit tests, the engine and CLI tests (with the
# clipboard tests on a virtual X display), and the app in a real window.
source "$(dirname "$0")/setup.sh"
apt_install "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_rust
build_ui

say "UI unit tests (Vitest)"
(cd "$ROOT/ui" && npm test)

build_app

say "engine, CLI and app unit tests (clipboard tests on Xvfb)"
cd "$ROOT"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  cargo test --workspace --exclude pixdrop-app -- --include-ignored
cargo test --profile e2e -p pixdrop-app

say "the app in a real window"
bash "$ROOT/tests/gui/run.sh"
