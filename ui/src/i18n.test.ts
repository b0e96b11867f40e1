import { describe, expect, it } from "vitest";
import { locale, systemLocale, t } from "./i18n";

describe("i18n", () => {
  it("follows a Chinese system language", () => {
    expect(systemLocale(["zh-CN", "en"])).toBe("zh-CN");
    expect(systemLocale(["zh-TW"])).toBe("zh-CN");
    expect(systemLocale(["de-DE", "en-US"])).toBe("en");
  });

  it("fills parameters and switches language", () => {
    locale.value = "en";
    expect(t("error", { message: "boom" })).toBe("Something went wrong: boom");
    locale.value = "zh-CN";
    expect(t("error", { message: "boom" })).toBe("出错了：boom");
    expect(t("recent")).toBe("最近上传");
  });
});

describe("translations", () => {
  it("has every English text in 简体中文 too", async () => {
    const { messageKeys } = await import("./i18n");
    const en = messageKeys("en");
    const zh = messageKeys("zh-CN");
    expect(zh).toEqual(en);
    expect(en.length).toBeGreaterThan(100);
  });
});
