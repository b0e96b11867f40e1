// The album shows thumbnails from Rust's cache (the webview loads no image from the network: the
// CSP forbids it), fetches the ones a record lacks (here: a cache folder someone emptied), and
// shows the original in Details through Rust. Settings → Images previews the settings on a
// sample photo, before and after, as they change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OUT, cleanup, cli, openApp, startDriver, startStandIn, tempHome } from "./harness.mjs";

const photo = (path, size, colour) => execFileSync("/usr/bin/convert", ["-size", size, `plasma:${colour}`, "-quality", "90", path]);
const thumbFiles = (home) => {
  const dir = join(home, "cache", "thumbnails");
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".webp")) : [];
};

test("album thumbnails come from Rust's cache; Details shows the original; the image settings preview", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn("tok-images");
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", "token=tok-images", "--set", `server=${host.url}`, "--set", "api=see");
  for (const k of [["server_enabled", "off"], ["notify", "off"], ["language", "en"]]) cli(home, "settings", "set", ...k);
  const wide = join(home, "wide.jpg");
  const tall = join(home, "tall.jpg");
  photo(wide, "1600x900", "red-blue");
  photo(tall, "600x1200", "green-yellow");
  cli(home, "upload", wide, tall);
  // The uploads made their thumbnails; someone empties the cache: the app fetches them again.
  assert.equal(thumbFiles(home).length, 2);
  rmSync(join(home, "cache"), { recursive: true });

  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "images-last.png");
  await s.click(await s.find("[data-tab=album]"));
  const loaded = await s.waitFor("both thumbnails loaded", () =>
    s.execute(`const imgs = [...document.querySelectorAll('.tile img')];
      return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0)
        ? imgs.map((i) => [i.getAttribute('src'), i.naturalWidth, i.naturalHeight]) : null`),
  );
  for (const [src, w, h] of loaded) {
    assert.match(src, /^thumb:\/\/localhost\/album\/\d+$/);
    assert.ok(Math.max(w, h) === 320, `${src}: ${w}×${h}`);
  }
  assert.equal(thumbFiles(home).length, 2, "fetched once and kept");
  writeFileSync(join(OUT, "images-album.png"), await s.screenshot());

  // The page cannot load an image from the network, even one the album knows.
  const url = JSON.parse(cli(home, "album", "list", "--json"))[0].url;
  const blocked = await s.executeAsync(`const done = arguments[arguments.length - 1];
    const i = new Image(); i.onload = () => done('loaded'); i.onerror = () => done('blocked'); i.src = ${JSON.stringify(url)};`);
  assert.equal(blocked, "blocked");

  // Details: the original, downloaded by Rust.
  await s.click(await s.find(".tile [data-act=details]"));
  const size = await s.waitFor("the original in Details", () =>
    s.execute("const i = document.querySelector('[data-test=details-image]'); return i && i.complete && i.naturalWidth > 0 ? [i.getAttribute('src'), i.naturalWidth, i.naturalHeight] : null"),
  );
  assert.match(size[0], /^thumb:\/\/localhost\/original\/\d+$/);
  assert.ok((size[1] === 600 && size[2] === 1200) || (size[1] === 1600 && size[2] === 900), String(size));

  // Settings → Images: the sample photo loses its location by default; a watermark and WebP
  // show in the preview as soon as they are set.
  await s.click(await s.find("[data-tab=settings]"));
  const said = await s.waitFor("the preview", async () => s.text(await s.find("[data-test=preview-done]")));
  assert.match(said, /^location and camera data removed \(EXIF, GPS\)/);
  const text = await s.find("[data-setting=watermark_text]");
  await s.type(text, "pixdrop.test");
  await s.execute("document.querySelector('[data-setting=watermark_text]').dispatchEvent(new Event('change'))");
  await s.waitFor("the watermark saved", () => cli(home, "settings", "get", "watermark_text").trim() === "pixdrop.test");
  await s.execute("const sel = document.querySelector('[data-setting=convert_to]'); sel.value = 'webp'; sel.dispatchEvent(new Event('change'))");
  const after = await s.waitFor("the preview to follow", async () => {
    const done = await s.text(await s.find("[data-test=preview-done]"));
    return done.includes("converted JPEG → WebP") && done.includes("watermarked") && done;
  });
  assert.ok(after.includes(" → "), after);
  await s.waitFor("both preview images shown", () =>
    s.execute("return ['before', 'after'].every((w) => { const i = document.querySelector(`[data-test=preview-${w}]`); return i && i.complete && i.naturalWidth === 1600; })"),
  );
  await s.execute("document.querySelector('[data-test=image-preview]').scrollIntoView()");
  // A font that cannot write the text is refused by name; the setting keeps its value.
  await s.execute("const i = document.querySelector('[data-setting=watermark_font]'); i.value = '/nonexistent/font.ttf'; i.dispatchEvent(new Event('change'))");
  const problem = await s.waitFor("the font refused", async () => {
    const p = await s.findAll("[data-problem=watermark_font]");
    return p.length && (await s.text(p[0]));
  });
  assert.ok(problem.includes("/nonexistent/font.ttf"), problem);
  assert.equal(cli(home, "settings", "get", "watermark_font").trim(), "");
});
