// The window by keyboard and without surprises: album tiles are reached with Tab, Space selects,
// Enter opens Details, Escape closes the top layer and focus comes back; deleting from Details
// names the image and keeps the other selections; status messages never move the page; a
// settings field shows one error, about the text it holds, and keeps what the user typed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OUT, cleanup, cli, openApp, solidPng, startDriver, startStandIn, tempHome } from "./harness.mjs";

const TOKEN = "keys-token-0123456789";
const [TAB, ENTER, ESC, SPACE, CTRL] = ["\uE004", "\uE007", "\uE00C", " ", "\uE009"];

test("album by keyboard, delete from Details, messages in place, settings errors", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  for (const s of [["server_enabled", "off"], ["notify", "off"], ["language", "en"], ["theme", "light"]]) cli(home, "settings", "set", ...s);
  for (const [name, colour] of [["alpha.png", [200, 0, 0]], ["bravo.png", [0, 200, 0]], ["charlie.png", [0, 0, 200]]]) {
    const p = join(home, name);
    writeFileSync(p, solidPng(16, 16, colour));
    cli(home, "upload", p);
  }
  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "keyboard-last.png");
  const active = () => s.execute("const e = document.activeElement; return { record: e?.dataset?.record ?? null, act: e?.dataset?.act ?? null, test: e?.dataset?.test ?? null }");
  const selected = () => s.execute("return [...document.querySelectorAll('[data-record][aria-selected=true] .name')].map(e => e.textContent)");
  const press = (key) => s.chord([], key);

  await s.click(await s.find("[data-tab=album]"));
  await s.waitFor("three tiles", async () => (await s.findAll("[data-record] .name")).length === 3);

  // Tab from the search field reaches a tile (bounded: the toolbar has a few controls first).
  await s.click(await s.find("[data-test=album-search]"));
  let tile = null;
  for (let i = 0; i < 15 && !tile; i++) {
    await press(TAB);
    tile = (await active()).record;
  }
  assert.ok(tile, "a tile takes the focus by Tab");
  await press(SPACE);
  assert.equal((await selected()).length, 1, "Space selects the focused tile");
  await press(ENTER);
  await s.waitFor("Details", async () => (await s.findAll("[data-test=album-details]")).length === 1);
  assert.equal((await active()).act, "close", "focus moves into Details");
  await press(ESC);
  await s.waitFor("Details to close", async () => (await s.findAll("[data-test=album-details]")).length === 0);
  assert.equal((await active()).record, tile, "focus comes back to the tile");

  // Select alpha and bravo; delete charlie from its Details: named, and the others stay selected.
  const css = async (name) => {
    const id = await s.execute("return [...document.querySelectorAll('[data-record]')].find(e => e.querySelector('.name')?.textContent === arguments[0])?.dataset.record", [name]);
    return `[data-record="${id}"]`;
  };
  await s.click(await s.find(`${await css("alpha.png")} .name`));
  await s.clickWith([CTRL], `${await css("bravo.png")} .name`);
  assert.deepEqual((await selected()).sort(), ["alpha.png", "bravo.png"]);
  await s.click(await s.find(`${await css("charlie.png")} [data-act=details]`));
  await s.click(await s.find("[data-test=album-details] [data-act=delete]"));
  await s.waitFor("the confirmation", async () => (await s.findAll("[data-test=album-confirm]")).length === 1);
  assert.equal(await s.text(await s.find("[data-test=album-confirm-ask]")), "Delete “charlie.png”?");
  assert.equal((await active()).test, "album-confirm-cancel", "focus moves into the dialog");
  await press(ESC);
  await s.waitFor("the confirmation to close", async () => (await s.findAll("[data-test=album-confirm]")).length === 0);
  assert.equal((await s.findAll("[data-test=album-details]")).length, 1, "Escape closed only the top layer");

  // The grid does not move when the deletion's message appears.
  const gridTop = () => s.execute("return Math.round(document.querySelector('[data-test=album-grid]').getBoundingClientRect().top)");
  const before = await gridTop();
  await s.click(await s.find("[data-test=album-details] [data-act=delete]"));
  await s.click(await s.find("[data-test=album-delete-confirm]"));
  await s.waitFor("the deletion message", async () => (await s.text(await s.find("[data-test=album-message]"))) === "Removed 1 from the album.");
  assert.equal(await gridTop(), before, "the message did not push the grid down");
  await s.waitFor("two tiles", async () => (await s.findAll("[data-record] .name")).length === 2);
  assert.deepEqual((await selected()).sort(), ["alpha.png", "bravo.png"], "the other selections stay");
  writeFileSync(join(OUT, "album-after-delete.png"), await s.screenshot());

  // Settings: a refused pattern gives one error about the text in the field, which keeps it.
  await s.click(await s.find("[data-tab=settings]"));
  await s.click(await s.find("[data-setting=rename] option[value=pattern]"));
  const field = await s.waitFor("the pattern field", () => s.find("[data-setting=rename_pattern]"));
  const errorsAbout = (word) => s.execute("return [...document.querySelectorAll('.settings .error')].filter(e => e.textContent.includes(arguments[0])).length", [word]);
  const setPattern = async (text) => {
    await s.execute("const i = document.querySelector('[data-setting=rename_pattern]'); i.value = ''; i.dispatchEvent(new Event('input'))");
    await s.type(field, text);
    await s.execute("document.querySelector('[data-setting=rename_pattern]').dispatchEvent(new Event('change'))");
  };
  await setPattern("{nope}");
  await s.waitFor("the pattern problem", async () => (await errorsAbout("nope")) > 0);
  assert.equal(await errorsAbout("nope"), 1, "one error, not two");
  assert.equal(await s.text(await s.find("[data-unsaved=rename_pattern]")), "not saved");
  await setPattern("{nah}");
  await s.waitFor("the new problem", async () => (await errorsAbout("nah")) === 1);
  assert.equal(await errorsAbout("nope"), 0, "the error about the old text is gone");
  assert.equal(cli(home, "settings", "get", "rename_pattern").trim(), "{Y}{m}{d}{h}{i}{s}-{filename}");

  // A refused proxy keeps what was typed, marked not saved.
  const proxy = await s.find("[data-setting=proxy]");
  await s.type(proxy, "not a proxy");
  await s.execute("document.querySelector('[data-setting=proxy]').dispatchEvent(new Event('change'))");
  await s.waitFor("the proxy problem", async () => (await s.findAll("[data-problem=proxy]")).length === 1);
  assert.equal(await s.execute("return document.querySelector('[data-setting=proxy]').value"), "not a proxy");
  assert.equal((await s.findAll("[data-unsaved=proxy]")).length, 1);
  assert.equal(cli(home, "settings", "get", "proxy").trim(), "");
  writeFileSync(join(OUT, "settings-errors.png"), await s.screenshot());
});
