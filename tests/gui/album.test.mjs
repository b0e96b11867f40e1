// The album and the settings pages in the real window: search, select (plain, Ctrl, all), copy
// a batch in a chosen format, details, delete on the host; then settings that apply at once and
// persist for the CLI — link template and rename previews, a shortcut taken by another app, the
// language and the theme — with screenshots of every page in both themes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OUT, cleanup, cli, openApp, solidPng, startDriver, startStandIn, tempHome, wm, xclip } from "./harness.mjs";

const TOKEN = "album-token-0123456789";
const CTRL = "\uE009";

test("album: search, select, batch copy, details, delete on the host; settings, language, theme", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  cli(home, "settings", "set", "server_enabled", "off");
  cli(home, "settings", "set", "notify", "off");
  cli(home, "settings", "set", "theme", "light");
  cli(home, "settings", "set", "language", "en");
  const urls = {};
  for (const [name, colour] of [["sunset-beach.png", [250, 120, 40]], ["cat.png", [90, 90, 90]], ["dog.png", [160, 110, 60]]]) {
    const p = join(home, name);
    writeFileSync(p, solidPng(40, 30, colour));
    urls[name] = cli(home, "upload", "--format", "url", p).trim();
  }

  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "album-last.png");

  const tiles = () =>
    s.execute("return [...document.querySelectorAll('[data-record]')].map(e => ({ id: e.dataset.record, name: e.querySelector('.name')?.textContent, selected: e.classList.contains('selected') }))");
  // Tiles are found by their text in the page (WebDriver's text of transformed tiles is empty).
  const tileCss = async (name) => {
    const id = (await tiles()).find((x) => x.name === name)?.id;
    if (!id) throw new Error(`no tile ${name}`);
    return `[data-record="${id}"]`;
  };
  const tile = async (name) => s.find(await tileCss(name));

  await s.click(await s.find("[data-tab=album]"));
  const names = await s.waitFor("three tiles, newest first", async () => {
    const got = (await tiles()).map((x) => x.name);
    return got.length === 3 && got;
  });
  assert.deepEqual(names, ["dog.png", "cat.png", "sunset-beach.png"]);
  assert.equal(await s.text(await s.find("[data-test=album-count]")), "3 images");
  writeFileSync(join(OUT, "album-light.png"), await s.screenshot());

  // Search by file name, then by URL. A tile that leaves lets go of its thumbnail (its <img>
  // drops its source), so pictures scrolled or searched past do not stay decoded in memory.
  const leaving = `${await tileCss("sunset-beach.png")} img`;
  assert.equal(await s.execute(`window.leaving = document.querySelector('${leaving}'); return window.leaving.hasAttribute("src")`), true);
  await s.type(await s.find("[data-test=album-search]"), "cat");
  await s.waitFor("the search to narrow", async () => {
    const got = (await tiles()).map((x) => x.name);
    return got.length === 1 && got[0] === "cat.png";
  });
  assert.deepEqual(await s.execute("return [window.leaving.isConnected, window.leaving.hasAttribute('src')]"), [false, false]);
  await s.execute("const i=document.querySelector('[data-test=album-search]'); i.value=''; i.dispatchEvent(new Event('input'))");
  const hash = urls["sunset-beach.png"].split("/").pop().slice(0, 8);
  await s.type(await s.find("[data-test=album-search]"), hash);
  await s.waitFor("the URL search", async () => {
    const got = (await tiles()).map((x) => x.name);
    return got.length === 1 && got[0] === "sunset-beach.png";
  });
  await s.execute("const i=document.querySelector('[data-test=album-search]'); i.value=''; i.dispatchEvent(new Event('input'))");
  await s.waitFor("all tiles back", async () => (await tiles()).length === 3);

  // Select all and copy Markdown: one line each, in the grid's order.
  await s.click(await s.find("[data-test=album-select-all]"));
  await s.click(await s.find("[data-test=album-copy]"));
  await s.waitFor("the copy message", async () => (await s.text(await s.find("[data-test=album-message]"))).includes("Copied 3 links"));
  assert.equal(
    (await xclip.read()).trim(),
    ["dog.png", "cat.png", "sunset-beach.png"].map((n) => `![${n.replace(".png", "")}](${urls[n]})`).join("\n"),
  );

  // Plain click, then Ctrl-click; copy those two as URLs.
  await s.click(await tile("dog.png"));
  await s.clickWith([CTRL], await tileCss("sunset-beach.png"));
  const selected = (await tiles()).filter((x) => x.selected).map((x) => x.name);
  assert.deepEqual(selected, ["dog.png", "sunset-beach.png"]);
  await s.click(await s.find("[data-test=album-format] option[value=url]"));
  await s.click(await s.find("[data-test=album-copy]"));
  await s.waitFor("the URL copy", async () => (await xclip.read()).trim() === `${urls["dog.png"]}\n${urls["sunset-beach.png"]}`);

  // Details of one image.
  await s.click(await s.find(`${await tileCss("dog.png")} [data-act=details]`));
  const details = await s.waitFor("the details panel", async () => s.text(await s.find("[data-test=album-details]")));
  assert.ok(details.includes("40 × 30") && details.includes("standin"), details);
  writeFileSync(join(OUT, "album-details-light.png"), await s.screenshot());
  await s.execute("window.original = document.querySelector('[data-test=details-image]')");
  await s.click(await s.find("[data-test=album-details] header button"));
  await s.waitFor("the details panel to close", async () => (await s.findAll("[data-test=album-details]")).length === 0);
  assert.equal(await s.execute("return window.original.hasAttribute('src')"), false, "a closed original lets go of its picture");

  // Delete cat.png on the host: the dialog says so; the host forgets it; the record goes.
  assert.equal((await fetch(urls["cat.png"])).status, 200);
  await s.click(await tile("cat.png"));
  await s.click(await s.find("[data-test=album-delete]"));
  const says = await s.text(await s.find("[data-test=album-confirm-says]"));
  assert.match(says, /image stays online/);
  await s.click(await s.find("[data-test=album-delete-remote]"));
  assert.match(await s.text(await s.find("[data-test=album-confirm-says]")), /deleted on the host first/);
  writeFileSync(join(OUT, "album-delete-light.png"), await s.screenshot());
  await s.click(await s.find("[data-test=album-delete-confirm]"));
  await s.waitFor("the deletion message", async () => (await s.text(await s.find("[data-test=album-message]"))) === "Deleted 1 on the host and from the album.");
  await s.waitFor("two tiles left", async () => (await tiles()).length === 2);
  assert.equal((await fetch(urls["cat.png"])).status, 404, "the host no longer serves it");
  assert.deepEqual(JSON.parse(cli(home, "album", "list", "--json")).map((r) => r.file_name), ["dog.png", "sunset-beach.png"]);

  // Settings: previews come from the engine.
  await s.click(await s.find("[data-tab=settings]"));
  await s.click(await s.find("[data-setting=link_format] option[value=custom]"));
  const template = await s.waitFor("the template field", () => s.find("[data-setting=custom_link]"));
  await s.execute("const i=document.querySelector('[data-setting=custom_link]'); i.value=''; i.dispatchEvent(new Event('input'))");
  await s.type(template, "<img src=\"$url\" alt=\"$fileName\">");
  await s.waitFor("the link preview", async () => (await s.text(await s.find("[data-test=link-preview]"))) === '<img src="https://i.example.com/2026/11/screenshot.png" alt="screenshot">');
  await s.execute("document.querySelector('[data-setting=custom_link]').dispatchEvent(new Event('change'))");
  await s.waitFor("the template saved", () => cli(home, "settings", "get", "custom_link").trim() === '<img src="$url" alt="$fileName">');
  assert.equal(cli(home, "settings", "get", "link_format").trim(), "custom");
  await s.click(await s.find("[data-setting=rename] option[value=pattern]"));
  const pattern = await s.waitFor("the pattern field", () => s.find("[data-setting=rename_pattern]"));
  await s.execute("const i=document.querySelector('[data-setting=rename_pattern]'); i.value=''; i.dispatchEvent(new Event('input'))");
  await s.type(pattern, "{nope}");
  await s.waitFor("the pattern problem", async () => (await s.text(await s.find("[data-test=rename-problem]"))).includes("nope"));
  await s.execute("const i=document.querySelector('[data-setting=rename_pattern]'); i.value=''; i.dispatchEvent(new Event('input'))");
  await s.type(pattern, "{y}{m}-{filename}");
  await s.waitFor("the rename preview", async () => /^\d{4}-screenshot\.png$/.test(await s.text(await s.find("[data-test=rename-preview]"))));

  // The shortcut recorder: a combination another app holds is refused and said; a free one is saved.
  const release = await wm.grab("ctrl+alt+g");
  stop(release);
  await s.click(await s.find("[data-test=shortcut-recorder]"));
  await s.chord([CTRL, "\uE00A"], "g");
  const conflict = await s.waitFor("the shortcut conflict", async () => s.text(await s.find("[data-problem=shortcut]")));
  // In people's words, and saying the old shortcut still works.
  assert.equal(conflict, "Ctrl+Alt+G is taken by another program; Ctrl+Shift+U is still active");
  assert.equal(cli(home, "settings", "get", "shortcut").trim(), "CommandOrControl+Shift+U", "nothing saved");
  await s.click(await s.find("[data-test=shortcut-recorder]"));
  await s.chord([CTRL, "\uE00A"], "k");
  await s.waitFor("the new shortcut", async () => (await s.text(await s.find("[data-test=shortcut-recorder]"))) === "Ctrl+Alt+K");
  assert.equal(cli(home, "settings", "get", "shortcut").trim(), "CommandOrControl+Alt+K");
  writeFileSync(join(OUT, "settings-light.png"), await s.screenshot());

  // Language: 简体中文 at once, and saved for next time.
  await s.click(await s.find("[data-setting=language] option[value='zh-CN']"));
  await s.waitFor("Chinese tabs", async () => (await s.text(await s.find("[data-tab=album]"))) === "相册");
  assert.equal(cli(home, "settings", "get", "language").trim(), "zh-CN");
  assert.equal(await s.execute("return document.documentElement.lang"), "zh-CN");

  // Theme: dark at once, saved; every page photographed in dark.
  await s.click(await s.find("[data-setting=theme] option[value=dark]"));
  await s.waitFor("the dark theme", async () => (await s.execute("return document.documentElement.dataset.theme")) === "dark");
  const bg = await s.execute("return getComputedStyle(document.body).backgroundColor");
  assert.equal(bg, "rgb(20, 23, 28)");
  assert.equal(cli(home, "settings", "get", "theme").trim(), "dark");
  writeFileSync(join(OUT, "settings-dark.png"), await s.screenshot());
  for (const page of ["upload", "album", "hosts"]) {
    await s.click(await s.find(`[data-tab=${page}]`));
    if (page === "album") await s.waitFor("tiles", async () => (await tiles()).length === 2);
    writeFileSync(join(OUT, `${page}-dark.png`), await s.screenshot());
  }
  // Back to English and light, for the light screenshots of the remaining pages.
  await s.click(await s.find("[data-tab=settings]"));
  await s.click(await s.find("[data-setting=language] option[value=en]"));
  await s.click(await s.find("[data-setting=theme] option[value=light]"));
  await s.waitFor("the light theme", async () => (await s.execute("return document.documentElement.dataset.theme")) === "light");
  for (const page of ["upload", "hosts"]) {
    await s.click(await s.find(`[data-tab=${page}]`));
    writeFileSync(join(OUT, `${page}-light.png`), await s.screenshot());
  }
});
