#!/usr/bin/python3
"""What a window manager does, for tests on a bare X display (Xvfb has no WM):
  wm.py close TITLE    ask each window titled TITLE to close (WM_DELETE_WINDOW, as the × does)
  wm.py visible TITLE  print how many windows titled TITLE are mapped (shown)
  wm.py grab KEYS      hold a global key grab (e.g. ctrl+alt+g), as another app's shortcut
                       would, until stdin closes; prints "grabbed" once it holds it
  wm.py mapped TITLE   print "watching", then "mapped" the moment a window titled TITLE is mapped
                       (MapNotify on the root: no polling, so a start-up is timed to the event)
  wm.py owner SEL      print the window id that owns selection SEL now (0: none)
  wm.py owners SEL     print a line each time selection SEL (e.g. CLIPBOARD) gets a new owner
                       (XFixes), until stdin closes; prints "watching" first
"""
import sys

from Xlib import X, display, protocol


def windows(d, title):
    out = []
    stack = [d.screen().root]
    while stack:
        w = stack.pop()
        try:
            name = w.get_wm_name()
            children = w.query_tree().children
        except Exception:
            continue
        if name == title:
            out.append(w)
        stack.extend(children)
    return out


def main():
    cmd, title = sys.argv[1], sys.argv[2]
    d = display.Display()
    found = windows(d, title)
    if cmd == "visible":
        print(sum(1 for w in found if w.get_attributes().map_state == X.IsViewable))
    elif cmd == "close":
        delete = d.intern_atom("WM_DELETE_WINDOW")
        protocols = d.intern_atom("WM_PROTOCOLS")
        sent = 0
        for w in found:
            if delete not in (w.get_wm_protocols() or []):
                continue
            ev = protocol.event.ClientMessage(window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
            w.send_event(ev, event_mask=X.NoEventMask)
            sent += 1
        d.flush()
        print(sent)
        if not sent:
            sys.exit(1)
    elif cmd == "grab":
        from Xlib import XK
        mods = {"ctrl": X.ControlMask, "alt": X.Mod1Mask, "shift": X.ShiftMask, "super": X.Mod4Mask}
        *mod_names, key = title.lower().split("+")
        mask = 0
        for m in mod_names:
            mask |= mods[m]
        keycode = d.keysym_to_keycode(XK.string_to_keysym(key))
        root = d.screen().root
        # With and without NumLock (Mod2), as shortcut libraries grab.
        for extra in (0, X.Mod2Mask):
            root.grab_key(keycode, mask | extra, True, X.GrabModeAsync, X.GrabModeAsync)
        d.sync()
        print("grabbed", flush=True)
        sys.stdin.read()
    elif cmd == "mapped":
        root = d.screen().root
        root.change_attributes(event_mask=X.SubstructureNotifyMask)
        d.sync()
        print("watching", flush=True)
        shown = set()  # mapped windows whose title may come after the map
        while True:
            ev = d.next_event()
            if ev.type == X.MapNotify:
                w = ev.window
                shown.add(w.id)
                try:
                    w.change_attributes(event_mask=X.PropertyChangeMask)
                    name = w.get_wm_name()
                except Exception:
                    continue
            elif ev.type == X.UnmapNotify:
                shown.discard(ev.window.id)
                continue
            elif ev.type == X.PropertyNotify and ev.window.id in shown:
                try:
                    name = ev.window.get_wm_name()
                except Exception:
                    continue
            else:
                continue
            if name == title:
                print("mapped", flush=True)
                return
    elif cmd == "owner":
        owner = d.get_selection_owner(d.intern_atom(title))
        print(getattr(owner, "id", owner) or 0)
    elif cmd == "owners":
        import select
        from Xlib.ext import xfixes
        d.xfixes_query_version()
        root = d.screen().root
        d.xfixes_select_selection_input(root, d.intern_atom(title), xfixes.XFixesSetSelectionOwnerNotifyMask)
        d.sync()
        print("watching", flush=True)
        while True:
            while d.pending_events():
                ev = d.next_event()
                if type(ev).__name__ == "SetSelectionOwnerNotify":
                    print(f"owner {getattr(ev.owner, 'id', ev.owner)}", flush=True)
            ready, _, _ = select.select([d.fileno(), sys.stdin], [], [])
            if sys.stdin in ready and not sys.stdin.readline():
                return
    else:
        sys.exit(f"unknown command {cmd}")


main()
