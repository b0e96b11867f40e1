// Settings → Rewrite links in the real window: the preview says what the rules make of a sample
// link as a rule is typed (a pattern that is no regular expression said in words), Add saves it,
// a dropped file's link is rewritten with the host's own kept in the album, a rule turned off
// or added by the CLI shows in the open window, Remove empties the list. Screenshots of the
// section in en/zh-CN and light/dark are left in out/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OUT, cleanup, cli, openApp, run, solidPng, startDriver, startStandIn, tempHome } from "./harness.mjs";

const TOKEN = "rewrite-token-0123456789";

test("rewrite rules are tried on a sample as they are typed, saved, and rewrite a dropped file's link", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const shot = join(home, "猫 rewrite.png");
  writeFileSync(shot, solidPng(40, 30, [20, 120, 200]));
  const host = await startStandIn(TOKEN);
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  for (const [k, v] of [["server_enabled", "off"], ["notify", "off"], ["language", "en"], ["theme", "light"]]) cli(home, "settings", "set", k, v);

  const driver = await startDriver(home, { PIXDROP_TEST_DROP: shot });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "rewrite-last.png");
  await s.click(await s.find("[data-tab=settings]"));
  await s.find("[data-test=url-rewrite]");
  await s.execute("document.querySelector('[data-test=url-rewrite]').scrollIntoView()");
  assert.match(await s.text(await s.find("[data-test=rewrite-none]")), /No rules/);
  const previewSays = (what, re) =>
    s.waitFor(what, async () => {
      const p = await s.findAll("[data-test=rewrite-preview]");
      const text = p.length ? await s.text(p[0]) : "";
      return re.test(text) && text;
    });
  await previewSays("the sample as it is", /^no rule matches: https:\/\/i\.example\.com\//);

  // A pattern that is no regular expression: said beside the preview, nothing saved.
  await s.type(await s.find("[data-test=rewrite-match]"), "(unclosed");
  const bad = await s.waitFor("the pattern's refusal", async () => {
    const p = await s.findAll("[data-test=rewrite-preview-problem]");
    return p.length && s.text(p[0]);
  });
  assert.match(bad, /URL rewrite rule 1: its pattern is not a regular expression/);

  // The rule being typed runs on a link of the stand-in's.
  await s.execute("const i = document.querySelector('[data-test=rewrite-match]'); i.value = ''; i.dispatchEvent(new Event('input'))");
  await s.type(await s.find("[data-test=rewrite-match]"), "^http://127\\.0\\.0\\.1:\\d+/(.+)$");
  await s.type(await s.find("[data-test=rewrite-replace]"), "https://cdn.example.net/$1");
  await s.execute("const i = document.querySelector('[data-test=rewrite-sample]'); i.value = ''; i.dispatchEvent(new Event('input'))");
  await s.type(await s.find("[data-test=rewrite-sample]"), `${host.url}/i/abc/cat.png`);
  await previewSays("the typed rule's preview", /^rule 1: https:\/\/cdn\.example\.net\/i\/abc\/cat\.png$/);
  assert.equal(JSON.parse(cli(home, "url-rewrite", "list", "--json")).length, 0, "nothing saved while typing");
  await s.click(await s.find("[data-test=rewrite-add]"));
  await s.waitFor("the saved rule in the list", async () => (await s.findAll("[data-test=rewrite-rules] [data-rule]")).length === 1);
  const saved = JSON.parse(cli(home, "url-rewrite", "list", "--json"));
  assert.deepEqual(saved, [{ match: "^http://127\\.0\\.0\\.1:\\d+/(.+)$", replace: "https://cdn.example.net/$1", enabled: true, global: false, ignore_case: false }]);
  assert.equal(await s.execute("return document.querySelector('[data-test=rewrite-match]').value"), "", "the form is cleared");

  // A dropped file's link is the rewritten one; the album keeps the host's beside it.
  await s.executeAsync("const done = arguments[arguments.length-1]; window.__TAURI_INTERNALS__.invoke('test_drop').then(() => done(true), (e) => done(JSON.stringify(e)))");
  await s.click(await s.find("[data-tab=upload]"));
  const row = await s.waitFor("the dropped file done", async () => {
    const r = await s.findAll("[data-row][data-status=done]");
    return r.length === 1 && s.text(r[0]);
  }, 30000);
  assert.match(row, /!\[猫 rewrite\]\(https:\/\/cdn\.example\.net\/i\/.+\)/);
  const [record] = JSON.parse(cli(home, "album", "list", "--json"));
  assert.match(record.url, /^https:\/\/cdn\.example\.net\/i\//);
  assert.equal(record.origin_url, `${host.url}/${record.url.slice("https://cdn.example.net/".length)}`);

  // Turned off in the window: saved. A rule the CLI adds shows in the open window.
  await s.click(await s.find("[data-tab=settings]"));
  await s.execute("document.querySelector('[data-test=url-rewrite]').scrollIntoView()");
  await s.click(await s.find("[data-rule='1'] [data-act=rewrite-enable]"));
  await s.waitFor("the rule saved off", () => JSON.parse(cli(home, "url-rewrite", "list", "--json"))[0].enabled === false);
  cli(home, "url-rewrite", "add", "http://", "https://", "--ignore-case");
  await s.waitFor("the CLI's rule in the window", async () => (await s.findAll("[data-test=rewrite-rules] [data-rule]")).length === 2);
  // The page was opened anew: its sample is the example link again.
  await s.execute("const i = document.querySelector('[data-test=rewrite-sample]'); i.value = ''; i.dispatchEvent(new Event('input'))");
  await s.type(await s.find("[data-test=rewrite-sample]"), `${host.url}/i/abc/cat.png`);
  await previewSays("the sample through the second rule", /^rule 2: https:\/\/127\.0\.0\.1:/);

  // Screenshots of the section in both languages and themes.
  for (const [language, theme] of [["en", "light"], ["en", "dark"], ["zh-CN", "light"], ["zh-CN", "dark"]]) {
    cli(home, "settings", "set", "language", language);
    cli(home, "settings", "set", "theme", theme);
    await s.waitFor(`${language} ${theme}`, () =>
      s.execute("return document.documentElement.lang === arguments[0] && document.documentElement.dataset.theme === arguments[1]", [language, theme]),
    30000);
    await s.execute("document.querySelector('[data-test=url-rewrite]').scrollIntoView({ block: 'center' })");
    if (language === "zh-CN") await previewSays("the preview in Chinese", /^规则 2：/);
    await new Promise((r) => setTimeout(r, 300)); // a paint for the screenshot
    await run("import", ["-window", "root", join(OUT, `rewrite-${language}-${theme}.png`)]);
  }
  cli(home, "settings", "set", "language", "en");

  // Remove both: the list says there are none.
  for (const _ of [1, 2]) {
    const before = (await s.findAll("[data-test=rewrite-rules] [data-rule]")).length;
    await s.click(await s.find("[data-rule='1'] [data-act=rewrite-remove]"));
    await s.waitFor("a rule removed", async () => (await s.findAll("[data-test=rewrite-rules] [data-rule]")).length === before - 1);
  }
  await s.find("[data-test=rewrite-none]");
  assert.equal(JSON.parse(cli(home, "url-rewrite", "list", "--json")).length, 0);
});
