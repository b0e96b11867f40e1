// The window follows changes made with the CLI while it is open: a host config added as the
// default shows in the Upload page's picker, a link format set there is the one shown and the
// one the next upload's link uses; an edit of the file in place, as an editor saves, shows too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, cli, openApp, solidPng, startDriver, startStandIn, tempHome } from "./harness.mjs";

const TOKEN = "follow-token-0123456789";

test("the window follows config changes made with the CLI", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stop(host.stop);
  cli(home, "settings", "set", "server_enabled", "off");
  cli(home, "settings", "set", "notify", "off");
  const picked = join(home, "followed.png");
  writeFileSync(picked, solidPng(12, 12, [5, 150, 200]));
  const driver = await startDriver(home, { PIXDROP_TEST_PICK_FILES: picked });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "follow-last.png");

  const picker = async () => s.execute("const p = document.querySelector('[data-test=host-picker]'); return { value: p.value, text: p.selectedOptions[0]?.textContent.trim() ?? '', disabled: p.disabled }");
  // A first-run user is pointed to the Image hosts page, not to the command line.
  assert.equal((await s.findAll("[data-test=host-picker]")).length, 0, "no empty menu; the way to add a host in its place");
  await s.click(await s.find("[data-test=add-host]"));
  await s.waitFor("the Image hosts page", async () => (await s.findAll(".hosts")).length === 1);
  await s.click(await s.find("[data-tab=upload]"));

  cli(home, "hosts", "add", "smms", "from-cli", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see", "--default");
  const shown = await s.waitFor("the CLI's host in the picker", async () => {
    const p = await picker();
    return p.value !== "" && p.text.includes("—") && p;
  });
  // Each config with its kind.
  assert.deepEqual(shown, { value: "from-cli", text: "from-cli — SM.MS / S.EE", disabled: false });
  assert.equal((await s.findAll("[data-test=add-host]")).length, 0);

  cli(home, "settings", "set", "link_format", "html");
  await s.waitFor("the CLI's link format", async () =>
    (await s.execute("return document.querySelector('[data-test=format-picker]').value")) === "html");
  // And the next upload's link is what the page shows.
  await s.click(await s.find("[data-test=choose-files]"));
  const link = await s.waitFor("the upload's link", async () => {
    const text = await s.execute("return document.querySelector('[data-row][data-status=done] [data-test=link]')?.textContent ?? ''");
    return text && text;
  });
  assert.match(link, /^<img src="http:\/\/127\.0\.0\.1:\d+\/i\/.+" alt="followed"\/?>$/);

  // An editor that writes the file in place (no rename): the app is told of that too.
  const configPath = join(home, "config.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.settings.link_format = "url";
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  await s.waitFor("the edited link format", async () =>
    (await s.execute("return document.querySelector('[data-test=format-picker]').value")) === "url");
});
