// Storage configs as PicGo and PicList write them (through PicGo's own store library), imported
// by the real `pixdrop` binary: they become s3, webdav, sftp and local configs that Pixdrop can
// build, and what has no place in Pixdrop is named. Run after the e2e build (target/e2e/pixdrop).
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

test("PicGo's and PicList's storage configs become Pixdrop's storage kinds", () => {
  const picgo = mkdtempSync(join(tmpdir(), "picgo-"));
  const home = mkdtempSync(join(tmpdir(), "pixdrop-home-"));
  const data = new JSONStore(join(picgo, "data.json"));
  const one = (type, cfg) => data.set(`uploader.${type}`, { configList: [{ _id: type, _configName: type, ...cfg }], defaultId: type });
  data.set("picBed.uploader", "aws-s3-plist");
  one("aliyun", { accessKeyId: "AK", accessKeySecret: "SK", bucket: "pics", area: "oss-cn-hangzhou", path: "img", customUrl: "", options: "" });
  one("aws-s3-plist", {
    accessKeyID: "AK", secretAccessKey: "SK", bucketName: "pics", uploadPath: "{year}/{month}/{md5}.{extName}",
    endpoint: "http://127.0.0.1:9000", urlPrefix: "http://127.0.0.1:9000", pathStyleAccess: true, urlSuffix: "?v=1",
  });
  one("webdavplist", { host: "dav.example.com", sslEnabled: true, username: "me", password: "pw", path: "img", webpath: "", customUrl: "", authType: "basic", options: "" });
  one("sftpplist", { host: "box.example.com", port: 22, username: "me", password: "pw", uploadPath: "/srv/img", customUrl: "https://img.example.com", webPath: "" });
  one("local", { path: "/srv/pics", customUrl: "https://pics.example.com", webPath: "" });

  const report = JSON.parse(pixdrop(home, "import", "picgo", picgo, "--json"));
  assert.deepEqual(
    report.configs_added.map((c) => [c.name, c.kind]).sort(),
    [["aliyun", "s3"], ["aws-s3-plist", "s3"], ["local", "local"], ["sftpplist", "sftp"], ["webdavplist", "webdav"]],
  );
  assert.deepEqual(report.not_taken, ['aws-s3-plist: urlSuffix "?v=1" (a URL suffix; Pixdrop\'s links have none)']);
  assert.equal(report.default_host, "aws-s3-plist");
  const show = (name) => JSON.parse(pixdrop(home, "hosts", "show", name, "--json")).settings;
  assert.equal(show("aws-s3-plist").upload_path, "{Y}/{m}/{md5}.{ext}");
  assert.equal(show("aws-s3-plist").url_prefix, "http://127.0.0.1:9000/pics");
  assert.equal(show("aliyun").endpoint, "https://oss-cn-hangzhou.aliyuncs.com");
  assert.equal(show("webdavplist").url, "https://dav.example.com/img");
  assert.equal(show("webdavplist").url_prefix, "https://dav.example.com/img");
  assert.equal(show("sftpplist").path, "/srv/img");
  assert.equal(show("sftpplist").url_prefix, "https://img.example.com/srv/img");
  assert.equal(show("local").url_prefix, "https://pics.example.com");
  // Secrets came over and are kept masked.
  assert.notEqual(show("webdavplist").password, "pw");
});
