#!/usr/bin/env bash
# headless.sh CMD [ARGS...]: run CMD on a virtual X display with a D-Bus session of its own.
#
# Programs under test ask D-Bus to start helpers (the accessibility bus, xdg-desktop-portal) and
# the CLI leaves a clipboard owner behind; these outlive CMD and keep our stdout open, so a caller
# waiting for end-of-output would wait forever. CMD therefore runs in a new session, and whatever
# is left of that session when CMD ends is killed. The exit status is CMD's.
#
# -noreset: by default an X server starts over whenever its last client disconnects, and a client
# that connects meanwhile is refused ("Can't open display", "Connection reset by peer"). Tests
# connect and disconnect all the time, so the display must stay up between them.
set -uo pipefail
export NO_AT_BRIDGE=1 GTK_A11Y=none
setsid xvfb-run -a -s "-screen 0 1280x800x24 -noreset" dbus-run-session -- "$@" &
sid=$!
status=0
wait "$sid" || status=$?
pkill -KILL -s "$sid" 2>/dev/null || true
exit "$status"
