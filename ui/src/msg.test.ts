import { describe, expect, it } from "vitest";
import { locale } from "./i18n";
import { say, type Msg } from "./msg";
import { ApiError } from "./api";

const io: Msg = { text: "no such file or folder", template: "no such file or folder" };
const file: Msg = { text: "/tmp/{a}.png: no such file or folder", template: "{path}: {reason}", args: { path: "/tmp/{a}.png", reason: io } };
const failed: Msg = { text: "main failed: /tmp/{a}.png: no such file or folder", template: "{config} failed: {error}", args: { config: "main", error: file } };

describe("messages made in Rust, in the user's language", () => {
  it("English is the text Rust made", () => {
    expect(say(failed, "en")).toBe("main failed: /tmp/{a}.png: no such file or folder");
  });
  it("简体中文: the template's translation, nested messages translated in turn, arguments as they are", () => {
    const zh = say(failed, "zh-CN");
    expect(zh).toContain("main");
    expect(zh).toContain("/tmp/{a}.png");
    expect(zh.replace("/tmp/{a}.png", "").replace("main", "")).not.toMatch(/[A-Za-z]{3,}/);
  });
  it("words that are not ours stay as they came; a template with no translation stays English", () => {
    expect(say({ text: "Token invalid" }, "zh-CN")).toBe("Token invalid");
    expect(say({ text: "made elsewhere 3", template: "made elsewhere {n}", args: { n: "3" } }, "zh-CN")).toBe("made elsewhere 3");
    expect(say(null)).toBe("");
  });
  it("an ApiError's message follows the language when it was made", () => {
    locale.value = "zh-CN";
    const e = new ApiError({ kind: "file", message: file.text, template: file.template, args: file.args });
    expect(e.message).not.toMatch(/such file/);
    expect(e.msg.text).toBe(file.text);
    locale.value = "en";
    expect(new ApiError({ kind: "file", message: file.text, template: file.template, args: file.args }).message).toBe(file.text);
  });
  it("a field named in a message reads as its form labels it, in either language", () => {
    const bucket: Msg = { text: "Bucket", term: "s3.bucket.label" };
    const mirrors: Msg = { text: "Mirrors", term: "github.mirrors.label" };
    const named: Msg = { text: "Bucket (bucket)", template: "{0} ({1})", args: { "0": bucket, "1": "bucket" } };
    expect(say(named, "en")).toBe("Bucket (bucket)");
    expect(say(bucket, "zh-CN")).toBe("存储桶");
    expect(say(mirrors, "zh-CN")).toBe("镜像");
    expect(say(named, "zh-CN")).toContain("存储桶");
    expect(say({ text: "Odd", term: "s3.nothing.label" }, "zh-CN")).toBe("Odd");
  });
});
