// Secrets in the system keyring: a token set with the CLI lives in GNOME Keyring (a private
// D-Bus session's), not in config.json, and the running app uploads with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APP, BIN, cleanup, openApp, solidPng, startDriver, startKeyring, startStandIn, tempHome } from "./harness.mjs";

test("the app uploads with a token kept in the system keyring", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const keyring = await startKeyring();
  stop(keyring.stop);
  const host = await startStandIn("tok-keyring-0123456789");
  stop(host.stop);
  // This file's process (and so the harness's CLI calls, and the app) use the keyring's bus.
  process.env.DBUS_SESSION_BUS_ADDRESS = keyring.address;
  const env = { ...process.env };
  const cli = (...args) => execFileSync(join(BIN, "pixdrop"), ["--data-dir", home, ...args], { encoding: "utf8", env });
  cli("hosts", "add", "smms", "standin", "--set", "token=tok-keyring-0123456789", "--set", `server=${host.url}`, "--set", "api=see");
  for (const k of [["server_enabled", "off"], ["notify", "off"], ["language", "en"]]) cli("settings", "set", ...k);
  const config = readFileSync(join(home, "config.json"), "utf8");
  assert.ok(!config.includes("tok-keyring"), config);
  assert.equal(await keyring.lookup("pixdrop-config", "standin", "pixdrop-field", "token"), "tok-keyring-0123456789");
  writeFileSync(join(home, "shot.png"), solidPng(30, 20, [20, 160, 90]));

  const driver = await startDriver(home, { DBUS_SESSION_BUS_ADDRESS: keyring.address });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "keyring-last.png");
  // Hand the file to the running window as a file manager would (no test hook involved).
  const second = spawn(APP, ["--data-dir", home, "shot.png"], { cwd: home, stdio: "ignore", env });
  stop(() => second.kill());
  const row = await s.waitFor("the upload finished", async () => {
    const done = await s.findAll("[data-row][data-status=done]");
    return done.length === 1 && (await s.text(done[0]));
  }, 30000);
  assert.ok(row.includes("[shot]("), row);
  assert.ok(!readFileSync(join(home, "config.json"), "utf8").includes("tok-keyring"));
});
