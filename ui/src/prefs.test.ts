import { describe, expect, it } from "vitest";
import { locale } from "./i18n";
import { applyAppearance, chooseLocale, themeAttribute } from "./prefs";

describe("appearance", () => {
  it("follows the system language unless one is chosen", () => {
    expect(chooseLocale("", "zh-CN")).toBe("zh-CN");
    expect(chooseLocale("", "en")).toBe("en");
    expect(chooseLocale("en", "zh-CN")).toBe("en");
    expect(chooseLocale("zh-CN", "en")).toBe("zh-CN");
  });

  it("puts an explicit theme on the root and removes it for system", () => {
    const root = document.createElement("html");
    applyAppearance({ language: "zh-CN", theme: "dark" }, root);
    expect(root.dataset.theme).toBe("dark");
    expect(root.lang).toBe("zh-CN");
    expect(locale.value).toBe("zh-CN");
    applyAppearance({ language: "en", theme: "system" }, root);
    expect(root.dataset.theme).toBeUndefined();
    expect(locale.value).toBe("en");
    expect(themeAttribute("light")).toBe("light");
  });
});
