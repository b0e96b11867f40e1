// A user's own S3 storage, set up in the app: the Image hosts page's generated form makes an
// `s3` config for a real S3 server (SeaweedFS, signatures checked), Test says the credentials
// work, a dropped file uploads, the link serves the same bytes, and the album has the record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OUT, S3_KEY, S3_SECRET, cleanup, cli, openApp, solidPng, startDriver, startSeaweed, tempHome } from "./harness.mjs";

test("an s3 config made in the Image hosts form uploads a dropped file to a real S3 server", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const s3 = await startSeaweed("gui-pics");
  stop(s3.stop);
  cli(home, "settings", "set", "server_enabled", "off");
  cli(home, "settings", "set", "notify", "off");
  const photo = join(home, "beach day.png");
  writeFileSync(photo, solidPng(32, 24, [200, 120, 40]));

  const driver = await startDriver(home, { PIXDROP_TEST_DROP: photo });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "storage-last.png");
  await s.click(await s.find("[data-tab=hosts]"));
  // Pick the kind in the Add menu, as a user does, and open its form.
  const offered = await s.waitFor("the Add menu's kinds", async () => {
    const kinds = await s.execute("return [...document.querySelectorAll('[data-test=add-kind] option')].map(o => o.value)");
    return kinds.length > 0 && kinds;
  });
  for (const kind of ["smms", "custom", "s3", "webdav", "sftp", "local"]) assert.ok(offered.includes(kind), `${kind} in ${offered}`);
  await s.execute("const k = document.querySelector('[data-test=add-kind]'); k.value = 's3'; k.dispatchEvent(new Event('change'))");
  await s.click(await s.find("[data-test=host-add]"));
  await s.waitFor("the s3 form", async () => (await s.findAll("[data-field=secret_access_key]")).length === 1);
  const type = async (key, text) => s.type(await s.find(`[data-field=${key}]`), text);
  await type("name", "my-bucket");
  await type("access_key_id", S3_KEY);
  await type("secret_access_key", S3_SECRET);
  await type("bucket", "gui-pics");
  await type("endpoint", s3.endpoint);
  await type("upload_path", "shots/{filename}.{ext}");
  await s.execute("const b = document.querySelector('[data-field=path_style]'); b.value = 'true'; b.dispatchEvent(new Event('change'))");
  writeFileSync(join(OUT, "storage-form.png"), await s.screenshot());
  await s.click(await s.find("[data-test=host-save]"));
  await s.waitFor("the new config", async () => (await s.findAll("[data-host=my-bucket]")).length === 1);
  const saved = JSON.parse(cli(home, "hosts", "show", "my-bucket", "--json"));
  assert.equal(saved.kind, "s3");
  assert.equal(saved.settings.path_style, true);
  assert.notEqual(saved.settings.secret_access_key, S3_SECRET, "the secret is shown masked");

  // Test: the bucket takes the credentials.
  await s.click(await s.find("[data-host=my-bucket] [data-act=test]"));
  const said = await s.waitFor("the test's answer", async () => {
    const n = await s.findAll("[data-test=hosts-notice]");
    return n.length && s.text(n[0]);
  });
  assert.match(said, /my-bucket: bucket "gui-pics" on 127\.0\.0\.1 takes these credentials/);

  // Drop the photo on the window: it uploads to the bucket.
  await s.click(await s.find("[data-tab=upload]"));
  await s.executeAsync("const done = arguments[arguments.length-1]; window.__TAURI_INTERNALS__.invoke('test_drop').then(() => done(true), (e) => done(JSON.stringify(e)))");
  const link = await s.waitFor("the upload to finish", async () =>
    s.execute("const r = [...document.querySelectorAll('[data-row]')].find(r => r.textContent.includes('beach day') && r.dataset.status === 'done'); return r ? r.textContent : null"),
  );
  const url = `${s3.endpoint}/gui-pics/shots/beach%20day.png`;
  assert.ok(link.includes(url), link);
  const served = Buffer.from(await (await fetch(url)).arrayBuffer());
  assert.deepEqual(served, readFileSync(photo));
  const album = JSON.parse(cli(home, "album", "list", "--json"));
  assert.equal(album.length, 1);
  assert.equal(album[0].host_kind, "s3");
  assert.equal(album[0].config_name, "my-bucket");
  assert.equal(album[0].url, url);
  writeFileSync(join(OUT, "storage-uploaded.png"), await s.screenshot());
});
