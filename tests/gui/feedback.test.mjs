// The feedback around the jobs (issue 25): status messages that go by themselves and never
// cover a control, errors beside their fields, the pages' wording.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, cli, openApp, run, solidPng, startDriver, startStandIn, tempHome, wm } from "./harness.mjs";

const TOKEN = "feedback-token-0123456789";

/** A home with the stand-in host configured; resolves with {home, host, file(name, colour)}. */
async function standInHome(stop) {
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  cli(home, "settings", "set", "server_enabled", "off");
  const file = (name, colour) => {
    const p = join(home, name);
    writeFileSync(p, solidPng(40, 30, colour));
    return p;
  };
  return { home, host, file };
}

/** True when the status bar lies wholly below the page (nothing of the page under it). */
const BAR_BELOW_PAGE = `
  const bar = document.querySelector('[data-test=status-bar]').getBoundingClientRect();
  const main = document.querySelector('main').getBoundingClientRect();
  return bar.height > 0 && main.bottom <= bar.top + 0.5;`;

test("status messages go after a few seconds (errors later, or on ×) and never cover a control", async (t) => {
  const stop = cleanup(t);
  const { home, file } = await standInHome(stop);
  const a = file("alpha.png", [200, 30, 30]);
  const driver = await startDriver(home, { PIXDROP_TEST_PICK_FILES: a });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-messages.png");

  await s.click(await s.find("[data-test=choose-files]"));
  const notice = await s.waitFor("the batch notice", async () => s.text(await s.find("[data-test=batch-notice]")));
  const shown = Date.now();
  assert.equal(notice, "Uploaded — link copied.");
  const noticeSize = await s.execute("return getComputedStyle(document.querySelector('[data-test=batch-notice]')).fontSize");
  assert.ok(await s.execute(BAR_BELOW_PAGE), "the message sits in the status bar, below every control");
  // The message takes clicks itself (they do not fall through to what is under it).
  assert.ok(await s.execute("const r = document.querySelector('[data-test=batch-notice]').getBoundingClientRect(); return !!document.elementFromPoint(r.left + 2, r.top + r.height / 2)?.closest('[data-test=status-bar]')"));
  await s.waitFor("the batch notice to go by itself", async () => (await s.findAll("[data-test=batch-notice]")).length === 0, 30000);
  assert.ok(Date.now() - shown >= 3000, "it stayed long enough to read");
  assert.equal(await s.execute("return document.querySelector('[data-test=status-bar]').getBoundingClientRect().height"), 0, "the empty bar takes no room");
  // One image is "1 image".
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("the album's count", async () => (await s.text(await s.find("[data-test=album-count]"))) === "1 image");
  await s.click(await s.find("[data-tab=upload]"));

  // An error stays longer, and goes at once on its ×.
  await s.type(await s.find("[data-test=url-input]"), "file:///etc/passwd");
  await s.click(await s.find("[data-test=url-upload]"));
  await s.waitFor("the URL refusal", async () => s.text(await s.find("[data-test=upload-error]")));
  assert.ok(await s.execute(BAR_BELOW_PAGE));
  // An error is no larger than other messages.
  assert.equal(await s.execute("return getComputedStyle(document.querySelector('[data-test=upload-error]')).fontSize"), noticeSize);
  await s.click(await s.find("[data-test=status-bar] [data-act=close-toast]"));
  await s.waitFor("the error to go on ×", async () => (await s.findAll("[data-test=upload-error]")).length === 0, 5000);

  // Left alone, an error goes too (later than a notice).
  await s.click(await s.find("[data-test=url-upload]"));
  await s.waitFor("the URL refusal again", async () => s.text(await s.find("[data-test=upload-error]")));
  const errorShown = Date.now();
  await s.waitFor("the error to go by itself", async () => (await s.findAll("[data-test=upload-error]")).length === 0, 40000);
  assert.ok(Date.now() - errorShown >= 7000, "an error stays longer than a notice");
});

/** Type `text` over what a field holds, as a person would; then leave it (Tab). */
async function retype(s, css, text, leave = true) {
  const el = await s.find(css);
  // Emptied in the page (WebDriver's clear does not empty a number field in WebKitGTK), then typed.
  await s.execute("const i = document.querySelector(arguments[0]); i.value = ''; i.dispatchEvent(new Event('input'))", [css]);
  await s.type(el, text + (leave ? "\uE004" : ""));
  return el;
}

test("settings fields keep what was typed; errors beside their field; the watermark previews as it is typed", async (t) => {
  const stop = cleanup(t);
  const { home } = await standInHome(stop);
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-settings.png");
  await s.click(await s.find("[data-tab=settings]"));

  // Quality 150 is refused: the field keeps 150, says "not saved", the error right under it.
  await retype(s, "[data-setting=quality]", "150");
  const problem = await s.waitFor("quality's error", async () => s.text(await s.find("[data-problem=quality]")));
  assert.ok(problem.length > 0);
  assert.equal(await s.execute("return document.querySelector('[data-setting=quality]').value"), "150");
  assert.ok((await s.findAll("[data-unsaved=quality]")).length, "marked not saved");
  const gap = await s.execute(`
    const f = document.querySelector('[data-setting=quality]').closest('.row').getBoundingClientRect();
    const p = document.querySelector('[data-problem=quality]').getBoundingClientRect();
    return p.top - f.bottom;`);
  assert.ok(gap >= 0 && gap <= 24, `the error is right under its field (${gap}px)`);
  assert.equal(cli(home, "settings", "get", "quality").trim(), "82");
  // Another setting saved meanwhile does not put 82 back.
  await s.click(await s.find("[data-setting=notify]"));
  await s.waitFor("notify saved", async () => cli(home, "settings", "get", "notify").trim() === "false");
  assert.equal(await s.execute("return document.querySelector('[data-setting=quality]').value"), "150");
  // The language changed meanwhile: the error is said again in it, beside the same field.
  cli(home, "settings", "set", "language", "zh-CN");
  await s.waitFor("quality's error in Chinese", async () => /[\u4e00-\u9fff]/.test(await s.text(await s.find("[data-problem=quality]"))));
  cli(home, "settings", "set", "language", "en");
  await s.waitFor("quality's error in English again", async () => (await s.text(await s.find("[data-problem=quality]"))) === problem);
  // Typing again drops the error about the text before; a valid value saves, mark and error go.
  await retype(s, "[data-setting=quality]", "90");
  await s.waitFor("quality 90 saved", async () => cli(home, "settings", "get", "quality").trim() === "90");
  await s.waitFor("the error and the mark to go", async () =>
    (await s.findAll("[data-problem=quality]")).length === 0 && (await s.findAll("[data-unsaved=quality]")).length === 0);

  // The watermark saves and previews as it is typed, without leaving the field.
  const before = await s.waitFor("the first preview", async () => s.execute("return document.querySelector('[data-test=preview-after]')?.src"));
  await retype(s, "[data-setting=watermark_text]", "Pixdrop", false);
  await s.waitFor("the watermark saved while typing", async () => cli(home, "settings", "get", "watermark_text").trim() === "Pixdrop");
  await s.waitFor("the preview to change", async () => (await s.execute("return document.querySelector('[data-test=preview-after]')?.src")) !== before);
  assert.equal(await s.execute("return document.activeElement.dataset.setting"), "watermark_text", "the field keeps the focus");
  // Every control on the page has a label of its own.
  const unlabelled = await s.execute(`
    return [...document.querySelectorAll('.settings input, .settings select')]
      .filter((e) => !(e.labels && [...e.labels].some((l) => l.innerText.trim())) && !e.getAttribute('aria-label'))
      .map((e) => e.dataset.setting || e.outerHTML.slice(0, 80));`);
  assert.deepEqual(unlabelled, []);
  const position = await s.execute("return document.querySelector('[data-setting=watermark_position]').labels[0].innerText");
  assert.match(position, /position/i);
});

test("host form errors stand beside their fields, the form scrolled to the first", async (t) => {
  const stop = cleanup(t);
  const { home } = await standInHome(stop);
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-host-form.png");
  await s.click(await s.find("[data-tab=hosts]"));
  await s.click(await s.find("[data-test=add-kind] option[value=github]"));
  await s.click(await s.find("[data-test=host-add]"));
  // Config name is marked required like the other required fields.
  assert.match(await s.text(await s.find("[data-test=host-form] label.field")), /\*/);
  // Save with nothing filled: the first error (the name's) is in view, its field focused.
  await s.click(await s.find("[data-test=host-save]"));
  await s.find("[data-problem=name]");
  await s.waitFor("the name field focused and in view", async () =>
    s.execute(`
      const a = document.activeElement;
      const r = a.getBoundingClientRect(), m = document.querySelector('main').getBoundingClientRect();
      return a.dataset.field === 'name' && r.top >= m.top && r.bottom <= m.bottom;`));
  // A repository Rust refuses: its error beside the repository field, not at the form's end.
  await s.type(await s.find("[data-field=name]"), "gh");
  await s.type(await s.find("[data-field=token]"), "ghp_0123456789");
  await s.type(await s.find("[data-field=repo]"), "not-a-repo");
  await s.click(await s.find("[data-test=host-save]"));
  const said = await s.waitFor("the repository's error", async () => s.execute("return document.querySelector('[data-problem=repo]')?.closest('.field')?.querySelector('[data-field=repo]') ? document.querySelector('[data-problem=repo]').innerText : null"));
  assert.match(said, /owner\/name/);
  assert.equal((await s.findAll("[data-test=form-error]")).length, 0, "not repeated at the end of the form");
  assert.ok(await s.execute("const r = document.querySelector('[data-problem=repo]').getBoundingClientRect(), m = document.querySelector('main').getBoundingClientRect(); return r.top >= m.top && r.bottom <= m.bottom"), "in view");
  // Fixing the field drops the error about the text before.
  await s.type(await s.find("[data-field=repo]"), "/images");
  await s.waitFor("the repository's error to go", async () => (await s.findAll("[data-problem=repo]")).length === 0);
  await s.click(await s.find("[data-test=host-save]"));
  await s.waitFor("the config saved", async () => (await s.findAll("[data-host=gh]")).length === 1);
  // In 简体中文 Rust's refusal is said in Chinese and still stands beside its field.
  cli(home, "settings", "set", "language", "zh-CN");
  await s.waitFor("the page in Chinese", async () => (await s.execute("return document.documentElement.lang")) === "zh-CN");
  await s.click(await s.find("[data-test=add-kind] option[value=github]"));
  await s.click(await s.find("[data-test=host-add]"));
  await s.type(await s.find("[data-field=name]"), "gh2");
  await s.type(await s.find("[data-field=token]"), "ghp_0123456789");
  await s.type(await s.find("[data-field=repo]"), "not-a-repo");
  await s.click(await s.find("[data-test=host-save]"));
  const zh = await s.waitFor("the repository's error in Chinese", async () => s.execute("return document.querySelector('[data-problem=repo]')?.closest('.field')?.querySelector('[data-field=repo]') ? document.querySelector('[data-problem=repo]').innerText : null"));
  assert.match(zh, /[\u4e00-\u9fff]/, zh);
  assert.match(zh, /owner\/name/, zh);
});

// The rows of a batch come in one at a time: each after the first lands below the batch's first
// row, so the anchor must be a row that was there before (it once was that first new row).
test("each page opens at its own place, and new rows do not push the row in view", async (t) => {
  const stop = cleanup(t);
  const { home, file } = await standInHome(stop);
  const files = [1, 2, 3, 4, 5, 6].map((i) => file(`row${i}.png`, [i * 30, 100, 200 - i * 20]));
  const driver = await startDriver(home, { PIXDROP_TEST_PICK_FILES: files.join(":") });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-scroll.png");
  const scrollTop = () => s.execute("return document.querySelector('main').scrollTop");

  // Settings scrolled to its end, then Upload: the drop zone is in view, at the top.
  await s.click(await s.find("[data-tab=settings]"));
  await s.find("[data-test=server]");
  await s.execute("const m = document.querySelector('main'); m.scrollTop = m.scrollHeight");
  const settingsPlace = await s.waitFor("settings scrolled", async () => { const v = await scrollTop(); return v > 0 && v; });
  await s.click(await s.find("[data-tab=upload]"));
  await s.waitFor("Upload at its top", async () => (await scrollTop()) === 0);
  // Back to Settings: where it was left.
  await s.click(await s.find("[data-tab=settings]"));
  await s.waitFor("Settings where it was left", async () => Math.abs((await scrollTop()) - settingsPlace) <= 2);
  await s.click(await s.find("[data-tab=upload]"));

  // Six rows, scrolled so the last is at the top of the view; six more come in above it.
  await s.click(await s.find("[data-test=choose-files]"));
  await s.waitFor("six rows done", async () => (await s.findAll("[data-row][data-status=done]")).length === 6);
  // The batch's message gone (the status bar's room changes the page's height), then the page
  // scrolled to its end; the first row in view is the one that must not move.
  await s.waitFor("the batch notice gone", async () => (await s.findAll("[data-test=batch-notice]")).length === 0, 30000);
  await s.execute("const m = document.querySelector('main'); m.scrollTop = m.scrollHeight");
  await s.waitFor("scrolled", async () => (await scrollTop()) > 0);
  const last = await s.execute("const top = document.querySelector('main').getBoundingClientRect().top; return [...document.querySelectorAll('[data-row]')].find((r) => r.getBoundingClientRect().top >= top).dataset.row");
  const topOf = () => s.execute("return document.querySelector(`[data-row=\"${arguments[0]}\"]`).getBoundingClientRect().top", [last]);
  const before = await topOf();
  // (A WebDriver click would scroll the button into view first.)
  await s.execute("document.querySelector('[data-test=choose-files]').click()");
  await s.waitFor("twelve rows", async () => (await s.findAll("[data-row]")).length === 12);
  await s.waitFor("the new rows settled", async () => (await s.findAll("[data-row][data-status=done]")).length === 12, 60000);
  const after = await topOf();
  assert.ok(Math.abs(after - before) <= 2, `the row in view stayed (${before} → ${after})`);
});

test("English text keeps narrow curly quotes with a CJK font installed; the page says its language", async (t) => {
  const stop = cleanup(t);
  const { home } = await standInHome(stop);
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home);
  await s.click(await s.find("[data-tab=hosts]"));
  const width = (lang) => s.execute(`
    const p = document.createElement('span');
    p.textContent = '“';
    p.lang = arguments[0];
    document.querySelector('main').append(p);
    const w = p.getBoundingClientRect().width / parseFloat(getComputedStyle(p).fontSize);
    p.remove();
    return w;`, [lang]);
  assert.equal(await s.execute("return document.documentElement.lang"), "en");
  const en = await width("en");
  assert.ok(en < 0.6, `an English “ is narrow (${en.toFixed(2)} em)`);
  cli(home, "settings", "set", "language", "zh-CN");
  await s.waitFor("the page in Chinese", async () => (await s.execute("return document.documentElement.lang")) === "zh-CN");
});

test("a valid template being typed is not called unsaved", async (t) => {
  const stop = cleanup(t);
  const { home } = await standInHome(stop);
  cli(home, "settings", "set", "link_format", "custom");
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home);
  await s.click(await s.find("[data-tab=settings]"));
  const field = await retype(s, "[data-setting=custom_link]", "<$url>", false);
  await s.waitFor("the preview of the new template", async () => /^<.+>$/.test(await s.text(await s.find("[data-test=link-preview]"))));
  assert.equal((await s.findAll("[data-unsaved=custom_link]")).length, 0, "no 'not saved' while typing");
  await s.type(field, "\uE004");
  await s.waitFor("saved on leaving", async () => cli(home, "settings", "get", "custom_link").trim() === "<$url>");
  assert.equal((await s.findAll("[data-unsaved=custom_link]")).length, 0);
});

test("a file the album has already says so, not 'Uploaded'", async (t) => {
  const stop = cleanup(t);
  const { home, file } = await standInHome(stop);
  const a = file("again.png", [10, 200, 90]);
  const driver = await startDriver(home, { PIXDROP_TEST_PICK_FILES: a });
  stop(driver.stop);
  const s = await openApp(stop, driver, home);
  await s.click(await s.find("[data-test=choose-files]"));
  await s.waitFor("the first upload's notice", async () => (await s.text(await s.find("[data-test=batch-notice]"))) === "Uploaded — link copied.");
  await s.click(await s.find("[data-test=choose-files]"));
  await s.waitFor("the duplicate's row", async () => (await s.findAll("[data-row][data-status=done]")).length === 2);
  assert.equal(await s.text(await s.find("[data-test=batch-notice]")), "Already uploaded — link copied.");
});

test("album: the toolbar holds still on selecting, a selected tile shows a whole ring and a check, the copy format is kept and named", async (t) => {
  const stop = cleanup(t);
  const { home, file } = await standInHome(stop);
  for (const [i, name] of ["one.png", "two.png", "three.png"].entries()) cli(home, "upload", "--format", "url", file(name, [i * 80, 40, 160]));
  cli(home, "settings", "set", "link_format", "markdown");
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-album.png");
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("three tiles", async () => (await s.findAll("[data-record]")).length === 3);
  // Positions within the page (a click may scroll the window's scroller by a few pixels).
  const boxes = () => s.execute("const a = document.querySelector('.album').getBoundingClientRect(); return [...document.querySelectorAll('.toolbar button, .toolbar select, .toolbar input')].map(e => { const r = e.getBoundingClientRect(); return [e.dataset.test, Math.round(r.left - a.left), Math.round(r.top - a.top)]; })");
  // The page fully loaded (the sync menu comes with the host list) before measuring.
  await s.find("[data-test=album-sync-host]");
  const before = await boxes();
  const first = await s.execute("return document.querySelector('[data-record]').dataset.record");
  await s.click(await s.find(`[data-record="${first}"]`));
  await s.waitFor("the selection counted", async () => (await s.text(await s.find("[data-test=album-count]"))).includes("1 selected"));
  assert.deepEqual(await boxes(), before, "no toolbar control moved");
  // The selected tile (top row) has a check mark, and its ring is inside the scroller.
  await s.find(`[data-record="${first}"] [data-test=tile-check]`);
  const inside = await s.execute(`
    const tile = document.querySelector('[data-record="' + arguments[0] + '"]').getBoundingClientRect();
    const sc = document.querySelector('[data-test=album-grid]');
    const box = sc.getBoundingClientRect();
    return tile.top - 4 >= box.top && tile.left - 4 >= box.left && tile.right + 4 <= box.left + sc.clientWidth;`, [first]);
  assert.ok(inside, "the selection ring is not cut");
  // The format: the setting's is named; a pick is kept after leaving the page.
  assert.match(await s.execute("return document.querySelector('[data-test=album-format]').selectedOptions[0].textContent"), /Markdown.*setting/);
  await s.click(await s.find("[data-test=album-format] option[value=html]"));
  await s.click(await s.find("[data-tab=upload]"));
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("the album again", async () => (await s.findAll("[data-record]")).length === 3);
  assert.equal(await s.execute("return document.querySelector('[data-test=album-format]').value"), "html");

  // Details name the host once, in words, and say what Delete does instead of a raw handle.
  await s.execute("document.querySelector('[data-record] [data-act=details]').click()");
  assert.equal(await s.text(await s.find("[data-test=details-host]")), "standin · SM.MS / S.EE");
  assert.match(await s.text(await s.find("[data-test=details-delete]")), /^Delete removes it/);
});

test("first run: the way to add a host stands where the host menu will be, and the empty list says what to do", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  cli(home, "settings", "set", "server_enabled", "off");
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-first-run.png");
  const boxes = await s.waitFor("the add button", async () => s.execute(`
    const b = document.querySelector('[data-test=add-host]'), f = document.querySelector('[data-test=format-picker]');
    if (!b || !f) return null;
    const rb = b.getBoundingClientRect(), rf = f.getBoundingClientRect();
    return { top: [rb.top, rf.top], height: [rb.height, rf.height] };`));
  assert.ok(Math.abs(boxes.top[0] - boxes.top[1]) <= 1, `aligned with the format menu: ${JSON.stringify(boxes)}`);
  assert.ok(Math.abs(boxes.height[0] - boxes.height[1]) <= 2, `as high as the format menu: ${JSON.stringify(boxes)}`);
  await s.click(await s.find("[data-test=add-host]"));
  assert.match(await s.text(await s.find("[data-test=hosts-empty]")), /Add.*token/);
});

test("host rows: a summary each, buttons lined up across rows, kinds in the Upload to menu", async (t) => {
  const stop = cleanup(t);
  const { home, host } = await standInHome(stop);
  const local = join(home, "pub");
  mkdirSync(local);
  cli(home, "hosts", "add", "local", "folder", "--set", `path=${local}`, "--set", "url_prefix=http://127.0.0.1:1/img", "--set", "mirrors=standin");
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-host-rows.png");
  const menu = await s.waitFor("kinds in the menu", async () => {
    const texts = await s.execute("return [...document.querySelectorAll('[data-test=host-picker] option')].map(o => o.textContent.trim())");
    return texts.every((x) => x.includes(" — ")) && texts;
  });
  assert.ok(menu.includes("standin — SM.MS / S.EE"), menu.join(" | "));
  await s.click(await s.find("[data-tab=hosts]"));
  const summaryOf = (name) => s.execute("return document.querySelector(`[data-host=\"${arguments[0]}\"] [data-test=host-summary]`)?.innerText", [name]);
  const summary = await s.waitFor("the folder's summary", () => summaryOf("folder"));
  assert.ok(summary.includes(local) && summary.includes("standin"), summary);
  assert.ok((await summaryOf("standin")).includes(new URL(host.url).host));
  const lefts = await s.execute("return ['edit', 'test', 'delete'].map(a => [...document.querySelectorAll(`[data-act=${a}]`)].map(b => Math.round(b.getBoundingClientRect().left)))");
  for (const col of lefts) assert.equal(new Set(col).size, 1, `a button column lines up: ${JSON.stringify(lefts)}`);
});

test("the primary button keeps bold white text in both themes, legibly", async (t) => {
  const stop = cleanup(t);
  const { home } = await standInHome(stop);
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home);
  const look = () => s.execute(`
    const b = document.querySelector('[data-test=choose-files]'), st = getComputedStyle(b);
    const rgb = (c) => c.match(/\\d+/g).slice(0, 3).map(Number);
    const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const [a, z] = [lum(st.color), lum(st.backgroundColor)].sort((x, y) => y - x);
    return { theme: document.documentElement.dataset.theme, color: st.color, weight: Number(st.fontWeight), contrast: (a + 0.05) / (z + 0.05) };`);
  for (const theme of ["light", "dark"]) {
    cli(home, "settings", "set", "theme", theme);
    const got = await s.waitFor(`the ${theme} theme`, async () => { const l = await look(); return l.theme === theme && l; });
    assert.equal(got.color, "rgb(255, 255, 255)", theme);
    assert.ok(got.weight >= 600, `${theme}: bold (${got.weight})`);
    assert.ok(got.contrast >= 4.5, `${theme}: contrast ${got.contrast.toFixed(2)}`);
  }
});

test("at 640×480 the album's menus show their whole text and the grid more than one row", async (t) => {
  const stop = cleanup(t);
  const { home, file } = await standInHome(stop);
  for (let i = 0; i < 8; i++) cli(home, "upload", "--format", "url", file(`small${i}.png`, [i * 30, 90, 90]));
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-640.png");
  await s.cmd("POST", "/window/rect", { width: 640, height: 480 });
  await s.waitFor("the small window", async () => (await s.execute("return innerWidth <= 640 && innerHeight <= 480")));
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("the tiles", async () => (await s.findAll("[data-record]")).length >= 4);
  const clipped = await s.execute(`
    return [...document.querySelectorAll('.album .toolbar select')].filter((sel) => {
      const span = document.createElement('span');
      span.style.font = getComputedStyle(sel).font;
      span.style.position = 'absolute';
      span.textContent = sel.selectedOptions[0]?.textContent ?? '';
      document.body.append(span);
      const need = span.getBoundingClientRect().width;
      span.remove();
      return need + 24 > sel.getBoundingClientRect().width;
    }).map((sel) => sel.dataset.test);`);
  assert.deepEqual(clipped, [], "no menu cuts its text");
  const rows = () => s.execute(`
    const box = document.querySelector('[data-test=album-grid]').getBoundingClientRect();
    const tops = [...document.querySelectorAll('[data-record]')].map((e) => e.getBoundingClientRect().top).filter((top) => top < box.bottom - 60);
    return new Set(tops.map(Math.round)).size;`);
  await s.waitFor("two rows in view", async () => (await rows()) >= 2);
});

test("a host error that outlasts the retries offers Retry with a hint", async (t) => {
  const stop = cleanup(t);
  const { home, host, file } = await standInHome(stop);
  const a = file("five-hundred.png", [250, 20, 20]);
  const driver = await startDriver(home, { PIXDROP_TEST_PICK_FILES: a });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-500.png");
  await host.script("500 500 500 500 500");
  await s.click(await s.find("[data-test=choose-files]"));
  const row = await s.waitFor("the failed row", async () => (await s.findAll("[data-row][data-status=failed]"))[0], 60000);
  await s.find("[data-row][data-status=failed] [data-act=retry]");
  assert.match(await s.text(await s.find("[data-row][data-status=failed] [data-test=row-hint]")), /Retry/);
  assert.ok(row);
});

test("a shortcut change from the CLI that another program's grab refuses: every page shows what is bound", async (t) => {
  const stop = cleanup(t);
  const { home } = await standInHome(stop);
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-shortcut.png");
  await s.waitFor("the shortcut bound", async () => (await s.text(await s.find("[data-test=shortcut-status]"))).includes("Ctrl+Shift+U"));
  const release = await wm.grab("ctrl+alt+g");
  stop(release);
  cli(home, "settings", "set", "shortcut", "CommandOrControl+Alt+G");
  // Upload page: says the new keys are taken and the old still work.
  const upload = await s.waitFor("the refusal on the Upload page", async () => {
    const text = await s.text(await s.find("[data-test=shortcut-status]"));
    return text.includes("taken") && text;
  });
  assert.match(upload, /Ctrl\+Alt\+G is taken by another program; Ctrl\+Shift\+U is still active/);
  // Settings: the recorder shows the keys bound now, and no "active" for the refused ones.
  await s.click(await s.find("[data-tab=settings]"));
  assert.equal(await s.text(await s.find("[data-test=shortcut-recorder]")), "Ctrl+Shift+U");
  assert.match(await s.text(await s.find("[data-problem=shortcut]")), /still active/);
  assert.equal((await s.findAll("[data-test=shortcut-ok]")).length, 0);
  // Back to the keys that are bound: the refusal no longer holds.
  cli(home, "settings", "set", "shortcut", "CommandOrControl+Shift+U");
  await s.waitFor("the shortcut active again", async () => (await s.findAll("[data-test=shortcut-ok]")).length === 1);
  assert.equal((await s.findAll("[data-problem=shortcut]")).length, 0);
});

/** English words left in the page (text, menus, labels, tooltips): what is not a name, a code,
 *  a path, a URL or an acronym. `allowed`: words of the user's data (config names). */
const ENGLISH_LEFT = `
  const allowed = new Set(arguments[0]);
  // A field's choices are values, which its help may name ("auto: …").
  for (const o of document.querySelectorAll('select[data-field] option')) allowed.add(o.value);
  const names = new Set(['Pixdrop', 'PicGo', 'ShareX', 'Markdown', 'DejaVu', 'Sans', 'Bold', 'Ctrl', 'Alt', 'Shift', 'English',
    'GitHub', 'Gitea', 'Forgejo', 'Imgur', 'Lsky', 'Pro', 'Chevereto', 'WebDAV', 'OpenSSH', 'MinIO', 'SeaweedFS', 'Cloudflare',
    'WebP', 'Web', 'OAuth', 'smfile', 'auto', 'repo', 'Bearer', 'Token', 'Contents', 'Client', 'Enterprise']);
  const texts = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style, code, [aria-hidden=true], [data-test=status-bar]')) continue;
    if (el.tagName !== 'OPTION' && !el.getClientRects().length) continue;
    texts.push(n.textContent);
  }
  for (const el of document.querySelectorAll('[placeholder]:not([data-field]), [aria-label], [title]')) {
    for (const a of ['placeholder', 'aria-label', 'title']) if (el.getAttribute(a)) texts.push(el.getAttribute(a));
  }
  const left = new Set();
  for (const text of texts) {
    for (const raw of text.split(/[\\s\\u3000-\\u303f\\uff00-\\uffef（），。：；、“”‘’]+/)) {
      if (/[\\/.{}_:@$<>\\[\\]|~=#+!\\\\\\-]|\\d/.test(raw)) continue;
      const w = raw.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, '');
      if (w.length < 3 || w === w.toUpperCase() || names.has(w) || allowed.has(w)) continue;
      if (/[A-Za-z]{3,}/.test(w)) left.add(w);
    }
  }
  return [...left];`;

test("简体中文 reaches every page and every host form: no English text of ours is left", async (t) => {
  const stop = cleanup(t);
  const { home, file } = await standInHome(stop);
  const a = file("zh.png", [90, 30, 200]);
  cli(home, "upload", "--format", "url", a);
  cli(home, "settings", "set", "language", "zh-CN");
  cli(home, "settings", "set", "link_format", "custom");
  cli(home, "settings", "set", "watermark_text", "Pixdrop");
  // Errors made in Rust are said in Chinese too: a file that is no image, one that is gone.
  const notes = join(home, "notes.txt");
  writeFileSync(notes, "just text, not an image");
  const gone = join(home, "gone.png");
  const driver = await startDriver(home, { PIXDROP_TEST_PICK_FILES: [a, notes, gone].join(":") });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-zh.png");
  const allowed = ["standin"];
  const check = async (where) => {
    const left = await s.execute(ENGLISH_LEFT, [allowed]);
    assert.deepEqual(left, [], `English left on ${where}`);
  };
  await s.waitFor("the page in Chinese", async () => (await s.execute("return document.documentElement.lang")) === "zh-CN");
  // A row with its processing note.
  await s.click(await s.find("[data-test=choose-files]"));
  await s.waitFor("the rows", async () => (await s.findAll("[data-row][data-status=done]")).length === 1 && (await s.findAll("[data-row][data-status=failed]")).length === 2);
  const errors = await s.execute("return [...document.querySelectorAll('[data-test=row-error]')].map(e => e.textContent)");
  assert.ok(errors.some((e) => /notes\.txt：不是图片/.test(e)), errors.join(" | "));
  assert.ok(errors.some((e) => /gone\.png/.test(e) && /没有该文件|不存在/.test(e)), errors.join(" | "));
  // A refusal made in Rust before anything is sent, shown over the page.
  await s.type(await s.find("[data-test=url-input]"), "file:///etc/passwd");
  await s.click(await s.find("[data-test=url-upload]"));
  const refused = await s.waitFor("the URL refusal", async () => s.text(await s.find("[data-test=upload-error]")));
  assert.match(refused, /http:\/\/|https:\/\//);
  assert.match(refused, /[\u4e00-\u9fff]/);
  await check("Upload");
  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("the tiles", async () => (await s.findAll("[data-record]")).length >= 1);
  await check("Album");
  await s.execute("document.querySelector('[data-record] [data-act=details]').click()");
  await s.find("[data-test=album-details]");
  await check("Album details");
  await s.click(await s.find("[data-tab=settings]"));
  await s.find("[data-test=server-status]");
  await s.waitFor("the preview", async () => s.text(await s.find("[data-test=preview-done]")));
  await check("Settings");
  await s.click(await s.find("[data-tab=hosts]"));
  await s.find("[data-host=standin]");
  await check("Image hosts");
  assert.equal(await s.text(await s.find("[data-host=standin] [data-act=duplicate]")), "创建副本");
  const kinds = await s.execute("return [...document.querySelectorAll('[data-test=add-kind] option')].map(o => o.value)");
  assert.ok(kinds.length >= 10, kinds.join(" "));
  for (const kind of kinds) {
    await s.click(await s.find(`[data-test=add-kind] option[value="${kind}"]`));
    await s.click(await s.find("[data-test=host-add]"));
    await s.find("[data-test=host-form]");
    await check(`the ${kind} form`);
    await s.click(await s.find("[data-test=host-cancel]"));
    await s.waitFor("the form closed", async () => (await s.findAll("[data-test=host-form]")).length === 0);
  }
});

// With real key presses WebKitGTK delivers Ctrl and Alt going down, then the window losing focus
// to the grab and getting it back, and no key-ups: the recorder reads that as the keys being held.
test("the recorder says when real key presses of a combination another program holds never arrive", async (t) => {
  const stop = cleanup(t);
  const { home } = await standInHome(stop);
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home);
  await s.click(await s.find("[data-tab=settings]"));
  const release = await wm.grab("ctrl+alt+g");
  stop(release);
  await s.click(await s.find("[data-test=shortcut-recorder]"));
  await s.waitFor("the recorder listening", async () => (await s.execute("return document.activeElement.dataset.test")) === "shortcut-recorder");
  // Real key presses through the X server (not WebDriver's events in the page): the grab takes G.
  const focus = await run("xdotool", ["search", "--name", "^Pixdrop$", "windowfocus", "--sync"]);
  assert.equal(focus.code, 0, focus.stderr);
  const pressed = await run("xdotool", ["key", "--clearmodifiers", "ctrl+alt+g"]);
  assert.equal(pressed.code, 0, pressed.stderr);
  const hint = await s.waitFor("the hint", async () => s.text(await s.find("[data-test=shortcut-hint]")));
  assert.match(hint, /another program/);
  assert.equal(cli(home, "settings", "get", "shortcut").trim(), "CommandOrControl+Shift+U", "nothing saved");
  // Still listening: a free combination pressed next is the one recorded.
  const free = await run("xdotool", ["key", "--clearmodifiers", "ctrl+alt+h"]);
  assert.equal(free.code, 0, free.stderr);
  await s.waitFor("the free keys saved", async () => cli(home, "settings", "get", "shortcut").trim() === "CommandOrControl+Alt+H");
  await s.waitFor("the hint gone", async () => (await s.findAll("[data-test=shortcut-hint]")).length === 0);
});
