#!/usr/bin/env bash
# soak.sh [N]: run the X11 clipboard tests, the storage tests against real servers (SeaweedFS,
# wsgidav, sshd), the Wayland (sway) and keyring (GNOME Keyring) CLI tests and the GUI suite N times (default 10) while a CPU hog
# keeps every core busy, and print passed/failed per test. Flaky tests show up here, not in CI.
# Uses what scripts/test.sh built (it builds what is missing); installs stress-ng if needed.
source "$(dirname "$0")/setup.sh"
N="${1:-10}"
apt_install "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}" stress-ng
ensure_rust
ensure_test_servers
build_ui
build_test_apps
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version '^2'

say "building the X11 clipboard tests"
cd "$ROOT"
X11_TESTS=()
while IFS= read -r exe; do X11_TESTS+=("$exe"); done < <(
  cargo test -p pixdrop-clipboard --test x11 --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p')
[ ${#X11_TESTS[@]} -gt 0 ] || { echo "could not build the X11 clipboard tests" >&2; exit 1; }
say "building the storage tests"
STORAGE_TESTS=()
while IFS= read -r exe; do STORAGE_TESTS+=("$exe"); done < <(
  cargo test -p pixdrop-core --test storage --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p')
[ ${#STORAGE_TESTS[@]} -gt 0 ] || { echo "could not build the storage tests" >&2; exit 1; }

say "building the CLI tests (Wayland clipboard on sway, secrets in GNOME Keyring)"
CLI_TESTS=()
while IFS= read -r exe; do CLI_TESTS+=("$exe"); done < <(
  cargo test -p pixdrop --test cli --no-run --message-format=json 2>/dev/null |
    grep '"kind":\["test"\]' | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p')
[ ${#CLI_TESTS[@]} -gt 0 ] || { echo "could not build the CLI tests" >&2; exit 1; }

LOG="$ROOT/target/soak"
rm -rf "$LOG" && mkdir -p "$LOG"
say "loading both cores (stress-ng --cpu $(nproc)) for the whole run"
stress-ng --cpu "$(nproc)" --timeout 0 --quiet &
HOG=$!
trap 'kill "$HOG" 2>/dev/null; wait "$HOG" 2>/dev/null' EXIT

for i in $(seq 1 "$N"); do
  say "round $i of $N"
  for exe in "${X11_TESTS[@]}"; do
    # Results on stdout; the display's and D-Bus's chatter on stderr, apart, so lines stay whole.
    bash "$ROOT/scripts/headless.sh" "$exe" --include-ignored --test-threads=1 >"$LOG/x11-$i.txt" 2>"$LOG/x11-$i.err" || true
  done
  for exe in "${STORAGE_TESTS[@]}"; do
    "$exe" --include-ignored >"$LOG/storage-$i.txt" 2>"$LOG/storage-$i.err" || true
  done
  for exe in "${CLI_TESTS[@]}"; do
    bash "$ROOT/scripts/headless.sh" "$exe" --include-ignored wayland keyring secret_service \
      >"$LOG/cli-$i.txt" 2>"$LOG/cli-$i.err" || true
  done
  (cd "$ROOT/tests/gui" && bash ../../scripts/headless.sh node --test --test-concurrency=1 --test-timeout=300000 \
    --test-reporter=tap ./*.test.mjs >"$LOG/gui-$i.txt" 2>"$LOG/gui-$i.err") || true
done

# Tally "test NAME ... ok|FAILED" (cargo) and "ok N - NAME" / "not ok N - NAME" (node's TAP,
# top-level tests only).
say "results over $N rounds under load"
{
  sed -n 's/^test \(.*\) \.\.\. ok$/\1 ok/p; s/^test \(.*\) \.\.\. FAILED$/\1 failed/p' "$LOG"/x11-*.txt "$LOG"/storage-*.txt "$LOG"/cli-*.txt
  sed -n 's/^ok [0-9]* - \(.*\)$/\1 ok/p; s/^not ok [0-9]* - \(.*\)$/\1 failed/p' "$LOG"/gui-*.txt
} | awk '{ r = $NF; $NF = ""; sub(/ $/, ""); if (r == "ok") p[$0]++; else f[$0]++; seen[$0] = 1 }
  END { bad = 0; for (t in seen) { printf "%3d passed / %d failed  %s\n", p[t], f[t], t; if (f[t]) bad = 1 } exit bad }'
status=$?
echo "logs: $LOG"
exit "$status"
