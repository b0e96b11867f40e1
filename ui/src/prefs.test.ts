import { describe, expect, it } from "vitest";
import { locale } from "./i18n";
import { applyAppearance, chooseLocale, resolveTheme } from "./prefs";

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
