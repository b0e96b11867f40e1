import { describe, expect, it } from "vitest";
import { locale } from "./i18n";
import { describeNote, describeProcessed, type Processed } from "./processed";

const p: Processed = { removed: ["EXIF", "GPS", "comments"], converted_from: "JPEG", converted_to: "WebP", resized: [[4000, 3000], [1920, 1440]], fitted: null, watermarked: true, size_before: 3 * 1024 * 1024, size_after: 300 * 1024 };

const timeout = { text: "the host did not answer within 2 s", template: "the host did not answer within {secs} s", args: { secs: "2" } };

describe("processing notes, worded in the UI's language", () => {
  it("English", () => {
    locale.value = "en";
    expect(describeProcessed(p)).toBe("location and camera data removed (EXIF, GPS, comments), converted JPEG → WebP, resized 4000×3000 → 1920×1440, watermarked: 3.0 MB → 300 KB");
    expect(describeProcessed({ ...p, removed: [], converted_to: "JPEG", resized: null, watermarked: false, fitted: 5 * 1024 * 1024 })).toBe("re-encoded as JPEG to fit the host's 5.0 MB: 3.0 MB → 300 KB");
    expect(describeNote({ type: "mirror-failed", config: "b", why: timeout })).toBe("mirror b failed: the host did not answer within 2 s");
  });
  it("简体中文, with no English word of ours left", () => {
    locale.value = "zh-CN";
    const text = describeProcessed(p) + describeNote({ type: "fallback", config: "a", mirror: "b", why: timeout });
    expect(text).toContain("2");
    expect(text).toContain("已移除位置和相机信息");
    expect(text.replace(/EXIF|GPS|JPEG|WebP|MB|KB/g, "")).not.toMatch(/[A-Za-z]{3,}/);
  });
});
