// A PicGo data folder written by PicGo's own store library (@picgo/store, as PicGo 2.3+ uses it:
// JSONStore for data.json, DBStore for the gzip-compressed picgo.db gallery), imported by the
// real `pixdrop` binary. Run after the e2e build (target/e2e/pixdrop).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DBStore, JSONStore } from "@picgo/store";

const ROOT = resolve(import.meta.dirname, "../..");
const PIXDROP = process.env.PIXDROP_BIN ?? join(ROOT, "target/e2e/pixdrop");

function pixdrop(home, ...args) {
  return execFileSync(PIXDROP, ["--data-dir", home, ...args], { encoding: "utf8" });
}

test("a folder written by PicGo's store imports once, with configs, settings and gallery", async () => {
  const picgo = mkdtempSync(join(tmpdir(), "picgo-"));
  const home = mkdtempSync(join(tmpdir(), "pixdrop-home-"));

  // What PicGo's settings pages write.
  const data = new JSONStore(join(picgo, "data.json"));
  data.set("picBed.uploader", "smms");
  data.set("picBed.current", "smms");
  data.set("uploader.smms", {
    configList: [
      { token: "token-one", backupDomain: "smms.app", _id: "a1", _configName: "Default", _createdAt: 1, _updatedAt: 1 },
      { token: "token-two", backupDomain: "", _id: "a2", _configName: "Blog", _createdAt: 2, _updatedAt: 2 },
    ],
    defaultId: "a2",
  });
  data.set("uploader.web-uploader", {
    configList: [
      {
        url: "https://img.example.com/api/upload",
        paramName: "file",
        jsonPath: "data.links[0].url",
        customHeader: '{"X-Api-Key":"k-123"}',
        customBody: "",
        _id: "w1",
        _configName: "Mine",
      },
    ],
    defaultId: "w1",
  });
  data.set("uploader.alistplist", { configList: [{ url: "https://alist.example", token: "al", _id: "g1", _configName: "Default" }], defaultId: "g1" });
  data.set("settings.pasteStyle", "URL");
  data.set("settings.customLink", "![$fileName]($url)");

  // What PicGo's gallery writes after uploads.
  const gallery = new DBStore(join(picgo, "picgo.db"), "uploaded");
  await gallery.insertMany([
    { fileName: "first.png", extname: ".png", imgUrl: "https://s.ee/i/first.png", type: "smms", width: 100, height: 50 },
    { fileName: "second.jpg", extname: ".jpg", imgUrl: "https://raw.example/me/pics/second.jpg", type: "alistplist", width: 8, height: 8 },
    { fileName: "third.webp", extname: ".webp", imgUrl: "https://img.example.com/third.webp", type: "web-uploader", width: 1, height: 2 },
  ]);

  const report = JSON.parse(pixdrop(home, "import", "picgo", picgo, "--json"));
  assert.deepEqual(
    report.configs_added.map((c) => [c.name, c.kind]),
    [["Default", "smms"], ["Blog", "smms"], ["Mine", "custom"]],
  );
  assert.equal(report.default_host, "Blog");
  assert.deepEqual(report.settings, ["link_format = url", "custom_link = ![$fileName]($url)"]);
  assert.equal(report.records_added, 3);
  assert.deepEqual(report.unknown_types, [{ picgo_type: "alistplist", configs: 1, records: 1 }]);

  const hosts = JSON.parse(pixdrop(home, "hosts", "list", "--json"));
  const mine = hosts.find((h) => h.name === "Mine");
  assert.equal(mine.settings.json_path, "data.links[0].url");
  assert.equal(mine.settings.headers["X-Api-Key"], "••••••••");
  assert.equal(hosts.find((h) => h.name === "Default").settings.server, "smms.app");

  const album = JSON.parse(pixdrop(home, "album", "list", "--json"));
  const byName = Object.fromEntries(album.map((r) => [r.file_name, r]));
  assert.equal(byName["first.png"].config_name, "Blog");
  assert.equal(byName["first.png"].width, 100);
  assert.equal(byName["third.webp"].host_kind, "custom");
  // DBStore stamps createdAt; the album keeps it.
  const stored = (await gallery.get()).data;
  assert.equal(byName["second.jpg"].created_at, stored.find((i) => i.fileName === "second.jpg").createdAt);

  const again = JSON.parse(pixdrop(home, "import", "picgo", picgo, "--json"));
  assert.equal(again.configs_added.length, 0);
  assert.equal(again.records_added, 0);
  assert.equal(again.records_present, 3);
});
