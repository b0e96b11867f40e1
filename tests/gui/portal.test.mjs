// The global shortcut on a Wayland desktop: the app binds it through the XDG GlobalShortcuts
// portal (a real D-Bus service of the tests' own, on a private session bus) with the setting as
// the preferred trigger, shows the portal's name for it, and uploads the clipboard image when
// the portal signals Activated. A missing portal falls back to the X11 grab and says what that
// means; a refused binding is said in words, and the app keeps running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { OUT, cleanup, cli, openApp, solidPng, startBus, startDriver, startPortal, startStandIn, tempHome, xclip } from "./harness.mjs";

const TOKEN = "portal-token-0123456789";

async function setUp(t, name) {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  for (const k of [["server_enabled", "off"], ["notify", "off"], ["language", "en"]]) cli(home, "settings", "set", ...k);
  const bus = await startBus();
  stop(bus.stop);
  return { stop, home, bus, name };
}

async function open({ stop, home, bus, name }) {
  // A Wayland session as the app sees it (the window itself is drawn on the test's X display).
  const driver = await startDriver(home, { DBUS_SESSION_BUS_ADDRESS: bus.address, XDG_SESSION_TYPE: "wayland" });
  stop(driver.stop);
  return openApp(stop, driver, home, `${name}-last.png`);
}

async function shortcutStatus(s, shot) {
  await s.click(await s.find("[data-tab=settings]"));
  const status = await s.waitFor("the shortcut's status", async () => {
    const ok = await s.findAll("[data-test=shortcut-ok]");
    const problem = await s.findAll("[data-problem=shortcut]");
    const note = await s.findAll("[data-test=shortcut-note]");
    if (!ok.length && !problem.length) return false;
    return {
      method: await s.execute("return document.querySelector('[data-test=shortcut-ok]')?.dataset.method ?? null"),
      ok: ok.length ? await s.text(ok[0]) : null,
      problem: problem.length ? await s.text(problem[0]) : null,
      note: note.length ? await s.text(note[0]) : null,
    };
  });
  await s.execute("document.querySelector('[data-test=shortcut-recorder]').scrollIntoView({ block: 'center' })");
  writeFileSync(join(OUT, shot), await s.screenshot());
  return status;
}

test("the portal binds the shortcut and its Activated uploads the clipboard image", async (t) => {
  const env = await setUp(t, "portal");
  const portal = await startPortal(env.bus.address);
  env.stop(portal.stop);
  const s = await open(env);
  assert.equal(await portal.next(/^bound /), "bound upload-clipboard CTRL+SHIFT+u");
  const status = await shortcutStatus(s, "portal-shortcut.png");
  assert.equal(status.method, "portal", JSON.stringify(status));
  assert.ok(status.ok.includes("Press Ctrl+Shift+U"), status.ok);

  const png = join(env.home, "shot.png");
  writeFileSync(png, solidPng(24, 12, [10, 120, 220]));
  await xclip.image(png);
  portal.activate("upload-clipboard");
  await s.waitFor("the clipboard upload's record", async () => JSON.parse(cli(env.home, "album", "list", "--json")).length === 1, 30000);

  // A new shortcut in the settings is bound again, with the new keys as the preferred trigger.
  cli(env.home, "settings", "set", "shortcut", "Super+Alt+P");
  assert.equal(await portal.next(/^bound /), "bound upload-clipboard LOGO+ALT+p");
  await s.waitFor("the new binding shown", async () => {
    const ok = await s.findAll("[data-test=shortcut-ok]");
    return ok.length === 1 && (await s.text(ok[0])).includes("Press Super+Alt+P");
  });
});

test("without a portal the X11 grab is used and the settings say what that means", async (t) => {
  const env = await setUp(t, "portal-missing");
  const s = await open(env);
  const status = await shortcutStatus(s, "portal-missing-shortcut.png");
  assert.equal(status.method, "x11", JSON.stringify(status));
  assert.ok(/no global shortcuts portal/.test(status.note ?? ""), JSON.stringify(status));
  assert.ok(/only while an X11 \(XWayland\) window has focus/.test(status.note ?? ""), JSON.stringify(status));
});

test("a refused binding is said in words and the app keeps running", async (t) => {
  const env = await setUp(t, "portal-refused");
  const portal = await startPortal(env.bus.address, ["--refuse"]);
  env.stop(portal.stop);
  const s = await open(env);
  await portal.next(/^refused$/);
  const status = await shortcutStatus(s, "portal-refused-shortcut.png");
  assert.ok(/cancelled, so no shortcut is bound/.test(status.problem ?? ""), JSON.stringify(status));
  // Still running: the Upload page answers.
  await s.click(await s.find("[data-tab=upload]"));
  await s.find("[data-test=upload-clipboard]");
});
