// Hosted-service configs as PicGo and PicList write them (through PicGo's own store library),
// imported by the real `pixdrop` binary: PicGo's github, imgur and upyun and PicList's lskyplist
// become Pixdrop's kinds of those names, their album records keep the delete handles Pixdrop can
// use, and what has no place in Pixdrop is named. Run after the e2e build (target/e2e/pixdrop).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { JSONStore } from "@picgo/store";

const ROOT = resolve(import.meta.dirname, "../..");
const PIXDROP = process.env.PIXDROP_BIN ?? join(ROOT, "target/e2e/pixdrop");
const pixdrop = (home, ...args) => execFileSync(PIXDROP, ["--data-dir", home, ...args], { encoding: "utf8" });

test("PicGo's github, imgur, upyun and PicList's lskyplist configs come over", () => {
  const picgo = mkdtempSync(join(tmpdir(), "picgo-"));
  const home = mkdtempSync(join(tmpdir(), "pixdrop-home-"));
  const data = new JSONStore(join(picgo, "data.json"));
  const one = (type, cfg) => data.set(`uploader.${type}`, { configList: [{ _id: type, _configName: type, ...cfg }], defaultId: type });
  data.set("picBed.uploader", "github");
  one("github", { repo: "me/images", branch: "master", token: "ghp_secret", path: "img/", customUrl: "https://cdn.jsdelivr.net/gh/me/images@master" });
  one("imgur", { clientId: "client123", proxy: "http://127.0.0.1:7890" });
  one("upyun", { bucket: "pics", operator: "op", password: "pw", url: "https://img.example.com", path: "blog/", options: "!webp", antiLeechToken: "" });
  one("lskyplist", { version: "V2", host: "https://lsky.example.com", token: "Bearer 1|abc", strategyId: "1", albumId: "", permission: { label: "private", value: 0 }, ignoreCertErr: false });
  data.set("uploaded", [
    { fileName: "a.png", imgUrl: "https://i.imgur.com/abc.png", type: "imgur", hash: "delHash1" },
    { fileName: "b.png", imgUrl: "https://lsky.example.com/i/b.png", type: "lskyplist", hash: "Xk3p" },
    { fileName: "c.png", imgUrl: "https://cdn.jsdelivr.net/gh/me/images@master/img/c.png", type: "github", hash: "3b18e512dba79e4c8300dd08aeb37f8e728b8dad" },
  ]);

  const report = JSON.parse(pixdrop(home, "import", "picgo", picgo, "--json"));
  assert.deepEqual(
    report.configs_added.map((c) => [c.name, c.kind]).sort(),
    [["github", "github"], ["imgur", "imgur"], ["lskyplist", "lsky"], ["upyun", "upyun"]],
  );
  assert.deepEqual(report.not_taken, [
    'imgur: proxy "http://127.0.0.1:7890" (a proxy per config; Pixdrop has one proxy setting for all hosts)',
  ]);
  assert.equal(report.default_host, "github");
  const show = (name) => JSON.parse(pixdrop(home, "hosts", "show", name, "--json", "--reveal")).settings;
  assert.deepEqual(show("github"), {
    repo: "me/images", branch: "master", token: "ghp_secret", path: "img",
    custom_url: "https://cdn.jsdelivr.net/gh/me/images@master",
  });
  assert.deepEqual(show("upyun"), {
    bucket: "pics", operator: "op", password: "pw", url: "https://img.example.com", path: "blog", options: "!webp",
  });
  assert.deepEqual(show("lskyplist"), {
    url: "https://lsky.example.com", token: "Bearer 1|abc", version: "v2", strategy_id: "1", permission: "private",
  });
  assert.equal(show("imgur").client_id, "client123");

  const records = JSON.parse(pixdrop(home, "album", "list", "--json", "--limit", "0"));
  const handle = (file) => records.find((r) => r.file_name === file)?.delete_handle ?? null;
  assert.equal(handle("a.png"), "delHash1");
  assert.equal(handle("b.png"), "Xk3p");
  // GitHub's stored SHA without the file's path cannot delete anything: not taken as a handle.
  assert.equal(handle("c.png"), null);
});
