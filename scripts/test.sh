#!/usr/bin/env bash
# Set up what is missing and run every test: UI unit tests, the engine and CLI tests (with the
# clipboard tests on a virtual X display), and the app in a real window.
source "$(dirname "$0")/setup.sh"
apt_install "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_rust
ensure_test_servers
build_ui

say "UI unit tests (Vitest)"
(cd "$ROOT/ui" && npm test)

build_test_apps

say "engine, CLI and app unit tests (clipboard tests on Xvfb)"
cd "$ROOT"
bash "$ROOT/scripts/headless.sh" cargo test --workspace --exclude pixdrop-app --exclude bare-window -- --include-ignored
cargo test --profile e2e -p pixdrop-app --features test-hooks

say "compatibility with PicGo's own store library (data.json, picgo.db)"
(cd "$ROOT/tests/compat" && npm ci --no-audit --no-fund && npm test)

say "fuzzing the local server's request parsing (60 s)"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# cargo-fuzz passes nightly-only flags; the stable toolchain ships the sanitizer runtime.
(cd "$ROOT/fuzz" && RUSTC_BOOTSTRAP=1 cargo fuzz run server_request -- -max_total_time=60 -rss_limit_mb=4096)

say "the app in a real window"
bash "$ROOT/tests/gui/run.sh"

say "the Debian package: built from the release profile, installed, used and removed"
bash "$ROOT/scripts/package.sh"
bash "$ROOT/scripts/headless.sh" bash "$ROOT/scripts/check-package.sh"
