import { describe, expect, it } from "vitest";
import { locale } from "./i18n";
import { ApiError } from "./api";
import { sayingOf } from "./saying";

describe("a status line is said in the language of the moment", () => {
  it("Rust's error, said again after the language changes", () => {
    locale.value = "en";
    const said = sayingOf(new ApiError({ kind: "file", message: "/tmp/a.png: no such file or folder", template: "{path}: {reason}", args: { path: "/tmp/a.png", reason: { text: "no such file or folder", template: "no such file or folder" } } }));
    expect(said()).toBe("/tmp/a.png: no such file or folder");
    locale.value = "zh-CN";
    expect(said()).toContain("/tmp/a.png");
    expect(said()).not.toMatch(/such file/);
    locale.value = "en";
  });
  it("any other error keeps its text", () => {
    expect(sayingOf(new Error("boom"))()).toBe("boom");
    expect(sayingOf("plain")()).toBe("plain");
  });
});
