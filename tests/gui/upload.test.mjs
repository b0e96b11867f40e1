// Uploading from the app the way people do it: the file dialog, a drop on the window, a pasted
// URL, the clipboard (button and Ctrl+V), and the global shortcut while the window is hidden in
// the tray. Checked where a user would look: the row, the link, the clipboard, the album.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APP, OUT, cleanup, cli, openApp, run, screenshotPng, solidPng, startDriver, startStandIn, tempHome, wm, xclip } from "./harness.mjs";

const TOKEN = "upload-token-0123456789";
const CTRL = "\uE009";

test("upload by dialog, drop, URL, clipboard, Ctrl+V and the global shortcut", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const file = (name, colour, w = 40, h = 30) => {
    const p = join(home, name);
    writeFileSync(p, solidPng(w, h, colour));
    return p;
  };
  const a = file("alpha.png", [200, 30, 30]);
  const b = file("bravo.png", [30, 200, 30]);
  const c = file("charlie.png", [30, 30, 200]);
  const notes = join(home, "notes.txt");
  writeFileSync(notes, "just text, not an image");
  const remote = file("remote.png", [120, 120, 0]);
  const flaky = file("flaky.png", [60, 60, 160]);
  const clip1 = file("clip1.png", [0, 120, 120]);
  const clip2 = file("clip2.png", [120, 0, 120]);
  // A 2560×1440 screenshot of about 3 MB: far more than one X request, so the clipboard owner
  // sends it in pieces (INCR), as screenshot tools do with real screens.
  const clip3 = join(home, "clip3.png");
  writeFileSync(clip3, screenshotPng(2560, 1440, 400));

  const host = await startStandIn(TOKEN, { "remote.png": remote, "flaky.png": flaky });
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  cli(home, "settings", "set", "server_enabled", "off");

  const driver = await startDriver(home, {
    PIXDROP_TEST_PICK_FILES: [a, b].join(":"),
    PIXDROP_TEST_DROP: [c, notes].join(":"),
  });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "upload-last.png");

  const row = async (name) => {
    const rows = await s.execute(
      "return [...document.querySelectorAll('[data-row]')].map(e => ({ id: e.dataset.row, status: e.dataset.status, text: e.innerText }))",
    );
    return rows.find((r) => r.text.includes(name)) ?? null;
  };
  const settled = (name, status = "done") =>
    s.waitFor(`${name} to be ${status}`, async () => {
      const r = await row(name);
      return r && r.status === status && r;
    });

  // The upload page is the home; the shortcut registered.
  const hint = await s.waitFor("the shortcut hint", async () => {
    const text = await s.text(await s.find("[data-test=shortcut-status]"));
    return text.includes("Ctrl+Shift+U") && text;
  });
  assert.match(hint, /anywhere/);

  // "Choose files…" (the dialog answers two files): two rows, both links copied in order.
  await s.click(await s.find("[data-test=choose-files]"));
  const ra = await settled("alpha.png");
  const rb = await settled("bravo.png");
  assert.match(ra.text, /!\[alpha\]\(http:\/\/127\.0\.0\.1:\d+\/i\/.+\)/);
  assert.match(rb.text, /!\[bravo\]/);
  const notice = await s.waitFor("the batch notice", async () => s.text(await s.find("[data-test=batch-notice]")));
  assert.equal(notice, "Uploaded — 2 links copied.");
  const copied = await xclip.read();
  const lines = copied.split("\n");
  assert.equal(lines.length, 2, copied);
  assert.match(lines[0], /^!\[alpha\]\(http:\/\/127\.0\.0\.1/);
  assert.match(lines[1], /^!\[bravo\]\(http:\/\/127\.0\.0\.1/);
  // Thumbnails come from the app's own protocol and really load: wait until both have finished
  // (loaded or broken), then check they show the uploaded 40×30 images.
  await s.waitFor("thumbnails to finish loading", async () =>
    s.execute("const imgs=[...document.querySelectorAll('[data-row] img.thumb')]; return imgs.length >= 2 && imgs.every(i => i.complete)"),
  );
  const thumbs = await s.execute("return [...document.querySelectorAll('[data-row] img.thumb')].map(i => [i.src.split(':')[0], i.naturalWidth, i.naturalHeight])");
  assert.deepEqual(thumbs, [["thumb", 40, 30], ["thumb", 40, 30]]);
  writeFileSync(join(OUT, "upload-dialog.png"), await s.screenshot());

  // A drop on the window (the same handler the native drop event reaches): an image and a
  // text file. The image uploads; the text file fails with its reason and can be retried.
  await s.executeAsync("const done = arguments[arguments.length-1]; window.__TAURI_INTERNALS__.invoke('test_drop').then(() => done(true), (e) => done(JSON.stringify(e)))");
  const rc = await settled("charlie.png");
  assert.match(rc.text, /!\[charlie\]/);
  const rn = await settled("notes.txt", "failed");
  const notesError = await s.find(`[data-row="${rn.id}"] [data-test=row-error]`);
  assert.match(await s.text(notesError), /notes\.txt: not an image \(its content is not PNG, JPEG/);
  assert.equal(await s.execute(`return document.querySelector('[data-row="${rn.id}"] [data-test=row-error]').dataset.kind`), "input");
  // A file that is no image stays no image: no Retry for it, only Dismiss.
  assert.equal((await s.findAll(`[data-row="${rn.id}"] [data-act=retry]`)).length, 0);
  const uploadsBefore = JSON.parse(cli(home, "album", "list", "--json")).length;
  await s.click(await s.find(`[data-row="${rn.id}"] [data-act=dismiss]`));
  await s.waitFor("the failed row to go", async () => !(await row("notes.txt")));
  assert.equal(JSON.parse(cli(home, "album", "list", "--json")).length, uploadsBefore, "a failed file adds nothing");

  // A pasted URL: a local path or a file: URL is refused before anything is sent.
  await s.type(await s.find("[data-test=url-input]"), "file:///etc/passwd");
  await s.click(await s.find("[data-test=url-upload]"));
  const refused = await s.waitFor("the URL refusal", async () => s.text(await s.find("[data-test=upload-error]")));
  assert.match(refused, /only http:\/\/ and https:\/\//);
  await s.execute("const i=document.querySelector('[data-test=url-input]'); i.value=''; i.dispatchEvent(new Event('input'))");

  // The host refuses the token (changed behind the app's back): the row says so by kind, offers
  // the host settings, and Retry, once the token is right again, uploads the same row.
  cli(home, "hosts", "set", "standin", "token=no-longer-valid");
  await s.type(await s.find("[data-test=url-input]"), `${host.url}/files/remote.png`);
  await s.click(await s.find("[data-test=url-upload]"));
  const refusedRow = await settled("remote.png", "failed");
  const authError = await s.find(`[data-row="${refusedRow.id}"] [data-test=row-error]`);
  assert.match(await s.text(authError), /^the host refused the token/);
  assert.equal(await s.execute(`return document.querySelector('[data-row="${refusedRow.id}"] [data-test=row-error]').dataset.kind`), "auth");
  assert.match(await s.text(await s.find(`[data-row="${refusedRow.id}"] [data-test=row-hint]`)), /token or key under Image hosts/);
  await s.click(await s.find(`[data-row="${refusedRow.id}"] [data-act=fix]`));
  await s.waitFor("the Image hosts page", async () => (await s.findAll(".hosts [data-host=standin]")).length === 1);
  writeFileSync(join(OUT, "upload-auth-fix.png"), await s.screenshot());
  cli(home, "hosts", "set", "standin", `token=${TOKEN}`);
  await s.click(await s.find("[data-tab=upload]"));
  await s.click(await s.find(`[data-row="${refusedRow.id}"] [data-act=retry]`));
  const rr = await s.waitFor("the retried row to finish", async () => {
    const r = await row("remote.png");
    return r && r.status !== "failed" && r.status !== "waiting" && r.status !== "uploading" && r;
  });
  assert.equal(rr.id, refusedRow.id, "the same row was retried");
  assert.equal(rr.status, "done");
  assert.match(rr.text, /!\[remote\]/);

  // A host that fails once (HTTP 500) and then answers slowly: the row says which attempt it is
  // on instead of a full bar and "Uploading", and the upload ends done.
  await host.script("500 slow:8");
  await s.execute("const i=document.querySelector('[data-test=url-input]'); i.value=''; i.dispatchEvent(new Event('input'))");
  await s.type(await s.find("[data-test=url-input]"), `${host.url}/files/flaky.png`);
  await s.click(await s.find("[data-test=url-upload]"));
  const attempt = await s.waitFor("the second attempt", async () => {
    const r = await row("flaky.png");
    const said = r && (await s.execute(`return document.querySelector('[data-row="${r.id}"] [data-test=row-retry]')?.textContent ?? ''`));
    return said === "attempt 2 of 3" && said;
  });
  assert.equal(attempt, "attempt 2 of 3");
  const flakyRow = await settled("flaky.png");
  assert.match(flakyRow.text, /!\[flaky\]/);
  assert.equal(await s.execute(`return document.querySelector('[data-row="${flakyRow.id}"] [data-test=row-retry]')`), null, "done, not retrying");

  // "Upload clipboard" with an image on the X clipboard; then with text on it.
  await xclip.image(clip1);
  await s.click(await s.find("[data-test=upload-clipboard]"));
  const rc1 = await settled("clipboard-");
  const link1 = (await xclip.read()).trim();
  assert.match(link1, /^!\[clipboard-\d{8}-\d{6}\]\(http:\/\/127\.0\.0\.1:\d+\/i\/.+\)$/);
  assert.ok(rc1.text.includes(link1), rc1.text);
  await xclip.text("hello, not an image");
  const rowsTop = () => s.execute("return Math.round(document.querySelector('[data-row]').getBoundingClientRect().top)");
  const topBefore = await rowsTop();
  await s.click(await s.find("[data-test=upload-clipboard]"));
  const noImage = await s.waitFor("the no-image message", async () => s.text(await s.find("[data-test=upload-error]")));
  assert.equal(noImage, "the clipboard holds no image (it holds text)");
  assert.equal(await rowsTop(), topBefore, "the message did not push the rows down");

  // Ctrl+V in the window uploads the clipboard image too.
  await xclip.image(clip2);
  const before = (await s.findAll("[data-row]")).length;
  await s.click(await s.find("[data-test=dropzone] .big"));
  await s.chord([CTRL], "v");
  await s.waitFor("a row from Ctrl+V", async () => (await s.findAll("[data-status=done]")).length >= before + 1 && (await s.findAll("[data-row]")).length > before);
  await s.waitFor("the Ctrl+V link on the clipboard", async () => {
    const now = (await xclip.read()).trim();
    return now !== link1 && /^!\[clipboard-/.test(now) && now;
  });
  // The earlier "holds no image" message went when this upload succeeded.
  assert.equal((await s.findAll("[data-test=upload-error]")).length, 0, "no stale error");
  writeFileSync(join(OUT, "upload-rows.png"), await s.screenshot());

  // Close the window: it hides to the tray, the app keeps running.
  await wm.close("Pixdrop");
  await s.waitFor("the window to hide", async () => !(await wm.visible("Pixdrop")));

  // The global shortcut, window hidden: the clipboard image is uploaded, the link copied.
  await xclip.image(clip3);
  const count = JSON.parse(cli(home, "album", "list", "--json")).length;
  const pressed = await run("xdotool", ["key", "--clearmodifiers", "ctrl+shift+u"]);
  assert.equal(pressed.code, 0, pressed.stderr);
  // Wait for the record before reading the clipboard: a second reader (xclip -o) asking while
  // xclip is still sending the image in pieces would disturb xclip, not the app.
  const album = await s.waitFor("the shortcut's record", async () => {
    const list = JSON.parse(cli(home, "album", "list", "--json"));
    return list.length === count + 1 && list;
  });
  const viaShortcut = await s.waitFor("the shortcut's link on the clipboard", async () => {
    const now = (await xclip.read()).trim();
    return /^!\[clipboard-.*\]\(http/.test(now) && now;
  });
  assert.ok(viaShortcut.includes(album[0].url), `${viaShortcut} vs ${album[0].url}`);
  assert.equal(album[0].width, 2560);
  assert.equal(album[0].height, 1440);
  // Uploaded byte for byte, as the screenshot tool encoded it (not decoded and re-encoded).
  assert.equal(album[0].size, statSync(clip3).size);
  assert.equal(await wm.visible("Pixdrop"), false, "the shortcut upload does not show the window");

  // Again, now that the app itself owns the clipboard (the link it copied): it reads its own
  // text back and says there is no image (in the log, as in the notification), nothing sent.
  const again = await run("xdotool", ["key", "--clearmodifiers", "ctrl+shift+u"]);
  assert.equal(again.code, 0, again.stderr);
  const log = join(home, "logs", "pixdrop.log");
  await s.waitFor("the no-image line in the log", async () =>
    existsSync(log) && readFileSync(log, "utf8").includes("clipboard upload: the clipboard holds no image (it holds text)"));
  assert.equal(JSON.parse(cli(home, "album", "list", "--json")).length, count + 1);

  // A second launch hands over to the running app, which shows its window again.
  const second = await run(APP, [], { env: { ...process.env, PIXDROP_HOME: home } });
  assert.equal(second.code, 0, second.stderr);
  await s.waitFor("the window to come back", () => wm.visible("Pixdrop"));
  // Everything uploaded from the window is in the album, in the shared config's album file.
  const names = JSON.parse(cli(home, "album", "list", "--json")).map((r) => r.file_name);
  for (const n of ["alpha.png", "bravo.png", "charlie.png", "remote.png"]) assert.ok(names.includes(n), `${n} in ${names}`);
  assert.ok(!names.includes("notes.txt"));
});
