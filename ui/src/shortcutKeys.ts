// The shortcut recorder: turn a key press into Tauri's accelerator syntax
// (e.g. "CommandOrControl+Shift+U"), as the global-shortcut plugin parses it.

export type KeyPress = Pick<KeyboardEvent, "key" | "code" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">;

const MODIFIER_KEYS = new Set(["Control", "Meta", "Alt", "Shift", "OS", "AltGraph"]);

/** The key part of an accelerator, from the physical key (so Shift+2 stays "2"). */
export function keyName(e: KeyPress): string | null {
  const c = e.code;
  if (/^Key[A-Z]$/.test(c)) return c.slice(3);
  if (/^Digit[0-9]$/.test(c)) return c.slice(5);
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(c)) return c;
  if (/^Numpad[0-9]$/.test(c)) return "Num" + c.slice(6);
  const named: Record<string, string> = {
    Space: "Space", Enter: "Enter", Tab: "Tab", Backspace: "Backspace", Delete: "Delete", Insert: "Insert",
    Home: "Home", End: "End", PageUp: "PageUp", PageDown: "PageDown", ArrowUp: "Up", ArrowDown: "Down",
    ArrowLeft: "Left", ArrowRight: "Right", Minus: "-", Equal: "=", BracketLeft: "[", BracketRight: "]",
    Backslash: "\\", Semicolon: ";", Quote: "'", Comma: ",", Period: ".", Slash: "/", Backquote: "`",
    PrintScreen: "PrintScreen",
  };
  return named[c] ?? null;
}

export type Recorded = { kind: "done"; accelerator: string } | { kind: "waiting" } | { kind: "invalid"; reason: "modifier" | "key" };

/**
 * What a key press records: modifiers alone keep waiting; a key without Ctrl/Cmd/Alt is refused
 * (a global shortcut on a bare key would swallow typing); otherwise the accelerator.
 */
export function record(e: KeyPress, isMac = false): Recorded {
  if (MODIFIER_KEYS.has(e.key)) return { kind: "waiting" };
  const key = keyName(e);
  if (!key) return { kind: "invalid", reason: "key" };
  const primary = isMac ? e.metaKey : e.ctrlKey;
  const parts: string[] = [];
  if (primary) parts.push("CommandOrControl");
  if (isMac && e.ctrlKey) parts.push("Control");
  if (!isMac && e.metaKey) parts.push("Super");
  if (e.altKey) parts.push("Alt");
  if (e.shiftKey) parts.push("Shift");
  const hasStrong = primary || e.altKey || (isMac ? e.ctrlKey : e.metaKey);
  if (!hasStrong && !/^F\d+$/.test(key)) return { kind: "invalid", reason: "modifier" };
  parts.push(key);
  return { kind: "done", accelerator: parts.join("+") };
}

/** An accelerator as people read it on this platform. */
export function display(accelerator: string, isMac = false): string {
  return accelerator
    .split("+")
    .map((p) => {
      if (p === "CommandOrControl") return isMac ? "⌘" : "Ctrl";
      if (!isMac) return p;
      return ({ Shift: "⇧", Alt: "⌥", Control: "⌃" } as Record<string, string>)[p] ?? p;
    })
    .join(isMac ? "" : "+");
}

/**
 * Watches the recorder's key events for a combination another program holds: its X grab takes
 * the key, so the recorder sees Ctrl/Alt go down and then either up again with no key between
 * (`up` says true when the last such modifier is let go) or, as WebKitGTK delivers real key
 * presses, the window losing focus to the grab while they are held and no key-ups at all
 * (`blur` says true).
 */
export function chordWatch(): { down: (e: KeyPress) => void; up: (e: KeyPress) => boolean; blur: () => boolean } {
  // Which modifiers are held, from their own down and up events: a key-up's ctrlKey/altKey says
  // the state before it (WebKitGTK), not after.
  const STRONG = new Set(["Control", "Alt", "Meta", "OS"]);
  const held = new Set<string>();
  let strong = false;
  let keySeen = false;
  return {
    down(e) {
      if (!MODIFIER_KEYS.has(e.key)) keySeen = true;
      else {
        held.add(e.key);
        if (STRONG.has(e.key)) strong = true;
      }
    },
    up(e) {
      if (!MODIFIER_KEYS.has(e.key)) return false;
      held.delete(e.key);
      if ([...held].some((k) => STRONG.has(k))) return false;
      return settle();
    },
    blur() {
      // Only while a strong modifier is still held: the grab activated under it.
      if (![...held].some((k) => STRONG.has(k))) strong = false;
      return settle();
    },
  };
  function settle(): boolean {
    const vanished = strong && !keySeen;
    held.clear();
    strong = false;
    keySeen = false;
    return vanished;
  }
}
