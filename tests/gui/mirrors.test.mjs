// Uploading to two hosts at once, set up in the app: the Image hosts form of one config ticks
// another as its mirror; a dropped file uploads to both; the row says where else it is; the
// album has both records, Details shows the other host's link, and deleting offers both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OUT, cleanup, cli, openApp, solidPng, startDriver, startStandIn, tempHome } from "./harness.mjs";

test("a config with a mirror uploads to both hosts; the album shows both records, linked", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const [first, second] = [await startStandIn("tok-first"), await startStandIn("tok-second")];
  stop(first.stop);
  stop(second.stop);
  cli(home, "hosts", "add", "smms", "primary", "--set", "token=tok-first", "--set", `server=${first.url}`, "--set", "api=see");
  cli(home, "hosts", "add", "smms", "backup", "--set", "token=tok-second", "--set", `server=${second.url}`, "--set", "api=see");
  cli(home, "settings", "set", "server_enabled", "off");
  cli(home, "settings", "set", "notify", "off");
  cli(home, "settings", "set", "language", "en");
  const photo = join(home, "harbour.png");
  writeFileSync(photo, solidPng(40, 30, [30, 110, 200]));

  const driver = await startDriver(home, { PIXDROP_TEST_DROP: photo });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "mirrors-last.png");

  // Edit "primary" and tick "backup" among its mirrors.
  await s.click(await s.find("[data-tab=hosts]"));
  await s.click(await s.find("[data-host=primary] [data-act=edit]"));
  const box = await s.find("[data-field=mirrors] input[data-name=backup]");
  assert.equal((await s.findAll("[data-field=mirrors] input[data-name=primary]")).length, 0, "a config is not offered as its own mirror");
  await s.click(box);
  writeFileSync(join(OUT, "mirrors-form.png"), await s.screenshot());
  await s.click(await s.find("[data-test=host-save]"));
  await s.waitFor("the form to close", async () => (await s.findAll("[data-test=host-form]")).length === 0);
  assert.deepEqual(JSON.parse(cli(home, "hosts", "show", "primary", "--json")).settings.mirrors, ["backup"]);

  // Drop the photo: it goes to both; the row has primary's link and says where else it is.
  await s.click(await s.find("[data-tab=upload]"));
  await s.executeAsync("const done = arguments[arguments.length-1]; window.__TAURI_INTERNALS__.invoke('test_drop').then(() => done(true), (e) => done(JSON.stringify(e)))");
  const row = await s.waitFor("the upload to finish", async () =>
    s.execute("const r = [...document.querySelectorAll('[data-row]')].find(r => r.textContent.includes('harbour') && r.dataset.status === 'done'); return r ? r.textContent : null"),
  );
  assert.ok(row.includes(first.url), row);
  assert.ok(row.includes("also on backup"), row);
  writeFileSync(join(OUT, "mirrors-row.png"), await s.screenshot());
  const album = JSON.parse(cli(home, "album", "list", "--json"));
  assert.deepEqual(album.map((r) => r.config_name).sort(), ["backup", "primary"]);
  assert.ok(album[0].mirror_group && album[0].mirror_group === album[1].mirror_group);
  const mine = album.find((r) => r.config_name === "primary");
  const theirs = album.find((r) => r.config_name === "backup");
  assert.ok(theirs.url.startsWith(second.url), theirs.url);

  // The album: both tiles; Details of primary's shows backup's link.
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("two tiles", async () => (await s.findAll("[data-record]")).length === 2);
  // The grid may draw its tiles again meanwhile (a reload, a thumbnail): click until Details opens.
  await s.waitFor("Details of primary's record", async () => {
    if (!(await s.findAll("[data-test=album-details]")).length) {
      await s.click(await s.find(`[data-record="${mine.id}"] [data-act=details]`));
    }
    return (await s.findAll("[data-test=album-details]")).length === 1;
  });
  const also = await s.waitFor("the other host in Details", async () => {
    const found = await s.findAll("[data-test=details-mirrors] [data-mirror=backup]");
    return found.length === 1 && s.text(found[0]);
  });
  assert.ok(also.includes(theirs.url), also);
  writeFileSync(join(OUT, "mirrors-details.png"), await s.screenshot());

  // Deleting it offers the copy on backup too (ticked); both go, on the hosts as well.
  await s.click(await s.find("[data-test=album-details] [data-act=delete]"));
  await s.find("[data-test=album-delete-mirrors]");
  assert.equal(await s.execute("return document.querySelector('[data-test=album-delete-mirrors]').checked"), true);
  assert.match(await s.execute("return document.querySelector('[data-test=album-confirm]').textContent"), /Also its copies on backup/);
  await s.click(await s.find("[data-test=album-delete-remote]"));
  await s.click(await s.find("[data-test=album-delete-confirm]"));
  await s.waitFor("the album to empty", async () => (await s.findAll("[data-record]")).length === 0);
  assert.deepEqual(JSON.parse(cli(home, "album", "list", "--json")), []);
  assert.equal((await fetch(mine.url)).status, 404);
  assert.equal((await fetch(theirs.url)).status, 404);
});
