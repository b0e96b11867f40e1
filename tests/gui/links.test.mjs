// Links that outlive their host, in the album (issue 28): "Check links" with its progress and
// Stop, a badge on each broken tile, the "Broken links" filter and the last check in Details.
// The records are a user's: two uploads to the stand-in, and two links brought over from PicGo,
// one the host no longer has (404) and one on a server that takes the connection and never
// answers (so the check can only end by Stop).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { cleanup, cli, openApp, OUT, solidPng, startDriver, startStandIn, tempHome } from "./harness.mjs";

const TOKEN = "links-token-0123456789";

/** A TCP server that accepts connections and never answers; resolves with {port, close}. */
function silentServer() {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  return new Promise((res) =>
    server.listen(0, "127.0.0.1", () =>
      res({
        port: server.address().port,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

test("album: Check links marks the broken tiles, filters them, says why in Details, and stops on Stop", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stop(host.stop);
  const silent = await silentServer();
  stop(silent.close);
  cli(home, "hosts", "add", "smms", "standin", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  for (const [k, v] of [["server_enabled", "off"], ["notify", "off"], ["theme", "light"], ["language", "en"], ["timeout_secs", "600"]]) cli(home, "settings", "set", k, v);
  for (const [name, colour] of [["trip-1.png", [250, 120, 40]], ["trip-2.png", [40, 120, 250]]]) {
    const p = join(home, name);
    writeFileSync(p, solidPng(40, 30, colour));
    cli(home, "upload", p);
  }
  const picgo = join(home, "picgo");
  mkdirSync(picgo);
  writeFileSync(
    join(picgo, "data.json"),
    JSON.stringify({
      uploaded: [
        { fileName: "trip-3.png", imgUrl: `${host.url}/i/trip-3-long-gone.png`, type: "smms" },
        { fileName: "hang.png", imgUrl: `http://127.0.0.1:${silent.port}/hang.png`, type: "smms" },
      ],
    }),
  );
  cli(home, "import", "picgo", picgo);

  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "links-last.png");
  const tileNames = () => s.execute("return [...document.querySelectorAll('[data-record]')].map(e => e.querySelector('.name')?.textContent)");
  const search = async (text) => {
    await s.execute("const i=document.querySelector('[data-test=album-search]'); i.value=arguments[0]; i.dispatchEvent(new Event('input'))", [text]);
    await s.waitFor(`the album narrowed to “${text}”`, async () => (await tileNames()).every((n) => n.includes(text)));
  };
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("four tiles", async () => (await tileNames()).length === 4);

  // The silent server's link: the check shows its progress and waits; Stop ends it, nothing kept.
  await search("hang");
  await s.click(await s.find("[data-test=album-check-links]"));
  const progress = await s.waitFor("the progress", async () => s.text(await s.find("[data-test=album-checking]")));
  assert.match(progress, /Checking links… 0\/(0|1)/);
  await s.click(await s.find("[data-test=album-check-stop]"));
  const stopped = await s.waitFor("the stop said", async () => s.text(await s.find("[data-test=album-message]")));
  assert.equal(stopped, "Stopped after 0 links: 0 broken so far.");
  await s.find("[data-test=album-check-links]");
  assert.equal((await s.findAll("[data-test=tile-broken]")).length, 0);

  // The trip: two uploads that work and the link PicGo had that the host lost.
  await search("trip");
  await s.waitFor("three trip tiles", async () => (await tileNames()).length === 3);
  await s.click(await s.find("[data-test=album-check-links]"));
  const said = await s.waitFor("the check said", async () => s.text(await s.find("[data-test=album-message]")));
  assert.equal(said, "Checked 3 links: 1 broken.");
  const badges = await s.waitFor("one badge", async () => {
    const b = await s.execute("return [...document.querySelectorAll('[data-test=tile-broken]')].map(e => [e.closest('[data-record]').querySelector('.name').textContent, e.dataset.status, e.textContent])");
    return b.length === 1 && b;
  });
  assert.deepEqual(badges, [["trip-3.png", "gone", "Gone"]]);
  writeFileSync(join(OUT, "links-checked-light.png"), await s.screenshot());

  // The filter: only the broken one; the count says so.
  await s.click(await s.find("[data-test=album-broken]"));
  await s.waitFor("only the broken tile", async () => JSON.stringify(await tileNames()) === JSON.stringify(["trip-3.png"]));
  assert.equal(await s.text(await s.find("[data-test=album-count]")), "1 image");

  // Details: why, and when.
  await s.execute("document.querySelector('[data-record] [data-act=details]').click()");
  const link = await s.find("[data-test=details-link]");
  assert.equal(await s.execute("return document.querySelector('[data-test=details-link]').dataset.status"), "gone");
  assert.match(await s.text(link), /^Gone from the host\s*HTTP 404\s*checked /);

  // The same in 简体中文 and the dark theme.
  cli(home, "settings", "set", "language", "zh-CN");
  cli(home, "settings", "set", "theme", "dark");
  await s.waitFor("the page in Chinese", async () => (await s.text(await s.find("[data-test=details-link]"))).startsWith("已从图床消失"));
  assert.equal(await s.text(await s.find("[data-test=tile-broken]")), "已消失");
  assert.match(await s.text(await s.find("[data-test=details-link]")), /HTTP 状态码 404/, "what was seen, in Chinese too");
  assert.equal(await s.text(await s.find("[data-test=album-check-links]")), "检查链接");
  writeFileSync(join(OUT, "links-details-zh-dark.png"), await s.screenshot());

  // The CLI reads the checks the app kept.
  const broken = JSON.parse(cli(home, "album", "list", "--broken", "--json"));
  assert.deepEqual(broken.map((r) => r.file_name), ["trip-3.png"]);
});

/** A home with configs "old" and "new" on two stand-in hosts. */
async function oldAndNew(stop) {
  const home = tempHome();
  const old = await startStandIn(TOKEN);
  stop(old.stop);
  const fresh = await startStandIn(TOKEN);
  stop(fresh.stop);
  for (const [name, host] of [["old", old], ["new", fresh]]) {
    cli(home, "hosts", "add", "smms", name, "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  }
  return { home, old, fresh };
}

test("album: Move to… tries first, then moves the selected images to another host, deleting the old copies", async (t) => {
  const stop = cleanup(t);
  const { home, old, fresh } = await oldAndNew(stop);
  for (const [k, v] of [["server_enabled", "off"], ["notify", "off"], ["theme", "light"], ["language", "en"]]) cli(home, "settings", "set", k, v);
  const oldUrls = [];
  for (const [name, colour] of [["海边 1.png", [250, 120, 40]], ["海边 2.png", [40, 120, 250]]]) {
    const p = join(home, name);
    writeFileSync(p, solidPng(40, 30, colour));
    oldUrls.push(cli(home, "upload", "--host", "old", "--format", "url", p).trim());
  }

  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "move-last.png");
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("two tiles", async () => (await s.findAll("[data-record]")).length === 2);
  await s.click(await s.find("[data-test=album-select-all]"));
  await s.click(await s.find("[data-test=album-move]"));
  await s.find("[data-test=move-dialog]");
  // The first config the images are not on is offered.
  assert.equal(await s.execute("return document.querySelector('[data-test=move-to]').value"), "new");
  const rows = () => s.execute("return [...document.querySelectorAll('[data-move]')].map(e => [e.querySelector('strong').textContent, e.dataset.status])");

  // Tried first: each image found, nothing changed.
  await s.click(await s.find("[data-test=move-dry-run]"));
  const tried = await s.waitFor("the try's summary", async () => s.text(await s.find("[data-test=move-summary]")));
  assert.equal(tried, "Nothing was changed: 2 would move, 0 moved already, 0 lost.");
  assert.deepEqual((await rows()).map((r) => r[1]), ["would_move", "would_move"]);
  assert.equal(JSON.parse(cli(home, "album", "list", "--host", "new", "--json")).length, 0, "the try uploaded nothing");

  // Moved, the old copies deleted once the new ones are recorded.
  await s.click(await s.find("[data-test=move-delete-old]"));
  await s.click(await s.find("[data-test=move-confirm]"));
  const done = await s.waitFor("the move's summary", async () => s.text(await s.find("[data-test=move-summary]")));
  assert.equal(done, "Done: 2 moved, 0 lost, 0 not moved.");
  const moved = await rows();
  assert.deepEqual(moved.map((r) => r[1]), ["moved", "moved"]);
  assert.deepEqual(moved.map((r) => r[0]).sort(), ["海边 1.png", "海边 2.png"]);
  assert.equal((await s.findAll("[data-test=move-old-deleted]")).length, 2);
  const newUrls = await s.execute("return [...document.querySelectorAll('[data-move] code')].map(e => e.textContent)");
  assert.equal(newUrls.length, 2);
  for (const u of newUrls) assert.ok(u.startsWith(fresh.url), u);
  writeFileSync(join(OUT, "move-done-light.png"), await s.screenshot());
  await s.click(await s.find("[data-test=move-close]"));
  await s.waitFor("the dialog closed", async () => (await s.findAll("[data-test=move-dialog]")).length === 0);

  // The album has the new records beside the old ones (their links known gone); the old host no
  // longer serves the images.
  await s.waitFor("four tiles", async () => (await s.findAll("[data-record]")).length === 4);
  assert.equal(JSON.parse(cli(home, "album", "list", "--host", "new", "--json")).length, 2);
  for (const u of oldUrls) assert.equal((await fetch(u)).status, 404, u);
});

test("settings: a local copy of what was sent is kept when asked, its total shown, and a move of an image whose host died takes it from there", async (t) => {
  const stop = cleanup(t);
  const { home, old, fresh } = await oldAndNew(stop);
  cli(home, "hosts", "use", "old");
  for (const [k, v] of [["server_enabled", "off"], ["notify", "off"], ["theme", "dark"], ["language", "en"]]) cli(home, "settings", "set", k, v);
  const p = join(home, "灯塔.png");
  writeFileSync(p, solidPng(64, 48, [10, 160, 90]));
  const driver = await startDriver(home, { PIXDROP_TEST_PICK_FILES: p });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "originals-last.png");

  await s.click(await s.find("[data-tab=settings]"));
  assert.equal((await s.findAll("[data-setting=originals_cap_mb]")).length, 0, "the cap shows once copies are kept");
  await s.click(await s.find("[data-setting=keep_originals]"));
  await s.waitFor("the setting saved", async () => cli(home, "settings", "get", "keep_originals").trim() === "true");
  // The page shows the cap once it has the saved setting back (later than the file, under load).
  const cap = await s.waitFor("the cap shown", () =>
    s.execute("const c = document.querySelector('[data-setting=originals_cap_mb]'); return c && c.value"),
  );
  assert.equal(cap, "2048");
  assert.equal(await s.text(await s.find("[data-test=originals-total]")), "0 B kept");

  await s.click(await s.find("[data-tab=upload]"));
  await s.click(await s.find("[data-test=choose-files]"));
  await s.waitFor("the upload", async () => (await s.findAll("[data-row][data-status=done]")).length === 1);
  await s.click(await s.find("[data-tab=settings]"));
  const total = await s.waitFor("the copy counted", async () => {
    const text = await s.text(await s.find("[data-test=originals-total]"));
    return text !== "0 B kept" && text;
  });
  assert.match(total, /^\d+(\.\d)? (B|KB) kept$/);
  await s.waitFor("the copies in view", async () =>
    s.execute("const e = document.querySelector('[data-test=originals-total]'); e.scrollIntoView({ block: 'center' }); const r = e.getBoundingClientRect(); return r.top > 0 && r.bottom < innerHeight - 60;"),
  );
  writeFileSync(join(OUT, "originals-settings-dark.png"), await s.screenshot());

  // The host closes: its link answers nothing. The move takes the image from the local copy.
  old.stop();
  await s.waitFor("the old host gone", async () => fetch(old.url).then(() => false, () => true));
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("the tile", async () => (await s.findAll("[data-record]")).length === 1);
  await s.click(await s.find("[data-test=album-select-all]"));
  await s.click(await s.find("[data-test=album-move]"));
  await s.find("[data-test=move-dialog]");
  await s.click(await s.find("[data-test=move-confirm]"));
  const done = await s.waitFor("the move's summary", async () => s.text(await s.find("[data-test=move-summary]")));
  assert.equal(done, "Done: 1 moved, 0 lost, 0 not moved.");
  const moved = JSON.parse(cli(home, "album", "list", "--host", "new", "--json"));
  assert.equal(moved.length, 1);
  assert.ok(moved[0].url.startsWith(fresh.url), moved[0].url);
});

test("a note dropped on the window: its local images are offered, uploaded, and the note points at their links", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  for (const [k, v] of [["server_enabled", "off"], ["notify", "off"], ["theme", "light"], ["language", "en"]]) cli(home, "settings", "set", k, v);
  const notes = join(home, "笔记");
  mkdirSync(join(notes, "img"), { recursive: true });
  writeFileSync(join(notes, "img", "海边.png"), solidPng(40, 30, [20, 90, 200]));
  writeFileSync(join(notes, "img", "space name.png"), solidPng(40, 30, [200, 90, 20]));
  const note = join(notes, "游记.md");
  const text = "# Trip\n\n![sea](img/海边.png)\n\n![dusk](<img/space name.png>)\n\n![gone](img/missing.png)\n\n![web](https://example.com/a.png)\n\n```\n![code](img/海边.png)\n```\n";
  writeFileSync(note, text);
  const photo = join(home, "photo.png");
  writeFileSync(photo, solidPng(40, 30, [90, 200, 20]));
  const driver = await startDriver(home, { PIXDROP_TEST_DROP: [note, photo].join(":") });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "note-last.png");

  // The note and a photo dropped together: the photo uploads, the note is offered.
  await s.executeAsync("const done = arguments[arguments.length-1]; window.__TAURI_INTERNALS__.invoke('test_drop').then(() => done(true), (e) => done(JSON.stringify(e)))");
  const offer = await s.waitFor("the offer", async () => s.text(await s.find("[data-test=note-offer-text]")));
  assert.equal(offer, "“游记.md” names 2 local images: upload them and point the note at the links? (1 named is not there and will stay as it is.)");
  const listed = await s.execute("return [...document.querySelectorAll('[data-test=note-files] li')].map(e => e.textContent)");
  assert.deepEqual(listed.sort(), [join(notes, "img", "space name.png"), join(notes, "img", "海边.png")].sort(), "the files that would be sent are shown");
  await s.waitFor("the photo's row", async () => (await s.findAll("[data-row][data-status=done]")).length === 1);
  assert.equal(readFileSync(note, "utf8"), text, "nothing written before the offer is taken");
  writeFileSync(join(OUT, "note-offer-light.png"), await s.screenshot());

  await s.click(await s.find("[data-test=note-localize]"));
  const done = await s.waitFor("the result", async () => s.text(await s.find("[data-test=note-done]")));
  assert.match(done, /^Uploaded 2 images and updated 2 links in “游记\.md”\. The note as it was is kept in .+/);
  assert.match(done, /img\/missing\.png/);
  assert.equal((await s.findAll("[data-test=note-offer]")).length, 0);
  const after = readFileSync(note, "utf8");
  const links = [...after.matchAll(/\]\(<?(http[^)>]+)/g)].map((m) => m[1]);
  assert.equal(links.filter((u) => u.startsWith(host.url)).length, 2, after);
  assert.ok(after.includes("![gone](img/missing.png)"), after);
  assert.ok(after.includes("```\n![code](img/海边.png)\n```"), "code stays as it is");
  const albumNames = JSON.parse(cli(home, "album", "list", "--json")).map((r) => r.file_name).sort();
  assert.deepEqual(albumNames, ["photo.png", "space name.png", "海边.png"]);
});
