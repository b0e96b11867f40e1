#!/usr/bin/env bash
# Run the GUI tests: a virtual display, a D-Bus session, tauri-driver and WebKitWebDriver.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v tauri-driver >/dev/null; then
  echo "==> installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi
# Each test is bounded, so a hung window fails the run instead of stalling it.
exec bash ../../scripts/headless.sh node --test --test-concurrency=1 --test-timeout=300000 ./*.test.mjs
