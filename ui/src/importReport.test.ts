import { beforeEach, describe, expect, it } from "vitest";
import type { PicgoReport } from "./api";
import { locale } from "./i18n";
import { describePicgoImport } from "./importReport";

const empty: PicgoReport = {
  sources: ["/p/data.json"],
  configs_added: [],
  configs_present: [],
  configs_skipped: [],
  not_taken: [],
  settings: [],
  default_host: null,
  records_added: 0,
  records_present: 0,
  unknown_types: [],
};

describe("describePicgoImport", () => {
  beforeEach(() => {
    locale.value = "en";
  });

  it("says when there was nothing to import", () => {
    expect(describePicgoImport(empty)).toEqual(["Nothing to import."]);
  });

  it("lists configs, settings, album counts and unknown host types", () => {
    const lines = describePicgoImport({
      ...empty,
      configs_added: [{ name: "Work", kind: "smms", from: "smms “Work”" }],
      configs_present: ["Default"],
      settings: ["link_format = url"],
      records_added: 3,
      records_present: 1,
      unknown_types: [{ picgo_type: "github", configs: 1, records: 2 }],
    });
    expect(lines).toEqual([
      "Host configs added: Work (smms)",
      "Already here: Default",
      "Settings taken over: link_format = url",
      "Album: 3 records added, 1 already here",
      "PicGo host type “github” has no Pixdrop host: 1 config left out, 2 records imported",
    ]);
  });

  it("speaks Chinese when the locale is zh-CN", () => {
    locale.value = "zh-CN";
    expect(describePicgoImport({ ...empty, records_added: 2 })).toEqual(["相册：新增 2 条记录，0 条已存在"]);
  });
});
