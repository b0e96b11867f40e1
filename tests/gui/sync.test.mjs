// Settings → Sync in the real window, with two computers as two data folders sharing one
// storage (a `local` config on the same folder). Computer B, driven by the CLI, starts the sync
// and sends a record; the app (computer A) is refused a wrong passphrase in words (nothing
// changes), joins with the right one, and its album gets B's records: the first by the
// automatic sync that follows the setup, the next by Sync now, the third by the automatic sync
// a change here starts (into the album page that is showing). A storage that is away is an
// error in words; Turn off stops syncing here and keeps the album. With SYNC_SHOTS=DIR, it also leaves screenshots of the set-up section in
// en/zh-CN and light/dark (import -window root) in DIR.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, OUT, cleanup, cli, openApp, run, solidPng, startDriver, tempHome } from "./harness.mjs";

const PASSPHRASE = "correct horse battery staple 27";

/** The CLI on `home` with the sync passphrase in its environment. */
function cliWithPassphrase(home, passphrase, ...args) {
  return execFileSync(join(BIN, "pixdrop"), ["--data-dir", home, ...args], {
    encoding: "utf8",
    env: { ...process.env, PIXDROP_SYNC_PASSPHRASE: passphrase },
  });
}

test("the app joins a sync in Settings → Sync and brings the other computer's album", async (t) => {
  const stop = cleanup(t);
  const homeA = tempHome();
  const homeB = tempHome();
  const storage = tempHome();
  for (const home of [homeA, homeB]) {
    cli(home, "hosts", "add", "local", "nas", "--set", `path=${storage}`, "--set", "url_prefix=http://127.0.0.1:1/img");
    cli(home, "settings", "set", "server_enabled", "off");
    cli(home, "settings", "set", "notify", "off");
  }
  cli(homeA, "settings", "set", "language", "en");
  cli(homeA, "settings", "set", "theme", "light");

  // Computer B starts the sync and sends its album: one upload to the shared folder.
  cliWithPassphrase(homeB, PASSPHRASE, "sync", "setup", "nas");
  const first = join(homeB, "harbour-at-dawn.png");
  writeFileSync(first, solidPng(40, 30, [30, 90, 160]));
  cli(homeB, "upload", "--host", "nas", first);
  cli(homeB, "sync", "now");

  const driver = await startDriver(homeA);
  stop(driver.stop);
  const s = await openApp(stop, driver, homeA, "sync-last.png");
  await s.click(await s.find("[data-tab=settings]"));
  await s.find("[data-test=sync]");
  await s.execute("document.querySelector('[data-test=sync]').scrollIntoView()");
  // The storage picker offers the config whose kind can hold a sync.
  const offered = await s.waitFor("the storage picker", () =>
    s.execute("const o = [...document.querySelectorAll('[data-test=sync-config] option')].map(o => o.value); return o.length ? o : null"),
  );
  assert.deepEqual(offered, ["nas"]);
  assert.equal(await s.execute("return document.querySelector('[data-test=sync-path]').value"), "pixdrop-sync");

  // A wrong passphrase is refused in words, and nothing changes here.
  await s.type(await s.find("[data-test=sync-passphrase]"), "not the passphrase at all");
  await s.click(await s.find("[data-test=sync-setup]"));
  const refused = await s.waitFor("the wrong passphrase's error", async () => {
    const e = await s.findAll("[data-test=sync-error]");
    return e.length && s.text(e[0]);
  }, 120000);
  assert.match(refused, /the sync passphrase is wrong/);
  writeFileSync(join(OUT, "sync-wrong-passphrase.png"), await s.screenshot());
  assert.equal(cli(homeA, "settings", "get", "sync_config").trim(), "");
  assert.equal((await s.findAll("[data-test=sync-place]")).length, 0);
  assert.equal(JSON.parse(cli(homeA, "album", "list", "--json")).length, 0);

  // The right one joins B's sync; the automatic sync that follows brings B's record.
  await s.execute("const p = document.querySelector('[data-test=sync-passphrase]'); p.value = ''; p.dispatchEvent(new Event('input'))");
  await s.type(await s.find("[data-test=sync-passphrase]"), PASSPHRASE);
  await s.click(await s.find("[data-test=sync-setup]"));
  const place = await s.waitFor("the sync set up", async () => {
    const p = await s.findAll("[data-test=sync-place]");
    return p.length && s.text(p[0]);
  }, 120000);
  assert.match(place, /nas.*pixdrop-sync/);
  assert.match(await s.text(await s.find("[data-test=sync-done]")), /Joined the sync in pixdrop-sync of nas/);
  assert.equal(cli(homeA, "settings", "get", "sync_config").trim(), "nas");
  assert.equal(await s.execute("return document.querySelector('[data-test=sync-passphrase]')"), null, "the passphrase is not shown again");
  await s.waitFor("the automatic sync to bring B's record", () => JSON.parse(cli(homeA, "album", "list", "--json")).length === 1, 120000);
  const counts = await s.waitFor("the automatic sync's counts", async () => {
    const c = await s.findAll("[data-test=sync-counts]");
    return c.length && s.text(c[0]);
  }, 60000);
  assert.match(counts, /sent \d+ changes?; received \d+ configs?, \d+ settings?, \d+ records?, \d+ deletions?/);
  assert.match(await s.text(await s.find("[data-test=sync-machines]")), /^2$/);
  assert.doesNotMatch(await s.text(await s.find("[data-test=sync-last]")), /not yet/);
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("B's record in the album", () =>
    s.execute("return [...document.querySelectorAll('[data-record] .name')].some(n => n.textContent === 'harbour-at-dawn.png')"),
  60000);

  // B sends another record; Sync now brings it while the album page is showing.
  const second = join(homeB, "quay-at-noon.png");
  writeFileSync(second, solidPng(40, 30, [200, 160, 30]));
  cli(homeB, "upload", "--host", "nas", second);
  cli(homeB, "sync", "now");
  await s.click(await s.find("[data-tab=settings]"));
  await s.execute("document.querySelector('[data-test=sync]').scrollIntoView()");
  await s.waitFor("Sync now to be pressable", () => s.execute("const b = document.querySelector('[data-test=sync-now]'); return b && !b.disabled"), 120000);
  await s.click(await s.find("[data-test=sync-now]"));
  await s.waitFor("Sync now to bring the second record", () => JSON.parse(cli(homeA, "album", "list", "--json")).length === 2, 120000);
  await s.waitFor("Sync now to end", async () => (await s.findAll("[data-test=sync-running]")).length === 0 && (await s.findAll("[data-test=sync-counts]")).length === 1, 60000);
  assert.equal((await s.findAll("[data-test=sync-error]")).length, 0);
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("the second record in the album", () =>
    s.execute("return [...document.querySelectorAll('[data-record] .name')].some(n => n.textContent === 'quay-at-noon.png')"),
  60000);

  // A change here (a setting, from the CLI) syncs by itself a few seconds later: B's third
  // record comes into the album page that is showing.
  const third = join(homeB, "lighthouse-at-dusk.png");
  writeFileSync(third, solidPng(40, 30, [120, 40, 140]));
  cli(homeB, "upload", "--host", "nas", third);
  cli(homeB, "sync", "now");
  cli(homeA, "settings", "set", "auto_copy", "off");
  await s.waitFor("the third record in the album page, by the automatic sync", () =>
    s.execute("return [...document.querySelectorAll('[data-record] .name')].some(n => n.textContent === 'lighthouse-at-dusk.png')"),
  120000);

  // Screenshots of the set-up section in both languages and themes, when asked for.
  await s.click(await s.find("[data-tab=settings]"));
  if (process.env.SYNC_SHOTS) {
    await s.click(await s.find("[data-test=sync-passphrase-change]"));
    for (const [language, theme] of [["en", "light"], ["en", "dark"], ["zh-CN", "light"], ["zh-CN", "dark"]]) {
      cli(homeA, "settings", "set", "language", language);
      cli(homeA, "settings", "set", "theme", theme);
      await s.waitFor(`${language} ${theme}`, () =>
        s.execute("return document.documentElement.lang === arguments[0] && document.documentElement.dataset.theme === arguments[1]", [language, theme]),
      30000);
      await s.execute("document.querySelector('[data-test=sync]').scrollIntoView({ block: 'center' })");
      await new Promise((r) => setTimeout(r, 300)); // a paint for the screenshot
      await run("import", ["-window", "root", join(process.env.SYNC_SHOTS, `sync-${language}-${theme}.png`)]);
    }
    cli(homeA, "settings", "set", "language", "en");
    cli(homeA, "settings", "set", "theme", "light");
    await s.click(await s.find("[data-test=sync-passphrase-cancel]"));
  }

  // The storage away: Sync now says so in words; back, it syncs again.
  await s.execute("document.querySelector('[data-test=sync]').scrollIntoView()");
  renameSync(storage, `${storage}-away`);
  await s.waitFor("Sync now to be pressable", () => s.execute("const b = document.querySelector('[data-test=sync-now]'); return b && !b.disabled"), 120000);
  await s.click(await s.find("[data-test=sync-now]"));
  const away = await s.waitFor("the storage's error", async () => {
    const e = await s.findAll("[data-test=sync-error]");
    return e.length && s.text(e[0]);
  }, 120000);
  assert.ok(away.length > 10, away);
  writeFileSync(join(OUT, "sync-away.png"), await s.screenshot());
  renameSync(`${storage}-away`, storage);
  await s.click(await s.find("[data-test=sync-now]"));
  await s.waitFor("the error gone", async () => (await s.findAll("[data-test=sync-error]")).length === 0 && !(await s.findAll("[data-test=sync-running]")).length, 120000);
  writeFileSync(join(OUT, "sync-set-up.png"), await s.screenshot());

  // B changes the passphrase: A's Sync now is told in words, nothing changes; the new one,
  // given in the section, brings A back in.
  const NEW = "a brand new passphrase 27";
  cliWithPassphrase(homeB, NEW, "sync", "passphrase");
  await s.waitFor("Sync now to be pressable", () => s.execute("const b = document.querySelector('[data-test=sync-now]'); return b && !b.disabled"), 120000);
  await s.click(await s.find("[data-test=sync-now]"));
  const told = await s.waitFor("the changed passphrase's error", async () => {
    const e = await s.findAll("[data-test=sync-error]");
    return e.length && s.text(e[0]);
  }, 120000);
  assert.match(told, /no longer opens the sync/);
  assert.equal(JSON.parse(cli(homeA, "album", "list", "--json")).length, 3);
  await s.click(await s.find("[data-test=sync-passphrase-change]"));
  await s.type(await s.find("[data-test=sync-new-passphrase]"), NEW);
  await s.click(await s.find("[data-test=sync-passphrase-save]"));
  const taken = await s.waitFor("the new passphrase taken", async () => {
    const d = await s.findAll("[data-test=sync-done]");
    return d.length && s.text(d[0]);
  }, 120000);
  assert.match(taken, /now uses the sync's new passphrase/);
  assert.equal(await s.execute("return document.querySelector('[data-test=sync-new-passphrase]')"), null, "the passphrase is not shown again");
  await s.waitFor("Sync now to be pressable", () => s.execute("const b = document.querySelector('[data-test=sync-now]'); return b && !b.disabled"), 120000);
  await s.click(await s.find("[data-test=sync-now]"));
  await s.waitFor("a sync without error", async () => (await s.findAll("[data-test=sync-error]")).length === 0 && !(await s.findAll("[data-test=sync-running]")).length && (await s.findAll("[data-test=sync-counts]")).length === 1, 120000);

  // Turn off asks first; then this computer stops syncing, and keeps its album.
  await s.click(await s.find("[data-test=sync-off]"));
  await s.click(await s.find("[data-test=sync-off-confirm]"));
  await s.find("[data-test=sync-setup]", 60000);
  assert.equal(cli(homeA, "settings", "get", "sync_config").trim(), "");
  assert.equal(JSON.parse(cli(homeA, "album", "list", "--json")).length, 3);
});
