import { beforeEach, describe, expect, it } from "vitest";
import type { FieldSpec, KindInfo } from "./api";
import { locale } from "./i18n";
import { fieldProblem, formProblems, initialValues, namesOf, toggleName, valueText } from "./hostForm";

const field = (over: Partial<FieldSpec>): FieldSpec => ({
  key: "k", label: "K", kind: "text", required: false, default: null, options: [], help: "", example: "", ...over,
});

const custom: KindInfo = {
  kind: "custom",
  label: "Custom web API",
  can_delete: true,
  can_sync: false,
  can_hold_sync: false,
  fields: [
    field({ key: "url", kind: "url", required: true }),
    field({ key: "method", kind: "choice", default: "POST", options: ["POST", "PUT"] }),
    field({ key: "headers", kind: "secretjson" }),
    field({ key: "max_size_mb", kind: "number" }),
  ],
};

describe("host form", () => {
  beforeEach(() => {
    locale.value = "en";
  });

  it("starts from a config's settings, JSON pretty-printed", () => {
    const v = initialValues(custom, { name: "c", kind: "custom", default: false, settings: { url: "https://x", headers: { a: "b" }, max_size_mb: 5 } });
    expect(v).toEqual({ url: "https://x", method: "", headers: '{\n  "a": "b"\n}', max_size_mb: "5" });
    expect(initialValues(custom)).toEqual({ url: "", method: "", headers: "", max_size_mb: "" });
  });

  it("names what is wrong with each field", () => {
    expect(fieldProblem(custom.fields[0], "")).toBe("Required");
    expect(fieldProblem(custom.fields[0], "not a url")).toBe("Not a URL");
    expect(fieldProblem(custom.fields[0], "ftp://x")).toBe("Must start with http:// or https://");
    expect(fieldProblem(custom.fields[0], "https://x/up?name={filename}")).toBeNull();
    expect(fieldProblem(custom.fields[1], "")).toBeNull();
    expect(fieldProblem(custom.fields[1], "GET")).toBe("One of: POST, PUT");
    expect(fieldProblem(custom.fields[2], "[1]")).toBe("Must be a JSON object like {\"name\": \"value\"}");
    expect(fieldProblem(custom.fields[2], '{"a": ')).toMatch(/^Not valid JSON: /);
    expect(fieldProblem(custom.fields[3], "ten")).toBe("Must be a number above 0");
    expect(fieldProblem(custom.fields[3], "-3")).toBe("Must be a number above 0");
    expect(fieldProblem(custom.fields[3], "4.5")).toBeNull();
  });

  it("collects the problems of a whole form", () => {
    expect(formProblems(custom, "", { url: "https://x", method: "", headers: "", max_size_mb: "" })).toEqual({ name: "Required" });
    expect(Object.keys(formProblems(custom, "n", { url: "", method: "", headers: "{", max_size_mb: "" }))).toEqual(["url", "headers"]);
  });
});

it("a switch takes true or false", () => {
  const f = field({ kind: "bool", default: "false" });
  expect(fieldProblem(f, "")).toBeNull();
  expect(fieldProblem(f, "true")).toBeNull();
  expect(fieldProblem(f, "maybe")).not.toBeNull();
});

describe("mirror lists", () => {
  it("reads and toggles names typed with commas", () => {
    expect(namesOf(" a, b,,a ")).toEqual(["a", "b"]);
    expect(toggleName("a, b", "c", true)).toBe("a, b, c");
    expect(toggleName("a, b", "a", false)).toBe("b");
    expect(toggleName("a", "a", true)).toBe("a");
    expect(valueText(["a", "b"])).toBe("a, b");
  });
});

describe("errors from Rust beside their field", () => {
  it("finds the field a message names", async () => {
    const { fieldOfError } = await import("./hostForm");
    expect(fieldOfError('Repository (repo) must be owner/name, e.g. me/images, not "x"', ["token", "repo"])).toBe("repo");
    expect(fieldOfError("Largest file (MB) (max_size_mb) must be a number above 0", ["max_size_mb"])).toBe("max_size_mb");
    expect(fieldOfError("the host said no", ["repo"])).toBeNull();
  });
});

describe("a host row's summary", () => {
  it("says where it uploads and its mirrors, never a secret", async () => {
    const { hostSummary } = await import("./hostForm");
    locale.value = "en";
    const f = (key: string, kind: FieldSpec["kind"]): FieldSpec => ({ key, label: key, kind, required: false, default: null, options: [], help: "", example: "" });
    const s3: KindInfo = { kind: "s3", label: "S3", fields: [f("endpoint", "url"), f("bucket", "text"), f("secret_key", "secret"), f("path_style", "bool"), f("mirrors", "hosts")] } as KindInfo;
    const summary = hostSummary(s3, { name: "b", kind: "s3", default: false, settings: { endpoint: "http://127.0.0.1:9000", bucket: "pics", secret_key: "SECRET", path_style: true, mirrors: ["one", "two"] } });
    expect(summary).toBe("127.0.0.1:9000 · pics · mirrors to one, two");
    expect(summary).not.toContain("SECRET");
  });
});
