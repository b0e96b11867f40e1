// "Open with Pixdrop": a file manager launches the app with the files (the desktop entry's %F).
// With Pixdrop already running, the second launch hands them over and quits; the running window
// uploads them. Names are resolved against the folder the launch came from.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APP, cleanup, cli, openApp, solidPng, startDriver, startStandIn, tempHome } from "./harness.mjs";

test("opening an image with Pixdrop uploads it in the running window", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn("tok-open");
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", "token=tok-open", "--set", `server=${host.url}`, "--set", "api=see");
  for (const k of [["server_enabled", "off"], ["notify", "off"], ["language", "en"]]) cli(home, "settings", "set", ...k);
  const folder = join(home, "Pictures");
  mkdirSync(folder);
  writeFileSync(join(folder, "My Shot (1).png"), solidPng(30, 20, [200, 60, 20]));
  writeFileSync(join(folder, "notes.png"), "not an image");

  const driver = await startDriver(home);
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "open-last.png");
  // As a file manager does: the app's binary, the files, from their folder.
  const second = spawn(APP, ["--data-dir", home, "My Shot (1).png", "notes.png", "gone.png"], { cwd: folder, stdio: "ignore" });
  const exited = new Promise((r) => second.once("exit", (code) => r(code)));
  stop(() => second.kill());
  const rows = await s.waitFor("the three rows finished", async () => {
    const done = await s.findAll("[data-row][data-status=done]");
    const failed = await s.findAll("[data-row][data-status=failed]");
    return done.length === 1 && failed.length === 2 && [await s.text(done[0]), ...(await Promise.all(failed.map((f) => s.text(f))))];
  }, 30000);
  assert.ok(rows[0].includes("[My Shot (1)]("), rows[0]);
  assert.ok(rows.some((r) => /notes\.png: not an image/.test(r)), rows.join(" | "));
  // A file that is gone gets a row too, saying so, and a log line.
  const gone = rows.find((r) => r.includes("gone.png"));
  assert.ok(gone && /not found|no such file|does not exist|gone/i.test(gone), rows.join(" | "));
  assert.match(readFileSync(join(home, "logs", "pixdrop.log"), "utf8"), /failed .*gone\.png/);
  const [record] = JSON.parse(cli(home, "album", "list", "--json"));
  assert.equal(record.file_name, "My Shot (1).png");
  // The second launch handed over and quit.
  assert.equal(await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running"), 15000))]), 0);
});
