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

describe("plurals", () => {
  it("says 1 image, 2 images, 1 link", () => {
    locale.value = "en";
    expect(t("albumCount", { n: 1 })).toBe("1 image");
    expect(t("albumCount", { n: 2 })).toBe("2 images");
    expect(t("albumCopied", { n: 1, format: "URL" })).toBe("Copied 1 link as URL.");
    expect(t("albumCopied", { n: 3, format: "URL" })).toBe("Copied 3 links as URL.");
    expect(t("picgoAlbum", { added: 1, present: 0 })).toBe("Album: 1 record added, 0 already here");
    locale.value = "zh-CN";
    expect(t("albumCount", { n: 1 })).toBe("1 张图片");
  });

  it("no English text with a number keeps a plural noun for 1", async () => {
    const { messageKeys } = await import("./i18n");
    locale.value = "en";
    for (const k of messageKeys("en")) {
      const one = t(k as never, { n: 1, added: 1, configs: 1, records: 1, imported: 1, present: 1, format: "URL" });
      expect(one, k).not.toMatch(/\b1 (images|links|records|configs)\b/);
    }
  });
});

describe("host registry texts", () => {
  it("translates by kind and field key, falls back to the registry's English", async () => {
    const { hostText, kindName, optionName } = await import("./i18n");
    locale.value = "zh-CN";
    expect(hostText("github", "repo", "label", "Repository")).toBe("仓库");
    expect(hostText("s3", "mirrors", "label", "Mirrors")).toBe("镜像");
    expect(kindName("local", "Local folder")).toBe("本地文件夹");
    expect(optionName("on")).toBe("开");
    expect(optionName("v2")).toBe("v2");
    expect(hostText("newkind", "field", "help", "English help")).toBe("English help");
    locale.value = "en";
    expect(hostText("github", "repo", "label", "Repository")).toBe("Repository");
    expect(kindName("local", "Local folder")).toBe("Local folder");
  });

  it("has a label and a help for every field it names", async () => {
    const { hostMessages } = await import("./i18nHosts");
    const zh = hostMessages["zh-CN"]!;
    const fields = new Set(Object.keys(zh).filter((k) => /\.(label|help)$/.test(k)).map((k) => k.replace(/\.(label|help)$/, "")));
    for (const f of fields) {
      expect(zh[`${f}.label`], f).toBeTruthy();
      expect(zh[`${f}.help`], f).toBeTruthy();
    }
    expect(fields.size).toBeGreaterThan(70);
  });
});
