import { describe, expect, it } from "vitest";
import { locale } from "./i18n";
import type { SettingsView } from "./api";
import { applyAppearance, chooseLocale, prefs, resolveTheme, statusArrived, takeView } from "./prefs";

describe("appearance", () => {
  it("follows the system language unless one is chosen", () => {
    expect(chooseLocale("", "zh-CN")).toBe("zh-CN");
    expect(chooseLocale("", "en")).toBe("en");
    expect(chooseLocale("en", "zh-CN")).toBe("en");
    expect(chooseLocale("zh-CN", "en")).toBe("zh-CN");
  });

  it("puts the chosen or the system's theme on the root", () => {
    const root = document.createElement("html");
    applyAppearance({ language: "zh-CN", theme: "dark" }, root, false);
    expect(root.dataset.theme).toBe("dark");
    expect(root.lang).toBe("zh-CN");
    expect(locale.value).toBe("zh-CN");
    applyAppearance({ language: "en", theme: "system" }, root, true);
    expect(root.dataset.theme).toBe("dark");
    expect(locale.value).toBe("en");
    applyAppearance({ language: "en", theme: "system" }, root, false);
    expect(root.dataset.theme).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
  });
});

describe("statuses that come as events", () => {
  const view = (keys: string, state: string) =>
    ({ settings: { language: "en", theme: "light" }, shortcut: { shortcut: keys }, server: { state } }) as unknown as SettingsView;

  it("keep an event's status over a view asked for before it", async () => {
    let answer!: (v: SettingsView) => void;
    const asked = takeView(() => new Promise((r) => (answer = r)));
    // The binding changes while the view is on its way; the view still has the old keys.
    statusArrived("shortcut", view("Super+Alt+P", "").shortcut);
    answer(view("Ctrl+Shift+U", "running"));
    await asked;
    expect(prefs.value?.shortcut).toEqual({ shortcut: "Super+Alt+P" });
    expect(prefs.value?.server).toEqual({ state: "running" });
  });

  it("take the view's status when no event came meanwhile", async () => {
    statusArrived("shortcut", view("Super+Alt+P", "").shortcut);
    await takeView(async () => view("Ctrl+Alt+K", "running"));
    expect(prefs.value?.shortcut).toEqual({ shortcut: "Ctrl+Alt+K" });
  });
});
