// Image hosts as users change them: a rename that the album follows (records stay listed,
// filtered and deletable on the host under the new name), and a deletion that asks first, names
// the new default and the records left behind, closes on Escape, and can be undone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OUT, cleanup, cli, openApp, solidPng, startDriver, startStandIn, tempHome } from "./harness.mjs";

const TOKEN = "hosts-token-0123456789";
const ESC = "\uE00C";

test("renaming a host config keeps its album; deleting one asks, names the new default and can be undone", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "m", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see", "--default");
  cli(home, "hosts", "add", "smms", "spare", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  cli(home, "settings", "set", "server_enabled", "off");
  cli(home, "settings", "set", "notify", "off");
  for (const [name, colour] of [["one.png", [10, 20, 30]], ["two.png", [30, 20, 10]]]) {
    const p = join(home, name);
    writeFileSync(p, solidPng(20, 20, colour));
    cli(home, "upload", p);
  }

  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "hosts-last.png");
  await s.click(await s.find("[data-tab=hosts]"));
  await s.waitFor("the configs", async () => (await s.findAll("[data-host]")).length === 2);

  // Edit "m", rename it to "main", save.
  await s.click(await s.find("[data-host=m] button"));
  const name = await s.find("[data-field=name]");
  await s.execute("const i = document.querySelector('[data-field=name]'); i.value = ''; i.dispatchEvent(new Event('input'))");
  await s.type(name, "main");
  await s.click(await s.find("[data-test=host-save]"));
  await s.waitFor("the renamed config", async () => (await s.findAll("[data-host=main]")).length === 1);
  const records = (host_) => JSON.parse(cli(home, "album", "list", "--json", "--host", host_));
  assert.equal(records("main").length, 2, "the records follow the rename");
  assert.equal(records("m").length, 0);
  // The album's host filter offers the new name only.
  await s.click(await s.find("[data-tab=album]"));
  const filter = await s.waitFor("the host filter", async () => {
    const opts = await s.execute("return [...document.querySelectorAll('[data-test=album-config] option')].map(o => o.textContent.trim())");
    return opts.length > 1 && opts;
  });
  assert.deepEqual(filter.slice(1), ["main (2)"]);
  // Still deletable on the host under the new name.
  const id = String(records("main")[0].id);
  cli(home, "album", "delete", "--remote", id);
  assert.equal(records("main").length, 1);

  // Delete "main", the default: asked first, with what it means.
  await s.click(await s.find("[data-tab=hosts]"));
  await s.waitFor("the hosts page", async () => (await s.findAll("[data-host=main]")).length === 1);
  await s.click(await s.find("[data-host=main] [data-act=delete]"));
  await s.waitFor("the confirmation", async () => (await s.findAll("[data-test=host-confirm]")).length === 1);
  assert.equal(await s.text(await s.find("[data-test=host-confirm-default]")), "It is the default: “spare” becomes the default.");
  assert.match(await s.text(await s.find("[data-test=host-confirm-records]")), /^Its 1 album record stays/);
  assert.equal(await s.execute("return document.activeElement?.dataset.test"), "host-confirm-cancel", "focus moves into the dialog");
  writeFileSync(join(OUT, "hosts-confirm.png"), await s.screenshot());
  // Escape closes it; nothing is deleted.
  await s.chord([], ESC);
  await s.waitFor("the confirmation to close", async () => (await s.findAll("[data-test=host-confirm]")).length === 0);
  assert.equal(JSON.parse(cli(home, "hosts", "list", "--json")).length, 2);

  await s.click(await s.find("[data-host=main] [data-act=delete]"));
  await s.click(await s.find("[data-test=host-confirm-delete]"));
  const notice = await s.waitFor("the deletion notice", async () => {
    const t = await s.text(await s.find("[data-test=hosts-notice]"));
    return t.startsWith("Deleted") && t;
  });
  assert.match(notice, /^Deleted “main”; “spare” is the default now\./);
  let listed = JSON.parse(cli(home, "hosts", "list", "--json"));
  assert.deepEqual(listed.map((h) => [h.name, h.default]), [["spare", true]]);

  // Undo: the config is back as it was, the default again, its secret intact.
  await s.click(await s.find("[data-test=host-undo]"));
  await s.waitFor("the restore notice", async () => (await s.text(await s.find("[data-test=hosts-notice]"))) === "“main” is back.");
  listed = JSON.parse(cli(home, "hosts", "list", "--json"));
  assert.deepEqual(listed.map((h) => [h.name, h.default]).sort(), [["main", true], ["spare", false]]);
  assert.equal(JSON.parse(cli(home, "hosts", "show", "main", "--json", "--reveal")).settings.token, TOKEN);
  const left = String(records("main")[0].id);
  cli(home, "album", "delete", "--remote", left);
  assert.equal(records("main").length, 0, "deletable on the host again");

  // A custom host's secret header is never in the window unless asked for, and saving the form
  // as it is keeps the secret.
  cli(home, "hosts", "add", "custom", "hdr", "--set", `url=${host.url}/custom/text`, "--set", 'headers={"Authorization": "TOK123-secret-value", "X-Client": "pixdrop"}');
  await s.waitFor("the CLI's config", async () => (await s.findAll("[data-host=hdr]")).length === 1);
  const everywhere = () => s.execute("return document.documentElement.outerHTML + [...document.querySelectorAll('input, textarea')].map(e => e.value).join(' ')");
  await s.click(await s.find("[data-host=hdr] button"));
  const headers = await s.waitFor("the headers field", async () => s.execute("return document.querySelector('[data-field=headers]')?.value ?? ''"));
  assert.match(headers, /"Authorization": "•+alue"/, "masked, as the CLI shows it (the last four characters of a long secret)");
  assert.match(headers, /"X-Client": "pixdrop"/);
  assert.ok(!(await everywhere()).includes("TOK123"), "the secret is nowhere in the webview");
  writeFileSync(join(OUT, "hosts-secret-masked.png"), await s.screenshot());
  await s.click(await s.find("[data-test=host-save]"));
  await s.waitFor("the saved notice", async () => (await s.text(await s.find("[data-test=hosts-notice]"))) === "Saved “hdr”.");
  const saved = JSON.parse(cli(home, "hosts", "show", "hdr", "--json", "--reveal")).settings.headers;
  assert.equal(saved.Authorization, "TOK123-secret-value", "saving the masked form kept the secret");
  // Show asks for it, and only then is it in the form.
  await s.click(await s.find("[data-host=hdr] button"));
  await s.click(await s.find("[data-show=headers]"));
  await s.waitFor("the shown secret", async () => (await s.execute("return document.querySelector('[data-field=headers]').value")).includes("TOK123-secret-value"));
});
