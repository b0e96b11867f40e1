import { describe, expect, it } from "vitest";
import { display, keyName, record } from "./shortcutKeys";

const press = (code: string, key: string, mods: Partial<Record<"ctrlKey" | "metaKey" | "altKey" | "shiftKey", boolean>> = {}) => ({
  code, key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods,
});

describe("shortcut recorder", () => {
  it("records Ctrl+Shift+U as PicGo's default", () => {
    expect(record(press("KeyU", "U", { ctrlKey: true, shiftKey: true }))).toEqual({ kind: "done", accelerator: "CommandOrControl+Shift+U" });
    expect(record(press("KeyU", "U", { metaKey: true, shiftKey: true }), true)).toEqual({ kind: "done", accelerator: "CommandOrControl+Shift+U" });
  });

  it("keeps waiting on modifiers and refuses bare keys", () => {
    expect(record(press("ShiftLeft", "Shift", { shiftKey: true }))).toEqual({ kind: "waiting" });
    expect(record(press("KeyU", "u"))).toEqual({ kind: "invalid", reason: "modifier" });
    expect(record(press("KeyU", "U", { shiftKey: true }))).toEqual({ kind: "invalid", reason: "modifier" });
    expect(record(press("F9", "F9"))).toEqual({ kind: "done", accelerator: "F9" });
    expect(record(press("IntlRo", "ro", { ctrlKey: true }))).toEqual({ kind: "invalid", reason: "key" });
  });

  it("names keys by their physical position", () => {
    expect(keyName(press("Digit2", "@", { shiftKey: true }))).toBe("2");
    expect(record(press("Digit2", "@", { altKey: true, shiftKey: true }))).toEqual({ kind: "done", accelerator: "Alt+Shift+2" });
    expect(keyName(press("ArrowUp", "ArrowUp"))).toBe("Up");
  });

  it("shows accelerators per platform", () => {
    expect(display("CommandOrControl+Shift+U")).toBe("Ctrl+Shift+U");
    expect(display("CommandOrControl+Shift+U", true)).toBe("⌘⇧U");
  });
});

describe("a combination another program holds", () => {
  const k = (key: string, mods: Partial<Record<"ctrlKey" | "altKey" | "metaKey" | "shiftKey", boolean>> = {}) =>
    ({ key, code: "", ctrlKey: false, altKey: false, metaKey: false, shiftKey: false, ...mods });
  it("is noticed when Ctrl/Alt go down and up with no key between", async () => {
    const { chordWatch } = await import("./shortcutKeys");
    const w = chordWatch();
    w.down(k("Control", { ctrlKey: true }));
    w.down(k("Alt", { ctrlKey: true, altKey: true }));
    // As WebKitGTK reports a key-up: the modifiers held before it.
    expect(w.up(k("Alt", { ctrlKey: true, altKey: true }))).toBe(false);
    expect(w.up(k("Control", { ctrlKey: true }))).toBe(true);
  });
  it("is said when the window loses focus to the grab while the modifiers are held", async () => {
    const { chordWatch } = await import("./shortcutKeys");
    const w = chordWatch();
    w.down(k("Control", { ctrlKey: true }));
    w.down(k("Alt", { ctrlKey: true, altKey: true }));
    // Real key presses: the grab takes focus; no key-up of Ctrl or Alt ever arrives.
    expect(w.blur()).toBe(true);
    // Focus back and another try that arrives: nothing left over from the first.
    w.down(k("Control", { ctrlKey: true }));
    w.down(k("h", { ctrlKey: true }));
    expect(w.up(k("Control", { ctrlKey: true }))).toBe(false);
  });
  it("is not said of a blur after the modifiers were let go, nor of one with a key", async () => {
    const { chordWatch } = await import("./shortcutKeys");
    const w = chordWatch();
    w.down(k("Control", { ctrlKey: true }));
    w.up(k("Control", { ctrlKey: true }));
    expect(w.blur()).toBe(false);
    w.down(k("Alt", { altKey: true }));
    w.down(k("x", { altKey: true }));
    expect(w.blur()).toBe(false);
    expect(w.blur()).toBe(false);
  });
  it("is not said of a combination that arrived, nor of Shift alone", async () => {
    const { chordWatch } = await import("./shortcutKeys");
    const w = chordWatch();
    w.down(k("Control", { ctrlKey: true }));
    w.down(k("k", { ctrlKey: true }));
    expect(w.up(k("Control"))).toBe(false);
    w.down(k("Shift", { shiftKey: true }));
    expect(w.up(k("Shift"))).toBe(false);
  });
});
